# ruff: noqa: RUF001 - clinical text uses en dashes, as CLINICAL.md does
"""The consent text per procedure, versioned (CLINICAL.md, "Consent").

A signed consent stores the version it was signed on; any change to a text gets a new version,
and the old ones stay here so a stored consent can always be shown as the patient read it.
"""

from dataclasses import dataclass
from types import MappingProxyType

from eligibility import rules


@dataclass(frozen=True)
class ConsentText:
    procedure: str
    version: str
    title: str
    paragraphs: tuple[str, ...]


_COMMON_RISKS = (
    "Risks include bleeding, bruising, infection, an allergic reaction, and redness or marks "
    "that can last a few days. No result is guaranteed; several sessions and later maintenance "
    "sessions are usually needed."
)
_ALTERNATIVES = (
    "Alternatives include medicines such as minoxidil (applied to the scalp) and finasteride "
    "(tablets), and doing nothing."
)

_TEXTS = (
    ConsentText(
        rules.MICRONEEDLING,
        "2026.11.1",
        "Consent to scalp microneedling",
        (
            "Microneedling makes many tiny punctures in the scalp with fine needles to stimulate "
            "hair growth. Microneedling devices are authorised for facial scars and wrinkles; "
            "their use on the scalp for hair loss is off-label.",
            _ALTERNATIVES,
            _COMMON_RISKS,
            "Before: tell the clinic about any cut, spot, infection or cold sore on the scalp. "
            "After: no hair washing for 24 hours; no minoxidil or other topicals for 24 hours "
            "unless the physician says otherwise; call the clinic for spreading redness, pus, "
            "fever or pain that grows.",
        ),
    ),
    ConsentText(
        rules.PRP,
        "2026.11.1",
        "Consent to platelet-rich plasma (PRP) treatment",
        (
            "A small amount of blood is drawn, spun in a centrifuge to concentrate the platelets, "
            "and the plasma is injected into the scalp. PRP outside transfusion medicine is an "
            "off-label use.",
            _ALTERNATIVES,
            _COMMON_RISKS,
            "Before: avoid aspirin and anti-inflammatory painkillers for the days the clinic "
            "tells you. After: no hair washing for 24 hours; no sauna, hard exercise or strong "
            "sun for 1–3 days; call the clinic for spreading redness, pus, fever or pain that "
            "grows.",
        ),
    ),
    ConsentText(
        rules.LLLT,
        "2026.11.1",
        "Consent to low-level laser therapy (LLLT)",
        (
            "Low-level laser or light therapy shines red light on the scalp to stimulate hair "
            "growth. Use outside the device's cleared population is off-label.",
            _ALTERNATIVES,
            "Risks include scalp warmth, redness or itching, and no guaranteed result; several "
            "sessions and later maintenance sessions are needed.",
            "Before: tell the clinic about broken skin on the scalp and any medicine that makes "
            "skin sensitive to light. After: avoid strong sun on the scalp that day.",
        ),
    ),
)

# The texts in use now; older versions of a procedure's text stay in _TEXTS.
CURRENT: MappingProxyType[str, ConsentText] = MappingProxyType(
    {text.procedure: text for text in _TEXTS}
)
BY_VERSION: MappingProxyType[tuple[str, str], ConsentText] = MappingProxyType(
    {(text.procedure, text.version): text for text in _TEXTS}
)
