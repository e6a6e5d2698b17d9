"""Screening patients, recording physicians' decisions, and answering "may this go ahead on
that day".

Nothing here decides: `eligibility.rules` screens a set of answers and `eligibility.lifecycle`
says what a patient's whole history means on a day. These services load the history, call them
and store the results. Every step of a session (booking, moving, check-in, start, charting,
completion) asks `eligibility_for`, and every write here sends `eligibility_changed` so booked
sessions can be re-checked at once.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from core.audit import actor
from eligibility import lifecycle, rules
from eligibility.lifecycle import (
    AWAITING_INFORMATION,
    CLEARED,
    DECLINED,
    ELIGIBLE,
    EXPIRED,
    INELIGIBLE,
    NEEDS_REVIEW,
    NOT_SCREENED,
    STATUS_LABELS,
    day_words,
    upper_first,
)
from eligibility.models import Decision, PhysicianReview, PlanSignOff, Screening, ScreeningKind
from intake.models import IntakeQuestionnaire, Patient
from treatments.selectors import offered_session_types

__all__ = [
    "AWAITING_INFORMATION",
    "CLEARED",
    "DECLINED",
    "ELIGIBLE",
    "EXPIRED",
    "INELIGIBLE",
    "NEEDS_REVIEW",
    "NOT_SCREENED",
    "STATUS_LABELS",
]

# Sent (inside the writing transaction) whenever what a patient may have could have changed:
# scheduling re-checks the patient's booked sessions. Arguments: patient, by.
eligibility_changed = Signal()

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

SIGNOFF_NEEDED = (
    "Same-day microneedling then LLLT needs a physician's sign-off on the patient's plan."
)


def refusal(message: str, code: str, **params: Any) -> ValidationError:
    """A refusal a page can link to its fix: the words for the user, and a `code` and `params`
    (ids, never names or URLs) saying what would fix it; scheduling.refusals draws the links.

    Django formats a message with its params (`message % params`), so a "%" in the words (a
    room named "50% room") is doubled to come out as written.
    """
    if not params:
        return ValidationError(message, code=code)
    return ValidationError(message.replace("%", "%%"), code=code, params=params)


def _clinic_today() -> date:
    """Today in the clinic (TIME_ZONE is the clinic's zone)."""
    return timezone.localdate()


def policy() -> lifecycle.Policy:
    """The lifecycle's settings (validated by eligibility.checks)."""
    return lifecycle.Policy(
        tz=ZoneInfo(settings.TIME_ZONE),
        valid_days=settings.SCREENING_VALID_DAYS,
        rescreen_days=dict(settings.SCREENING_RESCREEN_DAYS),
        ruleset_version=rules.RULESET_VERSION,
    )


# ---- loading a patient's history ----------------------------------------------------------


def _who(user) -> str:
    if user is None:
        return "the system"
    return user.get_full_name() or user.get_username()


def _times(answered_at: dict, fallback: datetime) -> dict[str, datetime]:
    if not answered_at:
        return dict.fromkeys(rules.CATALOGUE_BY_CODE, fallback)
    return {code: datetime.fromisoformat(at) for code, at in answered_at.items()}


def _screening_record(screening: Screening) -> lifecycle.ScreeningRecord:
    return lifecycle.ScreeningRecord(
        id=screening.pk,
        at=screening.screened_at,
        procedure=screening.procedure,
        answers=screening.answers,
        answered_at=_times(screening.answered_at, screening.screened_at),
        reasons=tuple(screening.reason_objects),
        ruleset_version=screening.ruleset_version,
        derived=screening.derived or {},
        details=screening.details or {},
    )


def _decision_record(review: PhysicianReview) -> lifecycle.DecisionRecord:
    return lifecycle.DecisionRecord(
        id=review.pk,
        at=review.decided_at,
        procedure=review.procedure,
        kind=review.decision,
        codes=tuple(review.codes),
        facts=review.facts or {},
        details=review.details or {},
        until=review.cleared_until,
        by=_who(review.decided_by),
    )


def _signoff_record(signoff: PlanSignOff) -> lifecycle.SignOffRecord:
    return lifecycle.SignOffRecord(
        id=signoff.pk,
        at=signoff.signed_at,
        until=signoff.until,
        ended_at=signoff.ended_at,
        by=_who(signoff.signed_by),
    )


@dataclass(frozen=True)
class PatientHistory:
    """A patient's screenings, decisions and sign-offs: the rows, and the lifecycle's view."""

    screenings: tuple[Screening, ...]
    reviews: tuple[PhysicianReview, ...]
    signoffs: tuple[PlanSignOff, ...]
    history: lifecycle.History

    @classmethod
    def load(cls, patient: Patient) -> "PatientHistory":
        """Three queries, however long the history."""
        screenings = tuple(
            patient.screenings.select_related("screened_by").order_by("screened_at", "id")
        )
        reviews = tuple(
            PhysicianReview.objects.filter(patient=patient)
            .select_related("decided_by")
            .order_by("decided_at", "id")
        )
        signoffs = tuple(
            PlanSignOff.objects.filter(patient=patient)
            .select_related("signed_by", "ended_by")
            .order_by("signed_at", "id")
        )
        history = lifecycle.History(
            screenings=tuple(_screening_record(s) for s in screenings),
            decisions=tuple(_decision_record(r) for r in reviews),
            signoffs=tuple(_signoff_record(s) for s in signoffs),
        )
        return cls(screenings, reviews, signoffs, history)

    def screening(self, pk: int | None) -> Screening | None:
        return next((s for s in self.screenings if s.pk == pk), None)

    def review(self, pk: int | None) -> PhysicianReview | None:
        return next((r for r in self.reviews if r.pk == pk), None)

    def signoff(self, pk: int | None) -> PlanSignOff | None:
        return next((s for s in self.signoffs if s.pk == pk), None)

    def latest(self, procedure: str) -> Screening | None:
        return next((s for s in reversed(self.screenings) if s.procedure == procedure), None)


# ---- screening --------------------------------------------------------------------------------


def derived_facts(patient: Patient, intake: IntakeQuestionnaire, on: date) -> dict:
    """The facts besides the answers that the rules read (`rules.evaluate`'s keywords)."""
    return {
        "age": patient.age_on(on) if patient.date_of_birth else None,
        "scale": intake.scale or None,
        "grade": intake.grade or None,
        "fitzpatrick": intake.fitzpatrick or None,
    }


def intake_details(intake: IntakeQuestionnaire) -> dict[str, str]:
    """The free text a clearance binds to (which blood thinner, which allergy)."""
    return {
        "medications": intake.medications.strip(),
        "allergies": intake.allergies.strip(),
        "medical_details": intake.medical_details.strip(),
    }


def _rescreen_after(reasons: Iterable[rules.Reason], answered_at, pol) -> date | None:
    days = [
        pol.day(answered_at[r.code]) + timedelta(days=pol.rescreen_for(r.code))
        for r in reasons
        if r.temporary and r.code in rules.CATALOGUE_BY_CODE and r.code in answered_at
    ]
    return min(days, default=None)


@dataclass(frozen=True)
class _Sitting:
    """One set of answers, screened for every procedure at once."""

    by: Any
    patient: Patient
    intake: IntakeQuestionnaire
    kind: str
    answers: dict
    answered_at: dict[str, datetime]


def _store(sitting: _Sitting) -> list[Screening]:
    """Screen the answers for every procedure and store each with the lifecycle's verdict."""
    now = timezone.now()
    pol = policy()
    today = pol.day(now)
    facts = derived_facts(sitting.patient, sitting.intake, today)
    with transaction.atomic(), actor(sitting.by):
        history = PatientHistory.load(sitting.patient).history
        # The new screenings supersede the patient's latest ones. A bookkeeping flag, left out
        # of the audit log (see eligibility.apps).
        Screening.objects.filter(patient=sitting.patient, is_latest=True).update(is_latest=False)
        screenings = []
        for procedure in rules.PROCEDURES:
            outcome = rules.evaluate(sitting.answers, procedure, **facts)
            record = _new_record(sitting, outcome, now, facts)
            history = replace(history, screenings=(*history.screenings, record))
            verdict = lifecycle.assess_procedure(history, procedure, today, pol)
            screenings.append(_screening_save(sitting, record, outcome, verdict, pol))
        eligibility_changed.send(sender=Screening, patient=sitting.patient, by=sitting.by)
    return screenings


def _new_record(
    sitting: _Sitting, outcome: rules.Outcome, at: datetime, facts: dict
) -> lifecycle.ScreeningRecord:
    """The lifecycle's view of a screening about to be stored."""
    return lifecycle.ScreeningRecord(
        id=None,
        at=at,
        procedure=outcome.procedure,
        answers=sitting.answers,
        answered_at=sitting.answered_at,
        reasons=outcome.reasons,
        ruleset_version=rules.RULESET_VERSION,
        # Stored with the patient's sex as it was, for the record; no rule reads it.
        derived={**facts, "sex": sitting.patient.sex},
        details=intake_details(sitting.intake),
    )


def _screening_save(
    sitting: _Sitting,
    record: lifecycle.ScreeningRecord,
    outcome: rules.Outcome,
    verdict: lifecycle.Assessment,
    pol: lifecycle.Policy,
) -> Screening:
    """Store a screening with everything it was decided on, and the lifecycle's verdict."""
    screening = Screening(
        patient=sitting.patient,
        intake=sitting.intake,
        kind=sitting.kind,
        procedure=record.procedure,
        outcome=outcome.status,
        status=verdict.status,
        current_status=verdict.status,
        status_until=verdict.cleared_until,
        reasons=[_reason_dict(r) for r in record.reasons],
        answers=dict(record.answers),
        answered_at={code: at.isoformat() for code, at in record.answered_at.items()},
        details=record.details,
        derived=record.derived,
        ruleset_version=record.ruleset_version,
        rescreen_after=_rescreen_after(record.reasons, record.answered_at, pol),
        valid_until=lifecycle.valid_through(record.answered_at, record.reasons, pol),
        screened_at=record.at,
        screened_by=sitting.by,
    )
    screening.full_clean()
    screening.save()
    return screening


def _reason_dict(reason: rules.Reason) -> dict:
    return {
        "code": reason.code,
        "severity": reason.severity,
        "label": reason.label,
        "source": reason.source,
        "temporary": reason.temporary,
        "rescreen_days": reason.rescreen_days,
    }


def screen_intake(*, by, intake: IntakeQuestionnaire) -> list[Screening]:
    """Screen a completed intake for every procedure at once (one stored row each)."""
    taken = intake.taken_at
    return _store(
        _Sitting(
            by=by,
            patient=intake.patient,
            intake=intake,
            kind=ScreeningKind.INTAKE,
            answers=intake.answers,
            answered_at=dict.fromkeys(intake.answers, taken),
        )
    )


def _latest_answers(patient: Patient) -> tuple[dict, dict[str, datetime], Screening | None]:
    """Each question's newest answer and when it was given, across the latest screenings."""
    answers: dict = {}
    times: dict[str, datetime] = {}
    latest = list(patient.screenings.filter(is_latest=True).select_related("intake"))
    for screening in latest:
        for code, at in _times(screening.answered_at, screening.screened_at).items():
            if code in screening.answers and (code not in times or at > times[code]):
                answers[code], times[code] = screening.answers[code], at
    newest = max(latest, key=lambda s: (s.screened_at, s.pk), default=None)
    return answers, times, newest


def screen_day_of(
    *, by, patient: Patient, answers: dict[str, bool], kind: str = ScreeningKind.DAY_OF
) -> list[Screening]:
    """Re-screen on the day: today's scalp answers on top of the earlier ones.

    Only the day-of questions are asked, so only they are renewed: the other answers keep their
    age and the screening's validity still runs from the oldest (lifecycle rule 1). Every
    procedure is screened, since a scalp finding today concerns all of them. `kind` PRE_VISIT:
    the patient's own answers before the visit (`by` None), stored like the desk's.
    """
    extra = set(answers) - set(rules.DAY_OF_CODES)
    if extra:
        raise ValueError(f"Not day-of questions: {', '.join(sorted(extra))}")
    base, times, newest = _latest_answers(patient)
    intake = newest.intake if newest else patient.intakes.order_by("-taken_at", "-id").first()
    if intake is None:
        raise refusal(
            "The patient has no intake to re-screen against; take the intake questionnaire.",
            HoldKind.INTAKE,
            patient=patient.pk,
        )
    if not base:
        base, times = dict(intake.answers), dict.fromkeys(intake.answers, intake.taken_at)
    now = timezone.now()
    return _store(
        _Sitting(
            by=by,
            patient=patient,
            intake=intake,
            kind=kind,
            answers={**base, **answers},
            answered_at={**times, **dict.fromkeys(answers, now)},
        )
    )


def _restore(*, by, patient: Patient, kind: str) -> list[Screening]:
    """Screen the patient's latest answers again, unchanged and as old as they were."""
    answers, times, newest = _latest_answers(patient)
    if newest is None:
        return []
    sitting = _Sitting(
        by=by, patient=patient, intake=newest.intake, kind=kind, answers=answers, answered_at=times
    )
    return _store(sitting)


def screen_facts_changed(*, by, patient: Patient) -> list[Screening]:
    """A corrected birth date or sex re-screens at once (lifecycle rule 7)."""
    return _restore(by=by, patient=patient, kind=ScreeningKind.FACTS_CHANGED)


def screen_rules_updated() -> int:
    """Re-evaluate, on their stored answers, the patients screened under an older rule set
    (lifecycle rule 8). Run by `migrate` (eligibility.apps) and `manage.py rescreen`.

    Returns how many patients were re-screened.
    """
    outdated = (
        Screening.objects.filter(is_latest=True)
        .exclude(ruleset_version=rules.RULESET_VERSION)
        .values_list("patient_id", flat=True)
        .distinct()
    )
    count = 0
    for patient in Patient.objects.filter(pk__in=list(outdated)).order_by("pk").iterator():
        _restore(by=None, patient=patient, kind=ScreeningKind.RULES_UPDATED)
        count += 1
    return count


# ---- the question every step asks ----------------------------------------------------------


class _StatusShown:
    """The words and badge colour of a `status`, for the pages."""

    status: str

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def colour(self) -> str:
        return STATUS_COLOURS[self.status]


class HoldKind(StrEnum):
    """What ends a hold on a procedure, so a page can link the step (a refusal's code)."""

    INTAKE = "intake"  # never screened: the intake questionnaire
    RESCREEN = "rescreen"  # out of date, older rules, or a re-screen date reached: a new intake
    ANSWERS = "answers"  # an unanswered exclusion, or a physician asked for more: the intake
    REVIEW = "review"  # a physician reviews the screening
    DECLINED = "declined"  # only a physician decides again
    EXCLUSION = "exclusion"  # a physician may lift it: resolved on examination, entered in error
    SIGNOFF = "signoff"  # same-day microneedling then LLLT: a physician's sign-off


@dataclass(frozen=True)
class Hold:
    """One thing that stops a session, as ids: which procedure, which screening (and the intake
    it was taken from). Pages turn it into the step that ends it; services never see a URL."""

    kind: HoldKind
    procedure: str = ""
    screening: int | None = None
    intake: int | None = None


@dataclass(frozen=True)
class ProcedureEligibility(_StatusShown):
    procedure: str
    status: str
    reasons: tuple[rules.Reason, ...] = ()
    unblock: str = ""
    screening: Screening | None = None
    review: PhysicianReview | None = None
    cleared_until: date | None = None
    assessment: lifecycle.Assessment | None = None

    @property
    def ok(self) -> bool:
        return self.status in lifecycle.OK_STATUSES

    @property
    def procedure_label(self) -> str:
        return rules.PROCEDURE_LABELS[self.procedure]

    @property
    def blocking_reasons(self) -> tuple[rules.Reason, ...]:
        return tuple(r for r in self.reasons if r.severity in (rules.EXCLUDE, rules.REVIEW))

    @property
    def cautions(self) -> tuple[rules.Reason, ...]:
        return tuple(r for r in self.reasons if r.severity == rules.CAUTION)

    @property
    def valid_through(self) -> date | None:
        return self.assessment.valid_through if self.assessment else None

    def holds(self, today: date) -> tuple[Hold, ...]:
        """What would end each block, in order, once each; `today` tells whether a temporary
        exclusion's re-screen date has come (a new intake then ends it if the finding is over)."""
        screening = self.screening
        ids = {
            "procedure": self.procedure,
            "screening": screening.pk if screening else None,
            "intake": screening.intake_id if screening else None,
        }
        if self.status == NOT_SCREENED:
            kinds = [HoldKind.INTAKE]
        elif self.status == EXPIRED:
            kinds = [HoldKind.RESCREEN]
        else:
            blocks = self.assessment.blocks if self.assessment else ()
            kinds = [kind for b in blocks for kind in _hold_kinds(self.status, b, today)]
        return tuple(Hold(kind, **ids) for kind in dict.fromkeys(kinds))


def _hold_kinds(status: str, block: lifecycle.Block, today: date) -> list[HoldKind]:
    if status == DECLINED:
        return [HoldKind.DECLINED]
    if status == INELIGIBLE:
        if block.reason.code not in rules.CATALOGUE_BY_CODE:
            return [HoldKind.ANSWERS]
        if block.lifts_on is not None and block.lifts_on <= today:
            return [HoldKind.RESCREEN, HoldKind.EXCLUSION]
        return [HoldKind.EXCLUSION]
    if block.decision is not None and block.decision.kind == lifecycle.MORE_INFO:
        return [HoldKind.ANSWERS]
    return [HoldKind.REVIEW]


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
class Eligibility(_StatusShown):
    on: date
    procedures: tuple[ProcedureEligibility, ...] = field(default_factory=tuple)
    signoff: lifecycle.SignOffAssessment = field(
        default_factory=lambda: lifecycle.SignOffAssessment(needed=False)
    )
    signoff_row: PlanSignOff | None = None

    @property
    def bookable(self) -> bool:
        return all(p.ok for p in self.procedures) and self.signoff.ok

    @property
    def blocking(self) -> tuple[ProcedureEligibility, ...]:
        return tuple(p for p in self.procedures if not p.ok)

    @property
    def status(self) -> str:
        """The worst status across procedures (a combined session takes the strictest)."""
        worst = max((p.status for p in self.procedures), key=_RANK.__getitem__)
        if worst in lifecycle.OK_STATUSES and not self.signoff.ok:
            return NEEDS_REVIEW
        return worst

    @property
    def screenings(self) -> list[Screening]:
        return [p.screening for p in self.procedures if p.screening is not None]

    @property
    def reviews(self) -> list[PhysicianReview]:
        return [p.review for p in self.procedures if p.review is not None]

    def holds(self) -> tuple[Hold, ...]:
        """What stops it, procedure by procedure, for a refusal's params (see `Hold`)."""
        today = _clinic_today()
        found = [hold for p in self.blocking for hold in p.holds(today)]
        if not self.signoff.ok:
            found.append(Hold(HoldKind.SIGNOFF))
        return tuple(found)

    def message(self) -> str:
        """Why it cannot go ahead and what would unblock it, in plain words; procedures held up
        by the same thing are named together."""
        said: dict[tuple[str, str], list[str]] = {}
        for p in self.blocking:
            why = ", ".join(r.label for r in p.blocking_reasons)
            detail = p.unblock.rstrip(".") if p.unblock else (f"({why})" if why else "")
            said.setdefault((p.label.lower(), detail), []).append(p.procedure_label)
        parts = []
        for (label, detail), procedures in said.items():
            names = " and ".join(procedures)
            text = f"{upper_first(names)}: {label}"
            if detail:
                text += f". {detail}" if not detail.startswith("(") else f" {detail}"
            parts.append(text)
        if not self.signoff.ok:
            parts.append(SIGNOFF_NEEDED.rstrip("."))
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


_NOT_SCREENED_UNBLOCK = "Take the intake questionnaire to screen the patient."


def _procedure_eligibility(
    loaded: PatientHistory, verdict: lifecycle.Assessment
) -> ProcedureEligibility:
    unblock = " ".join(b.lifted_by for b in verdict.blocks)
    if verdict.status == NOT_SCREENED:
        unblock = _NOT_SCREENED_UNBLOCK
    decision = verdict.decision
    return ProcedureEligibility(
        procedure=verdict.procedure,
        status=verdict.status,
        reasons=verdict.reasons,
        unblock=unblock,
        screening=loaded.screening(verdict.screening.id) if verdict.screening else None,
        review=loaded.review(decision.id) if decision else None,
        cleared_until=verdict.cleared_until,
        assessment=verdict,
    )


def _eligibility(
    loaded: PatientHistory, procedures: tuple[str, ...], on: date, pol=None
) -> Eligibility:
    verdicts, signoff = lifecycle.assess(
        loaded.history, procedures, on, pol or policy(), timezone.now()
    )
    return Eligibility(
        on=on,
        procedures=tuple(_procedure_eligibility(loaded, v) for v in verdicts),
        signoff=signoff,
        signoff_row=loaded.signoff(signoff.signoff.id) if signoff.signoff else None,
    )


def eligibility_for(patient: Patient, session_type, *, on: date | None = None) -> Eligibility:
    """May a session of this type (or these procedures) go ahead for the patient on `on`?

    The one question every step asks. `session_type` is anything with a `procedures`
    sequence, or a sequence of procedure codes.
    """
    on = on or _clinic_today()
    return _eligibility(PatientHistory.load(patient), _procedures_of(session_type), on)


def eligibility_on_days(
    patient: Patient, requests: Iterable[tuple[object, date]]
) -> list[Eligibility]:
    """The same question for several (session type, day) pairs, from one read of the history."""
    loaded = PatientHistory.load(patient)
    pol = policy()
    return [_eligibility(loaded, _procedures_of(t), day, pol) for t, day in requests]


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # "screening", "decision" or "signoff"
    who: str
    what: str
    until: date | None = None
    note: str = ""


@dataclass(frozen=True)
class EligibilitySummary:
    """What the patient page shows: each procedure, and each session type built from them."""

    on: date
    procedures: tuple[ProcedureEligibility, ...]
    combinations: tuple[tuple[str, Eligibility], ...]
    reviews: tuple[PhysicianReview, ...] = ()  # every decision for the patient, newest first
    timeline: tuple[TimelineEntry, ...] = ()
    signoff: PlanSignOff | None = None


def _timeline(loaded: PatientHistory) -> tuple[TimelineEntry, ...]:
    """Everything that happened to the patient's eligibility, newest first."""
    entries = [*_screening_entries(loaded), *_decision_entries(loaded), *_signoff_entries(loaded)]
    return tuple(sorted(entries, key=lambda e: e.at, reverse=True))


def _screening_entries(loaded: PatientHistory) -> Iterable[TimelineEntry]:
    """One entry for the procedures screened together (same moment, same kind)."""
    by_moment: dict[tuple, list[Screening]] = {}
    for screening in loaded.screenings:
        by_moment.setdefault((screening.screened_at, screening.kind), []).append(screening)
    for (at, _), group in by_moment.items():
        first = group[0]
        outcomes = "; ".join(
            f"{s.get_procedure_display()}: {s.get_status_display() or s.get_outcome_display()}"
            for s in group
        )
        found = sorted({r["label"] for s in group for r in s.reasons if r["severity"] != "caution"})
        what = f"{first.get_kind_display()} screening — {outcomes}"
        if found:
            what += f" (found: {', '.join(found)})"
        who = "the patient" if first.kind == ScreeningKind.PRE_VISIT else _who(first.screened_by)
        yield TimelineEntry(at, "screening", who, what, first.valid_until)


def _decision_entries(loaded: PatientHistory) -> Iterable[TimelineEntry]:
    for review in loaded.reviews:
        codes = ", ".join(_code_label(c) for c in review.codes)
        yield TimelineEntry(
            review.decided_at,
            "decision",
            _who(review.decided_by),
            f"{review.get_decision_display()}: {review.get_procedure_display()} ({codes})",
            review.cleared_until,
            review.note,
        )


def _signoff_entries(loaded: PatientHistory) -> Iterable[TimelineEntry]:
    for signoff in loaded.signoffs:
        yield TimelineEntry(
            signoff.signed_at,
            "signoff",
            _who(signoff.signed_by),
            "Signed off same-day microneedling then LLLT",
            signoff.until,
            signoff.note,
        )
        if signoff.ended_at:
            yield TimelineEntry(
                signoff.ended_at,
                "signoff",
                _who(signoff.ended_by),
                "Ended the same-day microneedling then LLLT sign-off",
                note=signoff.end_note,
            )


def _code_label(code: str) -> str:
    answered = rules.answered_code(code)
    if answered is None:
        return code.replace("_", " ")
    label = rules.CATALOGUE_BY_CODE[answered].label
    return label if answered == code else f"not answered: {label}"


def eligibility_summary(patient: Patient, *, on: date | None = None) -> EligibilitySummary:
    """Every procedure and every session type the clinic offers, from one read of the history
    (and one of the session types)."""
    on = on or _clinic_today()
    loaded = PatientHistory.load(patient)
    pol = policy()
    by_procedure = {
        p.procedure: p for p in _eligibility(loaded, rules.PROCEDURES, on, pol).procedures
    }
    combos = tuple(
        (name, _eligibility(loaded, procedures, on, pol))
        for name, procedures in offered_session_types()
    )
    signoff = lifecycle.assess_signoff(
        loaded.history, lifecycle.SIGNOFF_PROCEDURES, on, timezone.now()
    )
    return EligibilitySummary(
        on=on,
        procedures=tuple(by_procedure[p] for p in rules.PROCEDURES),
        combinations=combos,
        reviews=tuple(reversed(loaded.reviews)),
        timeline=_timeline(loaded),
        signoff=loaded.signoff(signoff.signoff.id) if signoff.signoff else None,
    )


# ---- physicians' decisions --------------------------------------------------------------------


def decidable_codes(patient: Patient, procedure: str, decision: str) -> list[str]:
    """The reasons of a procedure a decision of this kind may name today."""
    loaded = PatientHistory.load(patient)
    return _decidable(loaded, procedure, decision, _clinic_today())


def _decidable(loaded: PatientHistory, procedure: str, decision: str, on: date) -> list[str]:
    pol = policy()
    verdict = lifecycle.assess_procedure(loaded.history, procedure, on, pol)
    if decision in lifecycle.LIFTS:
        screenings = [s for s in loaded.history.screenings if s.procedure == procedure]
        decisions = [d for d in loaded.history.decisions if d.procedure == procedure]
        codes = set(lifecycle.open_findings(screenings, decisions, pol))
        if verdict.status == DECLINED:
            codes |= {
                b.reason.code for b in verdict.blocks if b.reason.code in rules.CATALOGUE_BY_CODE
            }
        return sorted(codes)
    if verdict.status not in (NEEDS_REVIEW, AWAITING_INFORMATION, DECLINED, CLEARED):
        return []
    codes = [b.reason.code for b in verdict.blocks]
    if verdict.status == CLEARED:
        codes = [c for d in verdict.clearances for c in d.codes]
    if decision == lifecycle.CLEAR:
        codes = [c for c in codes if _severity(verdict, c) == rules.REVIEW]
    return sorted(set(codes))


def _severity(verdict: lifecycle.Assessment, code: str) -> str:
    return next((b.reason.severity for b in verdict.blocks if b.reason.code == code), rules.REVIEW)


def _clearance_end(
    verdict: lifecycle.Assessment, codes: list[str], asked: date | None, today: date
) -> date:
    temporary = any(lifecycle.is_temporary_reason(c) for c in codes)
    limit = today + timedelta(days=lifecycle.MAX_LASTING_CLEARANCE_DAYS)
    if temporary and verdict.valid_through is not None:
        limit = min(limit, verdict.valid_through)
    until = asked or limit
    if until < today:
        raise ValidationError({"cleared_until": "The clearance must end today or later."})
    if until > limit:
        kind = "a temporary reason" if temporary else "a lasting reason"
        raise ValidationError(
            {"cleared_until": f"A clearance of {kind} can last until {day_words(limit)} at most."}
        )
    return until


def _check_decision(by, decision: str, note: str) -> str:
    if not by.has_perm("eligibility.review_screening"):
        raise ValidationError("Only a physician can record this decision.")
    if decision not in Decision.values:
        raise ValidationError({"decision": "Choose one of the decisions offered."})
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "A note is required for every decision."})
    return note


def decision_record(
    *,
    by,
    patient: Patient,
    procedure: str,
    decision: str,
    note: str,
    codes: Iterable[str] | None = None,
    cleared_until: date | None = None,
) -> list[PhysicianReview]:
    """Record a physician's decision on reasons of a procedure (all it may name, by default).

    A clearance never lifts an exclusion and binds to the facts it saw. *Resolved on
    examination* and *entered in error* lift the named findings for every procedure they block.
    """
    note = _check_decision(by, decision, note)
    if procedure not in rules.PROCEDURES:
        raise ValidationError(f"Unknown procedure {procedure!r}.")
    today = _clinic_today()
    asked = _Asked(by=by, decision=decision, note=note, cleared_until=cleared_until, today=today)
    with transaction.atomic(), actor(by):
        loaded = PatientHistory.load(patient)
        targets = _targets(loaded, procedure, decision, codes, today)
        reviews = [_save_decision(asked, loaded, p, named) for p, named in targets.items()]
        _refresh_status(patient, list(targets), today)
        eligibility_changed.send(sender=PhysicianReview, patient=patient, by=by)
    return reviews


def _targets(
    loaded: PatientHistory,
    procedure: str,
    decision: str,
    codes: Iterable[str] | None,
    today: date,
) -> dict[str, list[str]]:
    """The codes the decision names (all it may name, by default), checked, by procedure: a lift
    concerns the scalp, so it reaches every procedure the same findings block."""
    allowed = _decidable(loaded, procedure, decision, today)
    chosen = sorted(set(codes)) if codes else allowed
    _check_codes(loaded, procedure, decision, chosen, allowed, today)
    targets = {procedure: chosen}
    if decision in lifecycle.LIFTS:
        for other in rules.PROCEDURES:
            shared = set(chosen) & set(_decidable(loaded, other, decision, today))
            if other != procedure and shared:
                targets[other] = sorted(shared)
    return targets


def _check_codes(loaded, procedure, decision, chosen, allowed, today) -> None:
    if not allowed:
        if decision == lifecycle.CLEAR:
            verdict = lifecycle.assess_procedure(loaded.history, procedure, today, policy())
            if verdict.status == INELIGIBLE:
                raise ValidationError(
                    "An exclusion stands; a physician cannot clear it. Record it resolved on "
                    "examination or entered in error if it is over or was wrong."
                )
        raise ValidationError("There is nothing of this kind to decide for this procedure.")
    unknown = set(chosen) - set(allowed)
    if unknown:
        labels = ", ".join(_code_label(c) for c in sorted(unknown))
        if decision == lifecycle.CLEAR:
            raise ValidationError(
                {"codes": f"These cannot be cleared (an exclusion, or not open): {labels}."}
            )
        raise ValidationError({"codes": f"Not open for this decision: {labels}."})


@dataclass(frozen=True)
class _Asked:
    """A physician's decision as asked, before it is stored for each procedure it reaches."""

    by: Any
    decision: str
    note: str
    cleared_until: date | None
    today: date


def _save_decision(
    asked: _Asked, loaded: PatientHistory, procedure: str, codes: list[str]
) -> PhysicianReview:
    latest = loaded.latest(procedure)
    if latest is None:
        raise ValidationError("The patient has not been screened for this procedure.")
    pol = policy()
    verdict = lifecycle.assess_procedure(loaded.history, procedure, asked.today, pol)
    record = _screening_record(latest)
    facts = lifecycle.current_facts(record)
    until = None
    if asked.decision == lifecycle.CLEAR:
        until = _clearance_end(verdict, codes, asked.cleared_until, asked.today)
    review = PhysicianReview(
        screening=latest,
        patient_id=latest.patient_id,
        procedure=procedure,
        decision=asked.decision,
        codes=list(codes),
        facts={c: facts.get(c) for c in codes},
        details=dict(record.details),
        cleared_until=until,
        note=asked.note,
        decided_at=timezone.now(),
        decided_by=asked.by,
    )
    review.full_clean()
    review.save()
    return review


def _refresh_status(patient: Patient, procedures: Iterable[str], today: date) -> None:
    """Keep the latest screenings' current verdict up to date after a decision (bookkeeping,
    read by the review queue; left out of the audit log like `is_latest`). `status` keeps the
    verdict as it was when the screening was made."""
    loaded = PatientHistory.load(patient)
    pol = policy()
    for procedure in procedures:
        latest = loaded.latest(procedure)
        if latest is None:
            continue
        verdict = lifecycle.assess_procedure(loaded.history, procedure, today, pol)
        Screening.objects.filter(pk=latest.pk).update(
            current_status=verdict.status, status_until=verdict.cleared_until
        )


def review_decide(
    *,
    by,
    screening: Screening,
    decision: str,
    note: str,
    cleared_until: date | None = None,
    codes: Iterable[str] | None = None,
) -> PhysicianReview:
    """A decision taken from a screening (the review queue): it must be the newest one."""
    _check_decision(by, decision, note)
    newest = (
        Screening.objects.filter(patient_id=screening.patient_id, procedure=screening.procedure)
        .order_by("-screened_at", "-id")
        .first()
    )
    if newest is not None and newest.pk != screening.pk:
        raise ValidationError(
            "A newer screening of this patient exists; decide on the patient's current one."
        )
    reviews = decision_record(
        by=by,
        patient=screening.patient,
        procedure=screening.procedure,
        decision=decision,
        note=note,
        codes=codes,
        cleared_until=cleared_until,
    )
    return reviews[0]


# ---- same-day microneedling then LLLT -------------------------------------------------------


def _signoff_note(by, note: str, *, refused: str, missing: str) -> str:
    """The note of a sign-off step, once the user is known to be a physician who said why."""
    if not by.has_perm("eligibility.sign_off_plan"):
        raise ValidationError(refused)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": missing})
    return note


def _signoff_save(by, signoff: PlanSignOff) -> PlanSignOff:
    signoff.full_clean()
    with transaction.atomic(), actor(by):
        signoff.save()
        eligibility_changed.send(sender=PlanSignOff, patient=signoff.patient, by=by)
    return signoff


def signoff_record(*, by, patient: Patient, note: str, until: date | None = None) -> PlanSignOff:
    """A physician signs off same-day microneedling then LLLT for the patient's plan."""
    note = _signoff_note(
        by,
        note,
        refused="Only a physician can sign off the plan.",
        missing="A note is required for a sign-off.",
    )
    today = _clinic_today()
    limit = today + timedelta(days=lifecycle.MAX_SIGNOFF_DAYS)
    until = until or limit
    if until < today or until > limit:
        raise ValidationError(
            {"until": f"A sign-off ends between today and {day_words(limit)} (180 days)."}
        )
    signoff = PlanSignOff(
        patient=patient, note=note, until=until, signed_at=timezone.now(), signed_by=by
    )
    return _signoff_save(by, signoff)


def signoff_end(*, by, signoff: PlanSignOff, note: str) -> PlanSignOff:
    """End a sign-off with the plan; booked sessions that needed it then need attention."""
    note = _signoff_note(
        by,
        note,
        refused="Only a physician can end a sign-off.",
        missing="Say why the sign-off ends.",
    )
    if signoff.ended_at is not None:
        raise ValidationError("This sign-off has already ended.")
    signoff.ended_at, signoff.ended_by, signoff.end_note = timezone.now(), by, note
    return _signoff_save(by, signoff)
