# ruff: noqa: RUF001 - ranges in clinical text use en dashes, as CLINICAL.md does
"""The contraindication rules: the one place that decides whether a patient may have a procedure.

Screening, booking and the day-of check-in all ask this module, so a rule changes in one place
and every screen agrees. It is pure (answers and a few derived facts in, an outcome with its
reasons out; no ORM, no request, no clock) so that any stored decision can be re-run from the
answers it saw and explained reason by reason, each reason carrying its clinical source.

The catalogue mirrors the table in CLINICAL.md row for row: the intake asks the questions
(intake.questionnaire, the wording) and this module says what each yes means (the rule). The
codes are stored with every screening and never change meaning; any change to the catalogue, a
severity or a derived rule bumps RULESET_VERSION, so a stored screening can say which rules
made it.

The numbers here (days until re-screening) are the clinical defaults; the clinic's settings may
override them where they are read.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from intake.questionnaire import (
    FITZPATRICK_TYPES,
    GRADES_BY_SCALE,
    LUDWIG,
    NORWOOD,
    QUESTIONS,
    QUESTIONS_BY_CODE,
    SAVIN,
    SCALES,
    SECTIONS,
)
from treatments.procedures import LLLT, MICRONEEDLING, PROCEDURE_LABELS, PROCEDURES, PRP

__all__ = [  # The questionnaire's and the procedures' vocabulary, read through the rules.
    "FITZPATRICK_TYPES",
    "GRADES_BY_SCALE",
    "LLLT",
    "LUDWIG",
    "MICRONEEDLING",
    "NORWOOD",
    "PROCEDURES",
    "PROCEDURE_LABELS",
    "PRP",
    "SAVIN",
    "SCALES",
    "SECTIONS",
]
# Bump with any change to the catalogue, a severity, a source or a derived rule.
RULESET_VERSION: str = "2026.11.2"

EXCLUDE: str = "exclude"
REVIEW: str = "review"
CAUTION: str = "caution"
SEVERITIES: tuple[str, ...] = (EXCLUDE, REVIEW, CAUTION)

ELIGIBLE: str = "eligible"
NEEDS_REVIEW: str = "needs_review"
INELIGIBLE: str = "ineligible"

DEFAULT_RESCREEN_DAYS: int = 14

# An unanswered question is a reason of its own, `unanswered:<code>`: clearing one never
# clears another, and an unanswered exclusion question blocks as the exclusion would.
UNANSWERED: str = "unanswered"
UNDER_18: str = "under_18"
AGE_UNKNOWN: str = "age_unknown"
LLLT_OFF_LABEL: str = "lllt_off_label"
PRP_OUTSIDE_NORWOOD: str = "prp_outside_norwood"


@dataclass(frozen=True)
class Condition:
    """One row of the catalogue: an intake question, and what a yes means for each procedure."""

    code: str
    label: str
    question: str
    section: str
    # Only the procedures the condition applies to; a procedure missing here is unaffected.
    severities: Mapping[str, str] = field(hash=False)
    temporary: bool
    rescreen_days: int | None
    day_of: bool
    source: str

    def __post_init__(self) -> None:
        for procedure, severity in self.severities.items():
            if procedure not in PROCEDURES or severity not in SEVERITIES:
                raise ValueError(f"{self.code}: bad severity {procedure!r} -> {severity!r}")
        if self.temporary != (self.rescreen_days is not None):
            raise ValueError(f"{self.code}: only temporary conditions have rescreen days")
        object.__setattr__(self, "severities", MappingProxyType(dict(self.severities)))

    def applies_to(self, procedure: str) -> bool:
        return procedure in self.severities


# Re-asked at the day-of check-in (CLINICAL.md): things that can appear between screening and
# the session.
DAY_OF_CODES: tuple[str, ...] = (
    "scalp_wound",
    "scalp_acne",
    "acute_infection",
    "scalp_inflammation",
    "active_cold_sore",
    "recent_sunburn",
)

_ALL_EXCLUDE: Mapping[str, str] = {MICRONEEDLING: EXCLUDE, PRP: EXCLUDE, LLLT: EXCLUDE}
_Meaning = tuple[Mapping[str, str], str] | tuple[Mapping[str, str], str, int]

# CLINICAL.md's table, in its order: what a yes means for each procedure the condition applies
# to, and its kind. "temporary" is re-screened, after DEFAULT_RESCREEN_DAYS unless the row names
# its own days; "while taken", "lasting", "lasting until reviewed" and "lasting while present"
# stay until a new intake says otherwise.
_MEANINGS: Mapping[str, _Meaning] = {
    "scalp_wound": (_ALL_EXCLUDE, "temporary"),
    "scalp_acne": (_ALL_EXCLUDE, "temporary"),
    "acute_infection": (_ALL_EXCLUDE, "temporary"),
    "scalp_inflammation": (_ALL_EXCLUDE, "temporary"),
    "active_cold_sore": ({MICRONEEDLING: EXCLUDE, PRP: EXCLUDE}, "temporary"),
    "herpes_history": ({MICRONEEDLING: REVIEW}, "lasting"),
    "pregnant_or_breastfeeding": (_ALL_EXCLUDE, "temporary"),
    "bleeding_disorder": ({MICRONEEDLING: EXCLUDE, PRP: EXCLUDE}, "lasting"),
    "platelet_disorder": ({MICRONEEDLING: REVIEW, PRP: EXCLUDE}, "lasting"),
    "anticoagulant": ({MICRONEEDLING: REVIEW, PRP: REVIEW}, "while taken"),
    "nsaid_recent": ({PRP: REVIEW}, "temporary", 7),
    "systemic_steroids": ({PRP: REVIEW}, "temporary", 14),
    "isotretinoin_recent": ({MICRONEEDLING: REVIEW}, "temporary"),
    "keloid_tendency": ({MICRONEEDLING: REVIEW, PRP: REVIEW}, "lasting"),
    "active_cancer": ({MICRONEEDLING: REVIEW, PRP: REVIEW, LLLT: REVIEW}, "lasting until reviewed"),
    "scalp_lesion": ({MICRONEEDLING: REVIEW, LLLT: REVIEW}, "lasting until reviewed"),
    "immunosuppressed": ({MICRONEEDLING: REVIEW, PRP: REVIEW}, "lasting"),
    "poor_wound_healing": ({MICRONEEDLING: REVIEW}, "lasting"),
    "anemia": ({PRP: REVIEW}, "temporary"),
    "photosensitivity": ({LLLT: EXCLUDE}, "lasting while present"),
    "nickel_allergy": ({MICRONEEDLING: REVIEW}, "lasting"),
    "anesthetic_allergy": ({MICRONEEDLING: REVIEW}, "lasting"),
    "recent_sunburn": ({MICRONEEDLING: REVIEW, LLLT: REVIEW}, "temporary"),
    "smoker": ({PRP: CAUTION}, "lasting"),
}
# The table's source column, row for row.
_SOURCES: Mapping[str, str] = {
    "scalp_wound": "the clinic's own page; LLLT labels: not on broken skin",
    "scalp_acne": "the clinic's own page",
    "acute_infection": (
        "the clinic's own page; PRP: local infection and sepsis (Dhurat & Sukesh 2014)"
    ),
    "scalp_inflammation": "the clinic's own page",
    "active_cold_sore": "MN reviews; eczema herpeticum after MN + PRP (Wu 2022)",
    "herpes_history": "antiviral prophylaxis is a physician's call",
    "pregnant_or_breastfeeding": "precaution: no safety data (PRP, MN, device labels)",
    "bleeding_disorder": "MN clinic lists; PRP reviews",
    "platelet_disorder": "Dhurat & Sukesh 2014",
    "anticoagulant": "sources disagree (absolute vs not)",
    "nsaid_recent": "PRP pre-care: none 48 h–7 days before",
    "systemic_steroids": "PRP reviews (2 weeks; some say 10 days)",
    "isotretinoin_recent": (
        "label says 6 months; ASDS 2017 found too little evidence to wait: physician decides"
    ),
    "keloid_tendency": "MN clinic lists",
    "active_cancer": "PRP reviews (some absolute for blood cancers)",
    "scalp_lesion": "see a doctor before device use",
    "immunosuppressed": "PRP consent lists",
    "poor_wound_healing": "MN clinic lists",
    "anemia": "Hb < 10 g/dL is a relative contraindication to PRP",
    "photosensitivity": "light-device labels",
    "nickel_allergy": "316L steel needles contain 10–14 % nickel; reactions rare",
    "anesthetic_allergy": "granulomatous reactions mostly tied to topicals",
    "recent_sunburn": "general sun-avoidance advice (weak source)",
    "smoker": "Dhurat & Sukesh 2014",
}


def _condition(
    code: str,
    severities: Mapping[str, str],
    kind: str,
    rescreen_days: int = DEFAULT_RESCREEN_DAYS,
) -> Condition:
    temporary = kind == "temporary"
    asked = QUESTIONS_BY_CODE[code]
    return Condition(
        code=code,
        label=asked.label,
        question=asked.question,
        section=asked.section,
        severities=severities,
        temporary=temporary,
        rescreen_days=rescreen_days if temporary else None,
        day_of=code in DAY_OF_CODES,
        source=_SOURCES[code],
    )


CATALOGUE: tuple[Condition, ...] = tuple(
    _condition(code, *meaning) for code, meaning in _MEANINGS.items()
)
CATALOGUE_BY_CODE: Mapping[str, Condition] = MappingProxyType({c.code: c for c in CATALOGUE})

# Every question has its rule and its source, and every rule its question, in the
# questionnaire's order.
if not [q.code for q in QUESTIONS] == list(_MEANINGS) == list(_SOURCES):
    raise ValueError("eligibility.rules.CATALOGUE and intake.questionnaire.QUESTIONS disagree")


# LLLT's FDA clearance (product code OAP) covers Norwood IIa to V, Ludwig I and II (Savin I-1 to
# II-2) and Fitzpatrick I to IV; anything else is off-label.
_LLLT_CLEARED_GRADES: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        NORWOOD: frozenset({"IIa", "III", "IIIa", "III-vertex", "IV", "IVa", "V", "Va"}),
        LUDWIG: frozenset({"I", "II"}),
        SAVIN: frozenset({"I-1", "I-2", "I-3", "I-4", "II-1", "II-2"}),
    }
)
_LLLT_CLEARED_FITZPATRICK: frozenset[str] = frozenset({"I", "II", "III", "IV"})
# IADVL names Norwood II to V as ideal for PRP; it says nothing about the female scales.
_PRP_OUTSIDE_NORWOOD_GRADES: frozenset[str] = frozenset({"I", "VI", "VII"})

_SCALE_LABELS: Mapping[str, str] = MappingProxyType(dict(SCALES))


@dataclass(frozen=True)
class Reason:
    """Why an outcome is what it is: a catalogue code or a derived one, with its source."""

    code: str
    severity: str
    label: str
    source: str
    temporary: bool = False
    rescreen_days: int | None = None


@dataclass(frozen=True)
class Outcome:
    procedure: str
    status: str
    reasons: tuple[Reason, ...]
    rescreen_after: int | None


def _check_procedure(procedure: str) -> None:
    if procedure not in PROCEDURES:
        raise ValueError(f"Unknown procedure {procedure!r}; valid: {', '.join(PROCEDURES)}")


def _check_answers(answers: Mapping[str, bool | None]) -> None:
    for code, value in answers.items():
        if code not in CATALOGUE_BY_CODE:
            raise ValueError(f"Unknown contraindication code {code!r}")
        # `is`, not `==`: 1 and 0 are not answers.
        if not (value is True or value is False or value is None):
            raise ValueError(f"Answer to {code!r} must be True, False or None, not {value!r}")


def _check_derived(scale: str | None, grade: str | None, fitzpatrick: str | None) -> None:
    if scale is not None and scale not in GRADES_BY_SCALE:
        raise ValueError(f"Unknown scale {scale!r}; valid: {', '.join(GRADES_BY_SCALE)}")
    if grade is not None:
        if scale is None:
            raise ValueError(f"Grade {grade!r} given without a scale")
        if grade not in GRADES_BY_SCALE[scale]:
            raise ValueError(
                f"Grade {grade!r} is not on the {scale} scale; "
                f"valid: {', '.join(GRADES_BY_SCALE[scale])}"
            )
    if fitzpatrick is not None and fitzpatrick not in FITZPATRICK_TYPES:
        raise ValueError(
            f"Unknown Fitzpatrick type {fitzpatrick!r}; valid: {', '.join(FITZPATRICK_TYPES)}"
        )


_UNDER_18_LABELS: Mapping[str, str] = MappingProxyType(
    {
        MICRONEEDLING: "under 18: guardian consent; microneedling devices are authorised for "
        "adults only",
        PRP: "under 18: guardian consent needed for PRP",
        LLLT: "under 18: guardian consent; laser devices are cleared for adults",
    }
)


_UNDER_18_SOURCES: Mapping[str, str] = MappingProxyType(
    {
        MICRONEEDLING: "FDA: MN devices for adults; guardian consent",
        PRP: "guardian consent for a minor",
        LLLT: "FDA 510(k) clearances for adults; guardian consent",
    }
)


def unanswered_code(code: str) -> str:
    return f"{UNANSWERED}:{code}"


def answered_code(reason_code: str) -> str | None:
    """The catalogue code behind a reason: itself, or the question an `unanswered:` reason asks."""
    if reason_code.startswith(f"{UNANSWERED}:"):
        return reason_code.split(":", 1)[1]
    return reason_code if reason_code in CATALOGUE_BY_CODE else None


def _derived_reasons(
    procedure: str,
    age: int | None,
    scale: str | None,
    grade: str | None,
    fitzpatrick: str | None,
) -> list[Reason]:
    """The reasons that come from facts, not answers: the age, and for LLLT and PRP the grade
    and skin type they are cleared or ideal for."""
    reasons = _age_reasons(procedure, age)
    if procedure == LLLT:
        reasons += _lllt_off_label(scale, grade, fitzpatrick)
    if procedure == PRP:
        reasons += _prp_outside_norwood(scale, grade)
    return reasons


def _age_reasons(procedure: str, age: int | None) -> list[Reason]:
    if age is None:
        return [
            Reason(
                code=AGE_UNKNOWN,
                severity=REVIEW,
                label="age unknown: no date of birth on record",
                source="CLINICAL.md screening lifecycle 9: a missing fact is not a no",
            )
        ]
    if age < 18:
        return [
            Reason(
                code=UNDER_18,
                severity=REVIEW,
                label=_UNDER_18_LABELS[procedure],
                source=_UNDER_18_SOURCES[procedure],
            )
        ]
    return []


def _lllt_off_label(scale: str | None, grade: str | None, fitzpatrick: str | None) -> list[Reason]:
    outside = []
    if scale is not None and grade is not None and grade not in _LLLT_CLEARED_GRADES[scale]:
        outside.append(f"{_SCALE_LABELS[scale]} {grade}")
    if fitzpatrick is not None and fitzpatrick not in _LLLT_CLEARED_FITZPATRICK:
        outside.append(f"Fitzpatrick {fitzpatrick}")
    if not outside:
        return []
    return [
        Reason(
            code=LLLT_OFF_LABEL,
            severity=CAUTION,
            label="outside LLLT's cleared population (Norwood IIa–V, Ludwig I–II, "
            f"Fitzpatrick I–IV): {', '.join(outside)}",
            source="FDA 510(k) product code OAP",
        )
    ]


def _prp_outside_norwood(scale: str | None, grade: str | None) -> list[Reason]:
    if scale != NORWOOD or grade not in _PRP_OUTSIDE_NORWOOD_GRADES:
        return []
    return [
        Reason(
            code=PRP_OUTSIDE_NORWOOD,
            severity=CAUTION,
            label=f"outside PRP's ideal range (Norwood II–V): Norwood {grade}",
            source="IADVL consensus: Norwood II–V ideal",
        )
    ]


def _status(reasons: Iterable[Reason]) -> str:
    severities = {r.severity for r in reasons}
    if EXCLUDE in severities:
        return INELIGIBLE
    if REVIEW in severities:
        return NEEDS_REVIEW
    return ELIGIBLE


def _found(condition: Condition, procedure: str) -> Reason:
    """A yes: the condition, with what it means for the procedure."""
    return Reason(
        code=condition.code,
        severity=condition.severities[procedure],
        label=condition.label,
        source=condition.source,
        temporary=condition.temporary,
        rescreen_days=condition.rescreen_days,
    )


def _unanswered(condition: Condition, procedure: str) -> Reason:
    """An unanswered exclusion question blocks as the exclusion would (a physician cannot clear
    it); an unanswered review question needs review of its own."""
    return Reason(
        code=unanswered_code(condition.code),
        severity=EXCLUDE if condition.severities[procedure] == EXCLUDE else REVIEW,
        label=f"not answered: {condition.label}",
        source="a missing answer is not a no",
    )


def evaluate(
    answers: Mapping[str, bool | None],
    procedure: str,
    *,
    age: int | None = None,
    scale: str | None = None,
    grade: str | None = None,
    fitzpatrick: str | None = None,
) -> Outcome:
    """Screen one procedure. A missing or None answer is not a no: it blocks until answered.

    `age` None means no date of birth is known: review for every procedure. No rule reads the
    patient's sex: the scale already says which pattern was graded.
    """
    _check_procedure(procedure)
    _check_answers(answers)
    _check_derived(scale, grade, fitzpatrick)
    applicable = [c for c in CATALOGUE if c.applies_to(procedure)]
    positive = [_found(c, procedure) for c in applicable if answers.get(c.code) is True]
    unanswered = [_unanswered(c, procedure) for c in applicable if answers.get(c.code) is None]
    reasons = (*positive, *unanswered, *_derived_reasons(procedure, age, scale, grade, fitzpatrick))
    rescreen = [r.rescreen_days for r in positive if r.temporary and r.rescreen_days is not None]
    return Outcome(
        procedure=procedure,
        status=_status(reasons),
        reasons=reasons,
        rescreen_after=min(rescreen, default=None),
    )
