# ruff: noqa: RUF001 - scale names use en dashes, as CLINICAL.md does
"""The intake questionnaire: the questions a patient answers and the scales a grade is read on.

It is plain data (no ORM, no request) because the layers above read it too: the screening rules
(eligibility.rules) say what a yes means for each procedure, keyed by the same codes, and an
export may publish it as a questionnaire. The codes are stored with every intake and never
change meaning; the wording may be improved without changing what an answer means.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

SECTIONS: tuple[tuple[str, str], ...] = (
    ("medical", "Medical history"),
    ("medications", "Medications"),
    ("scalp_today", "Scalp today"),
)


@dataclass(frozen=True)
class Question:
    """One yes/no question of the intake, with the short label a screen shows for a yes."""

    code: str
    label: str
    question: str
    section: str

    def __post_init__(self) -> None:
        if self.section not in dict(SECTIONS):
            raise ValueError(f"{self.code}: unknown section {self.section!r}")
        if not self.question.endswith("?"):
            raise ValueError(f"{self.code}: a question ends with '?'")


# In the order the form asks them (CLINICAL.md's table).
QUESTIONS: tuple[Question, ...] = (
    Question(
        "scalp_wound",
        "scalp wound",
        "Any cut, sore, scab or open wound on the scalp today?",
        "scalp_today",
    ),
    Question(
        "scalp_acne",
        "scalp acne",
        "Any acne or pimples on the scalp today?",
        "scalp_today",
    ),
    Question(
        "acute_infection",
        "acute infection",
        "Any infection now (scalp, or fever / feeling unwell)?",
        "scalp_today",
    ),
    Question(
        "scalp_inflammation",
        "scalp inflammation",
        "Scalp red, itchy, flaking or inflamed today (incl. a flare of psoriasis, eczema, "
        "seborrhoeic dermatitis)?",
        "scalp_today",
    ),
    Question(
        "active_cold_sore",
        "active cold sore",
        "A cold sore or herpes outbreak now?",
        "scalp_today",
    ),
    Question(
        "herpes_history",
        "history of cold sores / herpes",
        "Ever had cold sores / herpes?",
        "medical",
    ),
    Question(
        "pregnant_or_breastfeeding",
        "pregnant or breastfeeding",
        "Pregnant or breastfeeding?",
        "medical",
    ),
    Question(
        "bleeding_disorder",
        "bleeding or clotting disorder",
        "A bleeding or clotting disorder (e.g. haemophilia)?",
        "medical",
    ),
    Question(
        "platelet_disorder",
        "low platelets or platelet disorder",
        "Low platelets or a platelet disorder?",
        "medical",
    ),
    Question(
        "anticoagulant",
        "taking blood thinners",
        "Taking blood thinners (warfarin, apixaban, rivaroxaban, heparin…)?",
        "medications",
    ),
    Question(
        "nsaid_recent",
        "aspirin or anti-inflammatory painkillers in the last 7 days",
        "Aspirin or anti-inflammatory painkillers in the last 7 days?",
        "medications",
    ),
    Question(
        "systemic_steroids",
        "steroid tablets or injections in the last 2 weeks",
        "Steroid tablets or injections in the last 2 weeks?",
        "medications",
    ),
    Question(
        "isotretinoin_recent",
        "isotretinoin in the last 6 months",
        "Isotretinoin (Accutane) now or in the last 6 months?",
        "medications",
    ),
    Question(
        "keloid_tendency",
        "keloid scarring",
        "Raised, thick scars (keloids) after injuries?",
        "medical",
    ),
    Question(
        "active_cancer",
        "cancer or cancer treatment",
        "Cancer now, or chemotherapy / radiotherapy?",
        "medical",
    ),
    Question(
        "scalp_lesion",
        "changed or unchecked scalp lesion",
        "A mole, growth or lesion on the scalp that changed or was never checked?",
        "scalp_today",
    ),
    Question(
        "immunosuppressed",
        "weakened immune system",
        "A weakened immune system (disease or medicines, incl. HIV)?",
        "medical",
    ),
    Question(
        "poor_wound_healing",
        "diabetes or slow wound healing",
        "Diabetes or wounds that heal slowly?",
        "medical",
    ),
    Question(
        "anemia",
        "recent anaemia",
        "Told you have low haemoglobin / anaemia recently?",
        "medical",
    ),
    Question(
        "photosensitivity",
        "light sensitivity",
        "Lupus, a light-sensitivity condition, or medicines that make skin sensitive to light?",
        "medical",
    ),
    Question(
        "nickel_allergy",
        "nickel allergy",
        "Allergic to nickel or metal jewellery?",
        "medical",
    ),
    Question(
        "anesthetic_allergy",
        "allergy to numbing creams or skin serums",
        "Allergic to numbing creams or skin serums?",
        "medical",
    ),
    Question(
        "recent_sunburn",
        "recent scalp sunburn",
        "Sunburn on the scalp in the last week?",
        "scalp_today",
    ),
    Question(
        "smoker",
        "smoker",
        "Smoke tobacco?",
        "medical",
    ),
)

QUESTIONS_BY_CODE: Mapping[str, Question] = MappingProxyType({q.code: q for q in QUESTIONS})

NORWOOD: str = "norwood"
LUDWIG: str = "ludwig"
SAVIN: str = "savin"
SCALES: tuple[tuple[str, str], ...] = (
    (NORWOOD, "Norwood–Hamilton"),
    (LUDWIG, "Ludwig"),
    (SAVIN, "Savin"),
)
NORWOOD_GRADES: tuple[str, ...] = (
    "I",
    "II",
    "IIa",
    "III",
    "IIIa",
    "III-vertex",
    "IV",
    "IVa",
    "V",
    "Va",
    "VI",
    "VII",
)
LUDWIG_GRADES: tuple[str, ...] = ("I", "II", "III")
SAVIN_GRADES: tuple[str, ...] = (
    "I-1",
    "I-2",
    "I-3",
    "I-4",
    "II-1",
    "II-2",
    "III",
    "advanced",
    "frontal",
)
GRADES_BY_SCALE: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {NORWOOD: NORWOOD_GRADES, LUDWIG: LUDWIG_GRADES, SAVIN: SAVIN_GRADES}
)
FITZPATRICK_TYPES: tuple[str, ...] = ("I", "II", "III", "IV", "V", "VI")
