"""The consent text per procedure, versioned (CLINICAL.md, "Consent"): read from treatments,
where a clinic admin publishes new versions (configuration.consent_texts).

A signed consent stores the version it was signed on; a change to a text is a new version, and
the old ones stay, so a stored consent can always be shown as the patient read it. A consent
signed on an earlier version still counts (CLINICAL.md asks for one signed consent per procedure
before the first session, and says nothing of signing again when the text changes).
"""

from collections.abc import ItemsView, Iterator, Mapping, ValuesView

from treatments import selectors
from treatments.models import ConsentText

__all__ = ["BY_VERSION", "CURRENT", "ConsentText"]


class _Current(Mapping[str, ConsentText]):
    """Procedure -> the text new consents are signed on (its latest published version).

    Read from the database each time, never kept: an admin may publish at any moment, and the
    next consent must be on the new text. One query per lookup; `items()` reads all in one.
    """

    def __getitem__(self, procedure: str) -> ConsentText:
        text = selectors.current_consent_text(procedure)
        if text is None:
            raise KeyError(procedure)
        return text

    def __iter__(self) -> Iterator[str]:
        return iter(selectors.current_consent_texts())

    def __len__(self) -> int:
        return len(selectors.current_consent_texts())

    def items(self) -> ItemsView[str, ConsentText]:
        return selectors.current_consent_texts().items()

    def values(self) -> ValuesView[ConsentText]:
        return selectors.current_consent_texts().values()


class _ByVersion(Mapping[tuple[str, str], ConsentText]):
    """(procedure, version) -> that version's text, current or not: what a consent showed."""

    def __getitem__(self, key: tuple[str, str]) -> ConsentText:
        text = selectors.consent_text(*key)
        if text is None:
            raise KeyError(key)
        return text

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(ConsentText.objects.values_list("procedure", "version"))

    def __len__(self) -> int:
        return ConsentText.objects.count()


CURRENT: Mapping[str, ConsentText] = _Current()
BY_VERSION: Mapping[tuple[str, str], ConsentText] = _ByVersion()
