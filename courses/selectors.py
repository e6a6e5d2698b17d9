"""Reads of courses and outcomes. Each takes the user: the permission check and the access log
are here.

A plan's progress, next due date and the next session booked from then on are computed by the
database, as annotations of the plan (`with_progress`): the patient page's card and the overdue
list read the same definition, and the list can filter and paginate on it.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Case,
    Count,
    DateField,
    DateTimeField,
    F,
    Func,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.shortcuts import get_object_or_404

from core.audit import log_access, log_access_many
from courses.models import CoursePlan, Outcome
from intake.models import Patient
from scheduling import times
from scheduling.models import Status, TreatmentSession
from scheduling.selectors import UPCOMING
from treatments.models import SessionType

VIEW_PLAN = "courses.view_courseplan"
VIEW_OUTCOME = "courses.view_outcome"
ADD_PLAN = "courses.add_courseplan"
CHANGE_PLAN = "courses.change_courseplan"
RECORD_OUTCOME = "courses.record_outcome"
OVERDUE_PAGE_SIZE = 25
# An open plan counts sessions up to this moment (an ended one up to its end).
_NEVER = datetime(9999, 12, 31, tzinfo=UTC)


def _require(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


class AddDays(Func):
    """A date plus a number of days, as a date, on SQLite and PostgreSQL alike."""

    output_field = DateField()
    arity = 2

    def as_sql(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler, connection, template="(%(expressions)s)", arg_joiner=" + ", **extra_context
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="date(%(expressions)s || ' days')",
            arg_joiner=", '+' || ",
            **extra_context,
        )


def _of_plan() -> QuerySet[TreatmentSession]:
    """The patient's sessions of the plan's session type."""
    return TreatmentSession.objects.filter(
        patient=OuterRef("patient"), session_type=OuterRef("session_type")
    ).order_by()


def _completed() -> QuerySet[TreatmentSession]:
    """Completed sessions that count towards the plan: from its first day to its end."""
    return _of_plan().filter(
        status=Status.COMPLETED,
        start__date__gte=OuterRef("starts_on"),
        start__lt=Coalesce(OuterRef("ended_at"), Value(_NEVER, output_field=DateTimeField())),
    )


def with_progress(plans: QuerySet[CoursePlan]) -> QuerySet[CoursePlan]:
    """Plans annotated with `done` (completed sessions counted), `last_done` (the day of the
    latest), `next_due` (the start date before any; last + interval while the course runs;
    last + maintenance interval after it; none when it is over) and `booked_on` (the first
    live session from the due date on)."""
    done = _completed().values("patient").annotate(n=Count("pk")).values("n")
    last = _completed().order_by("-start").annotate(day=TruncDate("start")).values("day")[:1]
    booked = (
        _of_plan()
        .filter(status__in=UPCOMING, start__date__gte=OuterRef("next_due"))
        .order_by("start")
        .values("start")[:1]
    )
    return plans.annotate(
        done=Coalesce(Subquery(done, output_field=IntegerField()), 0),
        last_done=Subquery(last, output_field=DateField()),
        next_due=Case(
            When(done=0, then=F("starts_on")),
            When(done__lt=F("sessions_planned"), then=AddDays(F("last_done"), F("interval_days"))),
            When(
                maintenance_interval_days__isnull=False,
                then=AddDays(F("last_done"), F("maintenance_interval_days")),
            ),
            default=None,
            output_field=DateField(),
        ),
        booked_on=Subquery(booked, output_field=DateTimeField()),
    )


# ---- the patient page -------------------------------------------------------------------


def patient_plans(*, user, patient: Patient) -> list[CoursePlan]:
    """The patient's plans with their progress, open ones first, in one query (the patient
    page logs the patient)."""
    _require(user, VIEW_PLAN)
    plans = with_progress(
        CoursePlan.objects.filter(patient=patient).select_related("session_type", "ended_by")
    )
    return sorted(plans, key=lambda plan: plan.ended_at is not None)


def patient_outcomes(*, user, patient: Patient) -> list[Outcome]:
    """The outcomes of the patient's sessions, oldest first, in one query."""
    _require(user, VIEW_OUTCOME)
    return list(
        Outcome.objects.filter(session__patient=patient)
        .select_related("session__session_type")
        .order_by("session__start", "id")
    )


def plannable_session_types() -> QuerySet[SessionType]:
    """The session types a clinic offers now: a course is planned of one of them."""
    return SessionType.objects.filter(active=True).order_by("name")


def plan_get(*, user, pk: int, log: bool = True) -> CoursePlan:
    """A plan a physician acts on; its patient's record is logged as read."""
    _require(user, VIEW_PLAN)
    plan = get_object_or_404(
        with_progress(CoursePlan.objects.select_related("patient", "session_type", "ended_by")),
        pk=pk,
    )
    if log:
        log_access(plan.patient, by=user)
    return plan


def session_outcome(*, user, session: TreatmentSession) -> Outcome | None:
    """The outcome recorded at the session (the session page logs the session)."""
    _require(user, VIEW_OUTCOME)
    return Outcome.objects.select_related("recorded_by").filter(session=session).first()


# ---- overdue ------------------------------------------------------------------------------


def overdue_plans(*, user) -> QuerySet[CoursePlan]:
    """Open plans of active patients whose next session was due before today and who have
    nothing booked from that day on, longest overdue first. The page that draws them logs its
    patients with `plans_shown`: a fixed number of queries whatever the list's size."""
    _require(user, VIEW_PLAN)
    return (
        with_progress(
            CoursePlan.objects.filter(ended_at__isnull=True, patient__archived_at__isnull=True)
        )
        .filter(next_due__lt=times.today(), booked_on__isnull=True)
        .select_related("patient", "session_type")
        .only(
            "sessions_planned",
            "interval_days",
            "maintenance_interval_days",
            "starts_on",
            "ended_at",
            "patient__mrn",
            "patient__first_name",
            "patient__last_name",
            "patient__archived_at",
            "session_type__name",
        )
        .order_by("next_due", "id")
    )


def plans_shown(*, user, objects: Iterable[CoursePlan]) -> None:
    """Log the patients a page of plans drew, in one insert."""
    _require(user, VIEW_PLAN)
    log_access_many([plan.patient for plan in objects], by=user)


def days_overdue(plan: CoursePlan, today: date | None = None) -> int:
    return ((today or times.today()) - plan.next_due).days
