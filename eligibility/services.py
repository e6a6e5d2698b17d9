"""Screening patients and answering "may this be booked for that day".

Nothing else in the app decides eligibility: booking and check-in call `eligibility_for` and
`screen_day_of`; the rules themselves are the pure functions of `eligibility.rules`.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.audit import actor
from eligibility import rules
from eligibility.models import Decision, PhysicianReview, Screening, ScreeningKind
from intake.models import IntakeQuestionnaire, Patient

# What a procedure's eligibility can be on a given day, from the booking desk's point of view.
ELIGIBLE = "eligible"
CLEARED = "cleared"
NEEDS_REVIEW = "needs_review"
AWAITING_INFORMATION = "awaiting_information"
DECLINED = "declined"
INELIGIBLE = "ineligible"
NOT_SCREENED = "not_screened"
EXPIRED = "expired"

STATUS_LABELS = {
    ELIGIBLE: "Eligible",
    CLEARED: "Cleared by physician",
    NEEDS_REVIEW: "Needs physician review",
    AWAITING_INFORMATION: "Physician asked for more information",
    DECLINED: "Declined by physician",
    INELIGIBLE: "Not eligible",
    NOT_SCREENED: "Not screened",
    EXPIRED: "Screening out of date",
}
# Bootstrap colour per status, for badges.
STATUS_COLOURS = {
    ELIGIBLE: "success",
    CLEARED: "success",
    NEEDS_REVIEW: "warning",
    AWAITING_INFORMATION: "warning",
    DECLINED: "danger",
    INELIGIBLE: "danger",
    NOT_SCREENED: "secondary",
    EXPIRED: "secondary",
}

# The session types a clinic offers by default (CLINICAL.md); scheduling stores its own.
DEFAULT_COMBINATIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Microneedling", (rules.MICRONEEDLING,)),
    ("PRP", (rules.PRP,)),
    ("PRP with microneedling", (rules.PRP, rules.MICRONEEDLING)),
    ("Laser (LLLT)", (rules.LLLT,)),
    ("Microneedling then LLLT", (rules.MICRONEEDLING, rules.LLLT)),
)


def _clinic_today() -> date:
    """Today in the clinic (TIME_ZONE is the clinic's zone)."""
    return timezone.localdate()


def _day(value: date) -> str:
    """A date as people at the desk say it: 8 Dec 2026."""
    return f"{value.day} {value:%b %Y}"


def derived_facts(patient: Patient, intake: IntakeQuestionnaire, on: date) -> dict:
    return {
        "age": patient.age_on(on),
        "sex": patient.sex,
        "scale": intake.scale or None,
        "grade": intake.grade or None,
        "fitzpatrick": intake.fitzpatrick or None,
    }


def _reason_dict(reason: rules.Reason) -> dict:
    return {
        "code": reason.code,
        "severity": reason.severity,
        "label": reason.label,
        "source": reason.source,
        "temporary": reason.temporary,
        "rescreen_days": reason.rescreen_days,
    }


def _store(
    *,
    by,
    patient: Patient,
    intake: IntakeQuestionnaire,
    answers: dict,
    kind: str,
    procedures: Iterable[str],
) -> list[Screening]:
    now = timezone.now()
    today = timezone.localtime(now).date()
    derived = derived_facts(patient, intake, today)
    screenings = []
    with transaction.atomic(), actor(by):
        # The new screenings supersede the patient's latest ones for these procedures. A
        # bookkeeping flag, left out of the audit log (see eligibility.apps).
        Screening.objects.filter(
            patient=patient, procedure__in=list(procedures), is_latest=True
        ).update(is_latest=False)
        for procedure in procedures:
            outcome = rules.evaluate(answers, procedure, **derived)
            valid_days = settings.SCREENING_VALID_DAYS
            rescreen = None
            if outcome.rescreen_after is not None:
                rescreen = today + timedelta(days=outcome.rescreen_after)
                valid_days = min(valid_days, outcome.rescreen_after)
            screening = Screening(
                patient=patient,
                intake=intake,
                kind=kind,
                procedure=procedure,
                outcome=outcome.status,
                reasons=[_reason_dict(r) for r in outcome.reasons],
                answers=dict(answers),
                derived=derived,
                ruleset_version=rules.RULESET_VERSION,
                rescreen_after=rescreen,
                valid_until=today + timedelta(days=valid_days),
                screened_at=now,
                screened_by=by,
            )
            screening.full_clean()
            screening.save()
            screenings.append(screening)
    return screenings


def screen_intake(*, by, intake: IntakeQuestionnaire) -> list[Screening]:
    """Screen a completed intake for every procedure at once (one stored row each)."""
    return _store(
        by=by,
        patient=intake.patient,
        intake=intake,
        answers=intake.answers,
        kind=ScreeningKind.INTAKE,
        procedures=rules.PROCEDURES,
    )


def screen_day_of(
    *, by, patient: Patient, answers: dict[str, bool], procedures: Iterable[str]
) -> list[Screening]:
    """Re-screen on the day: the latest intake's answers with today's scalp answers on top.

    Only the day-of questions may be given; a yes anywhere makes a new blocking screening.
    """
    extra = set(answers) - set(rules.DAY_OF_CODES)
    if extra:
        raise ValueError(f"Not day-of questions: {', '.join(sorted(extra))}")
    intake = patient.intakes.order_by("-taken_at", "-id").first()
    if intake is None:
        raise ValueError("The patient has no intake to re-screen against.")
    merged = {**intake.answers, **answers}
    return _store(
        by=by,
        patient=patient,
        intake=intake,
        answers=merged,
        kind=ScreeningKind.DAY_OF,
        procedures=procedures,
    )


@dataclass(frozen=True)
class ProcedureEligibility:
    procedure: str
    status: str
    reasons: tuple[rules.Reason, ...] = ()
    unblock: str = ""
    screening: Screening | None = None
    review: PhysicianReview | None = None
    cleared_until: date | None = None

    @property
    def ok(self) -> bool:
        return self.status in (ELIGIBLE, CLEARED)

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def colour(self) -> str:
        return STATUS_COLOURS[self.status]

    @property
    def procedure_label(self) -> str:
        return rules.PROCEDURE_LABELS[self.procedure]

    @property
    def blocking_reasons(self) -> tuple[rules.Reason, ...]:
        return tuple(r for r in self.reasons if r.severity in (rules.EXCLUDE, rules.REVIEW))

    @property
    def cautions(self) -> tuple[rules.Reason, ...]:
        return tuple(r for r in self.reasons if r.severity == rules.CAUTION)


_RANK = {
    ELIGIBLE: 0,
    CLEARED: 0,
    NEEDS_REVIEW: 1,
    AWAITING_INFORMATION: 1,
    NOT_SCREENED: 2,
    EXPIRED: 2,
    DECLINED: 3,
    INELIGIBLE: 3,
}


@dataclass(frozen=True)
class Eligibility:
    on: date
    procedures: tuple[ProcedureEligibility, ...] = field(default_factory=tuple)

    @property
    def bookable(self) -> bool:
        return all(p.ok for p in self.procedures)

    @property
    def blocking(self) -> tuple[ProcedureEligibility, ...]:
        return tuple(p for p in self.procedures if not p.ok)

    @property
    def status(self) -> str:
        """The worst status across procedures (a combined session takes the strictest)."""
        return max((p.status for p in self.procedures), key=_RANK.__getitem__)

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def colour(self) -> str:
        return STATUS_COLOURS[self.status]

    @property
    def screenings(self) -> list[Screening]:
        return [p.screening for p in self.procedures if p.screening is not None]

    @property
    def reviews(self) -> list[PhysicianReview]:
        return [p.review for p in self.procedures if p.review is not None]

    def message(self) -> str:
        """Why it cannot be booked and what would unblock it, in plain words."""
        parts = []
        for p in self.blocking:
            why = ", ".join(r.label for r in p.blocking_reasons)
            text = f"{p.procedure_label}: {p.label.lower()}"
            if why:
                text += f" ({why})"
            if p.unblock:
                text += f". {p.unblock.rstrip('.')}"
            parts.append(text)
        return "; ".join(parts)


def _procedures_of(session_type) -> tuple[str, ...]:
    procedures = getattr(session_type, "procedures", session_type)
    if isinstance(procedures, str):
        procedures = (procedures,)
    procedures = tuple(procedures)
    for procedure in procedures:
        if procedure not in rules.PROCEDURES:
            raise ValueError(f"Unknown procedure {procedure!r}")
    return procedures


def _latest_screenings(patient: Patient) -> dict[str, Screening]:
    latest: dict[str, Screening] = {}
    for screening in patient.screenings.select_related("screened_by").order_by(
        "-screened_at", "-id"
    ):
        latest.setdefault(screening.procedure, screening)
        if len(latest) == len(rules.PROCEDURES):
            break
    return latest


def _procedure_eligibility(
    procedure: str,
    screening: Screening | None,
    reviews: list[PhysicianReview],
    on: date,
) -> ProcedureEligibility:
    if screening is None:
        return ProcedureEligibility(
            procedure, NOT_SCREENED, unblock="Take the intake questionnaire to screen the patient."
        )
    reasons = tuple(screening.reason_objects)
    base = {"screening": screening, "reasons": reasons}
    if screening.valid_until < on:
        return ProcedureEligibility(
            procedure,
            EXPIRED,
            unblock=f"The screening was valid until {_day(screening.valid_until)}; "
            "take a new intake to re-screen.",
            **base,
        )
    if screening.outcome == rules.ELIGIBLE:
        return ProcedureEligibility(procedure, ELIGIBLE, **base)
    if screening.outcome == rules.INELIGIBLE:
        if screening.rescreen_after:
            unblock = (
                f"Re-screen from {_day(screening.rescreen_after)} with a new intake, "
                "once the condition has gone."
            )
        else:
            unblock = "Not for this patient while the condition lasts; a new intake re-screens."
        return ProcedureEligibility(procedure, INELIGIBLE, unblock=unblock, **base)
    # needs_review: the newest decision on this intake's answers, or a clearance covering them.
    for review in reviews:
        same_answers = review.screening.intake_id == screening.intake_id
        if review.decision == Decision.DECLINED and same_answers:
            return ProcedureEligibility(
                procedure,
                DECLINED,
                review=review,
                unblock="Declined by the physician; only new intake answers re-open it.",
                **base,
            )
        if (
            review.decision == Decision.CLEARED
            and review.cleared_until >= on
            and screening.review_codes <= set(review.codes)
        ):
            return ProcedureEligibility(
                procedure, CLEARED, review=review, cleared_until=review.cleared_until, **base
            )
        if review.decision == Decision.MORE_INFO and review.screening_id == screening.pk:
            return ProcedureEligibility(
                procedure,
                AWAITING_INFORMATION,
                review=review,
                unblock="The physician asked for more information; update the intake.",
                **base,
            )
    expired_clearance = next(
        (r for r in reviews if r.decision == Decision.CLEARED and r.cleared_until < on), None
    )
    unblock = "A physician must review and clear it."
    if expired_clearance is not None:
        unblock = (
            f"The clearance ran out on {_day(expired_clearance.cleared_until)}; "
            "a physician must clear it again."
        )
    return ProcedureEligibility(procedure, NEEDS_REVIEW, unblock=unblock, **base)


def _procedure_map(
    patient: Patient, procedures: tuple[str, ...], on: date
) -> tuple[dict[str, ProcedureEligibility], list[PhysicianReview]]:
    latest = _latest_screenings(patient)
    reviews = list(
        PhysicianReview.objects.filter(patient=patient, procedure__in=procedures)
        .select_related("screening", "decided_by")
        .order_by("-decided_at", "-id")
    )
    reviews_by_procedure: dict[str, list[PhysicianReview]] = {p: [] for p in procedures}
    for review in reviews:
        reviews_by_procedure[review.procedure].append(review)
    by_procedure = {
        p: _procedure_eligibility(p, latest.get(p), reviews_by_procedure[p], on) for p in procedures
    }
    return by_procedure, reviews


def eligibility_for(patient: Patient, session_type, *, on: date | None = None) -> Eligibility:
    """May a session of this type (or these procedures) be booked for the patient on `on`?

    Combines the latest screening per procedure with any physician decision. `session_type` is
    anything with a `procedures` sequence, or a sequence of procedure codes.
    """
    on = on or _clinic_today()
    procedures = _procedures_of(session_type)
    by_procedure, _ = _procedure_map(patient, procedures, on)
    return Eligibility(on=on, procedures=tuple(by_procedure[p] for p in procedures))


@dataclass(frozen=True)
class EligibilitySummary:
    """What the patient page shows: each procedure, and each session type built from them."""

    on: date
    procedures: tuple[ProcedureEligibility, ...]
    combinations: tuple[tuple[str, Eligibility], ...]
    reviews: tuple[PhysicianReview, ...] = ()  # every decision for the patient, newest first


def eligibility_summary(
    patient: Patient, *, on: date | None = None, combinations=DEFAULT_COMBINATIONS
) -> EligibilitySummary:
    """Every procedure and combination at once, from one read of screenings and reviews."""
    on = on or _clinic_today()
    by_procedure, reviews = _procedure_map(patient, rules.PROCEDURES, on)
    combos = tuple(
        (name, Eligibility(on=on, procedures=tuple(by_procedure[p] for p in procedures)))
        for name, procedures in combinations
    )
    return EligibilitySummary(
        on=on,
        procedures=tuple(by_procedure[p] for p in rules.PROCEDURES),
        combinations=combos,
        reviews=tuple(reviews),
    )


def review_decide(
    *,
    by,
    screening: Screening,
    decision: str,
    note: str,
    cleared_until: date | None = None,
) -> PhysicianReview:
    """Record a physician's decision. A clearance never lifts an exclusion, whatever is posted."""
    if not by.has_perm("eligibility.review_screening"):
        raise ValidationError("Only a physician can review a screening.")
    if decision not in Decision.values:
        raise ValidationError({"decision": "Choose clear, decline or ask for more information."})
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "A note is required for every decision."})
    if screening.outcome != rules.NEEDS_REVIEW:
        raise ValidationError("Only a screening that needs review can be decided.")
    today = _clinic_today()
    if decision == Decision.CLEARED:
        if screening.has_exclusion:
            raise ValidationError(
                "This screening has a hard exclusion; a physician cannot clear it."
            )
        cleared_until = cleared_until or screening.valid_until
        if cleared_until < today:
            raise ValidationError({"cleared_until": "The clearance must end today or later."})
        if cleared_until > today + timedelta(days=366):
            raise ValidationError({"cleared_until": "A clearance lasts a year at most."})
    else:
        cleared_until = None
    review = PhysicianReview(
        screening=screening,
        patient_id=screening.patient_id,
        procedure=screening.procedure,
        decision=decision,
        codes=sorted(screening.review_codes),
        cleared_until=cleared_until,
        note=note,
        decided_by=by,
    )
    review.full_clean()
    with transaction.atomic(), actor(by):
        review.save()
    return review
