"""Writes of courses and outcomes: a physician plans a course and ends it, and records the
outcome of a session. Keyword-only, the permission checked here, one transaction, audited."""

import math
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import actor
from courses.models import CoursePlan, GlobalAssessment, Outcome
from intake import questionnaire
from intake.models import Patient
from scheduling import selectors as scheduling_selectors
from scheduling.models import Status, TreatmentSession
from treatments.models import SessionType

ADD_PLAN = "courses.add_courseplan"
CHANGE_PLAN = "courses.change_courseplan"
RECORD_OUTCOME = "courses.record_outcome"
# An outcome is what the physician sees at the session: from check-in on.
GRADED = (Status.CHECKED_IN, Status.IN_TREATMENT, Status.COMPLETED)


def _require(by, perm: str) -> None:
    if not by.has_perm(perm):
        raise PermissionDenied


def _shortest_interval_days(session_type: SessionType) -> int:
    """The clinic's minimum gap between sessions of the type's procedures, in whole days."""
    gaps = scheduling_selectors.min_gaps()
    longest = max((gaps.get(p, timedelta(0)) for p in session_type.procedures), default=None)
    return math.ceil(longest / timedelta(days=1)) if longest else 0


def plan_create(
    *,
    by,
    patient: Patient,
    session_type: SessionType,
    sessions_planned: int,
    interval_days: int,
    starts_on: date,
    maintenance_interval_days: int | None = None,
    notes: str = "",
) -> CoursePlan:
    """A course of sessions of one session type. A patient has at most one open plan of a
    session type: its progress counts that type's completed sessions."""
    _require(by, ADD_PLAN)
    if patient.is_archived:
        raise ValidationError("This patient's record is archived; restore it first.")
    plan = CoursePlan(
        patient=patient,
        session_type=session_type,
        sessions_planned=sessions_planned,
        interval_days=interval_days,
        maintenance_interval_days=maintenance_interval_days,
        starts_on=starts_on,
        notes=notes.strip(),
        created_by=by,
    )
    plan.full_clean()
    shortest = _shortest_interval_days(session_type)
    if interval_days < shortest:
        raise ValidationError(
            {
                "interval_days": (
                    f"Sessions of {session_type.name} are at least {shortest} days apart "
                    "(the clinic's minimum interval); a plan closer than that could not be "
                    "booked without an override each time."
                )
            }
        )
    with transaction.atomic(), actor(by):
        # Serialise plans of one patient: the check below and the insert are one step.
        Patient.objects.select_for_update().filter(pk=patient.pk).first()
        open_plan = CoursePlan.objects.filter(
            patient=patient, session_type=session_type, ended_at__isnull=True
        ).exists()
        if open_plan:
            raise ValidationError(
                {
                    "session_type": (
                        f"This patient already has an open plan of {session_type.name}; "
                        "end it before planning a new one."
                    )
                }
            )
        plan.save()
    return plan


def plan_end(*, by, plan: CoursePlan, reason: str) -> CoursePlan:
    """End a plan (finished early, changed treatment, moved away): it leaves the overdue list
    and its progress stops counting."""
    _require(by, CHANGE_PLAN)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the plan ends."})
    with transaction.atomic(), actor(by):
        locked = CoursePlan.objects.select_for_update().get(pk=plan.pk)
        if locked.ended_at is not None:
            raise ValidationError("This plan has already ended.")
        locked.ended_at = timezone.now()
        locked.ended_by = by
        locked.end_reason = reason[:200]
        locked.save(update_fields=["ended_at", "ended_by", "end_reason"])
    return locked


def outcome_record(
    *,
    by,
    session: TreatmentSession,
    scale: str,
    grade: str,
    patient_assessment: int | None = None,
    note: str = "",
) -> Outcome:
    """The physician's grade and the patient's global assessment at a session; one per
    session, recorded again to correct it (the audit log keeps every version)."""
    _require(by, RECORD_OUTCOME)
    grades = questionnaire.GRADES_BY_SCALE.get(scale)
    if grades is None:
        raise ValidationError({"scale": "Choose a scale."})
    if grade not in grades:
        label = dict(questionnaire.SCALES)[scale]
        raise ValidationError({"grade": f"{grade or 'No grade'} is not a grade of {label}."})
    if patient_assessment is not None and patient_assessment not in GlobalAssessment.values:
        raise ValidationError({"patient_assessment": "Choose one of the seven answers."})
    with transaction.atomic(), actor(by):
        locked = TreatmentSession.objects.select_for_update().get(pk=session.pk)
        if locked.status not in GRADED:
            raise ValidationError(
                "An outcome is recorded once the patient is checked in; this session is "
                f"{locked.get_status_display().lower()}."
            )
        outcome = Outcome.objects.filter(session=locked).first() or Outcome(session=locked)
        outcome.scale = scale
        outcome.grade = grade
        outcome.patient_assessment = patient_assessment
        outcome.note = note.strip()
        outcome.recorded_at = timezone.now()
        outcome.recorded_by = by
        outcome.full_clean()
        outcome.save()
    return outcome
