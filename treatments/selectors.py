"""Reads of what the clinic offers, for the layers above."""

from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.text import capfirst

from treatments.models import ConsentText, SessionType
from treatments.procedures import PROCEDURE_LABELS, PROCEDURES

VIEW_CONSENT_TEXTS = "treatments.view_consenttext"
PUBLISH_CONSENT_TEXTS = "treatments.add_consenttext"


def _require(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


def offered_session_types() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The active session types as (name, procedures), in one query.

    Plain values, so eligibility can judge each one without knowing the model.
    """
    return tuple(
        (session_type.name, session_type.procedures)
        for session_type in SessionType.objects.filter(active=True).only("name", "procedure_codes")
    )


# ---- consent texts: what a consent is signed on, and what a signed one was signed on ----------
# No user here: the consent form shows the text to whoever may take a consent (scheduling checks
# that), and a text is the clinic's, not a patient's, so reading it is not access-logged.


def current_consent_text(procedure: str) -> ConsentText | None:
    """The version new consents to `procedure` are signed on: its latest published one."""
    return ConsentText.objects.filter(procedure=procedure).first()


def current_consent_texts() -> dict[str, ConsentText]:
    """Each procedure's current text, in one query, in the order of `PROCEDURES`."""
    newest = ConsentText.objects.filter(procedure=OuterRef("procedure")).order_by(
        "-published_at", "-id"
    )
    found = {
        text.procedure: text
        for text in ConsentText.objects.filter(pk=Subquery(newest.values("pk")[:1]))
    }
    return {procedure: found[procedure] for procedure in PROCEDURES if procedure in found}


def consent_text(procedure: str, version: str) -> ConsentText | None:
    """The text a consent signed on `version` showed, however many versions came after."""
    return ConsentText.objects.filter(procedure=procedure, version=version).first()


# ---- consent texts: the clinic admin's pages -------------------------------------------------


@dataclass(frozen=True)
class ConsentTextHistory:
    """One procedure's texts: the one in use, and the earlier versions, newest first."""

    procedure: str
    label: str
    current: ConsentText | None
    earlier: list[ConsentText]


def consent_text_history(*, user) -> list[ConsentTextHistory]:
    """Every procedure's versions, in one query."""
    _require(user, VIEW_CONSENT_TEXTS)
    versions: dict[str, list[ConsentText]] = defaultdict(list)
    for text in ConsentText.objects.select_related("published_by"):
        versions[text.procedure].append(text)
    return [
        ConsentTextHistory(
            procedure=procedure,
            label=capfirst(PROCEDURE_LABELS[procedure]),
            current=versions[procedure][0] if versions[procedure] else None,
            earlier=versions[procedure][1:],
        )
        for procedure in PROCEDURES
    ]


def consent_text_get(*, user, pk: int) -> ConsentText:
    _require(user, VIEW_CONSENT_TEXTS)
    return get_object_or_404(ConsentText.objects.select_related("published_by"), pk=pk)


def consent_text_to_replace(*, user, procedure: str) -> ConsentText:
    """The publish form's starting point: the procedure's current text (404 if it has none)."""
    _require(user, PUBLISH_CONSENT_TEXTS)
    text = current_consent_text(procedure) if procedure in PROCEDURES else None
    if text is None:
        raise Http404
    return text
