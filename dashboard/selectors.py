"""Reads for the dashboard: one function per role's panel. Each takes the user, checks the
permission, and logs the patients its panel lists in one bulk insert; every query is over the
whole list, so a busy day costs what a quiet one does."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db.models import F, Func, IntegerField, QuerySet

from core.audit import log_access_many
from eligibility import rules
from eligibility.selectors import review_queue
from reports import queries
from reports.forms import ReportFilters
from scheduling import selectors as scheduling_selectors
from scheduling import times
from scheduling.models import Consent, Status, TreatmentSession
from scheduling.selectors import ATTENTION_FIELDS

VIEW_SESSIONS = scheduling_selectors.VIEW
VIEW_CONSENTS = "scheduling.view_consent"
CHECK_IN = "scheduling.check_in_session"
REVIEW = "eligibility.review_screening"
VIEW_REPORTS = "reports.view_reports"

# What a row shows: time, patient, session type (and its procedures), room, status, reason.
_ROW_FIELDS = (*ATTENTION_FIELDS, "session_type__procedure_codes", "room__name")
# A physician charts a session from check-in to completion.
TO_CHART = (Status.CHECKED_IN, Status.IN_TREATMENT)


def _require(user, *perms: str) -> None:
    if not user.has_perms(perms):
        raise PermissionDenied


def _rows() -> QuerySet[TreatmentSession]:
    return (
        TreatmentSession.objects.select_related("patient", "session_type", "room")
        .only(*_ROW_FIELDS)
        .order_by("start", "id")
    )


def _today(rows: QuerySet[TreatmentSession]) -> list[TreatmentSession]:
    """The sessions starting today, cancelled ones aside (a no-show stays: it is news)."""
    start_of_day, end_of_day = times.day_bounds(times.today())
    return list(
        rows.filter(start__gte=start_of_day, start__lt=end_of_day).exclude(status=Status.CANCELLED)
    )


def _log_patients(user, sessions: Iterable[TreatmentSession]) -> None:
    """One access entry per patient listed, however many of their sessions are."""
    patients = {s.patient_id: s.patient for s in sessions}
    log_access_many(patients.values(), by=user)


# ---- front desk -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Arrival:
    """A session of today as the desk sees it: can it go ahead (`blocked_reason`, set by
    check-in and by re-checks when the patient's eligibility changes), which consents are
    missing, and whether the desk can check the patient in from here."""

    session: TreatmentSession
    missing_consents: tuple[str, ...]
    can_check_in: bool

    @property
    def consent_ok(self) -> bool:
        return not self.missing_consents


@dataclass(frozen=True)
class DeskPanel:
    arrivals: list[Arrival]
    attention: int  # sessions from today on that need attention (the needs-attention list)


def front_desk_panel(*, user) -> DeskPanel:
    """Today's arrivals in time order, each with its eligibility and consent state."""
    _require(user, VIEW_SESSIONS, VIEW_CONSENTS)
    sessions = _today(_rows())
    signed = set(
        Consent.objects.filter(patient__in={s.patient_id for s in sessions}).values_list(
            "patient_id", "procedure"
        )
    )
    may_check_in = user.has_perm(CHECK_IN)
    arrivals = [
        Arrival(
            session=s,
            missing_consents=tuple(
                rules.PROCEDURE_LABELS[p]
                for p in s.session_type.procedures
                if (s.patient_id, p) not in signed
            ),
            can_check_in=may_check_in and s.status == Status.BOOKED,
        )
        for s in sessions
    ]
    attention = scheduling_selectors.sessions_needing_attention(user=user).count()
    _log_patients(user, sessions)
    return DeskPanel(arrivals=arrivals, attention=attention)


# ---- physician ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PhysicianPanel:
    waiting: int  # review-queue items
    oldest_since: datetime | None  # when the oldest waiting item was screened
    today: list[TreatmentSession]  # the physician's sessions today
    to_chart: list[TreatmentSession]  # theirs, checked in or in treatment, any day


def physician_panel(*, user) -> PhysicianPanel:
    """The review queue's size and age, and the physician's own sessions: today's, and those
    waiting for their treatment record."""
    _require(user, REVIEW, VIEW_SESSIONS)
    queue = review_queue(user=user)
    oldest = queue[0].screened_at if len(queue) else None
    theirs = _rows().filter(provider=user)
    today = _today(theirs)
    to_chart = list(theirs.filter(status__in=TO_CHART))
    _log_patients(user, [*today, *to_chart])
    return PhysicianPanel(waiting=len(queue), oldest_since=oldest, today=today, to_chart=to_chart)


# ---- clinic admin ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DayCounts:
    day: date
    booked: int  # every session starting that day, as the sessions report counts them
    completed: int
    cancelled: int


@dataclass(frozen=True)
class AdminPanel:
    week: list[DayCounts]  # Monday to Sunday of this week
    report_query: str  # the sessions report's filters for this week


class _DayOfWeek(Func):
    """The index of the day (of `starts`, ascending) a session starts on, or -1 before the
    first: one CASE over the days' first moments, which every database evaluates natively
    (grouping by a truncated date is a Python callback per session on SQLite)."""

    output_field = IntegerField()

    def __init__(self, starts: list[datetime]):
        self.starts = starts
        super().__init__(F("start"))

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        whens, values = [], []
        for i in range(len(self.starts) - 1, -1, -1):
            whens.append(f"WHEN {column} >= %s THEN {i}")
            values += [*params, connection.ops.adapt_datetimefield_value(self.starts[i])]
        return f"CASE {' '.join(whens)} ELSE -1 END", values


def admin_panel(*, user) -> AdminPanel:
    """Sessions per day this week, counted as the sessions report counts them (its queryset
    and its counts, one grouped query). Counts only: no patient is shown, nothing to log."""
    _require(user, VIEW_REPORTS)
    monday = times.today() - timedelta(days=times.today().weekday())
    days = [monday + timedelta(days=i) for i in range(7)]
    filters = ReportFilters(date_from=days[0], date_to=days[-1], by="day")
    figures = {key: queries.SESSION_COUNTS[key] for key in ("booked", "completed", "cancelled")}
    counted = {
        row["day"]: row
        for row in queries.sessions(filters)
        .annotate(day=_DayOfWeek([times.day_bounds(day)[0] for day in days]))
        .values("day")
        .annotate(**figures)
        .order_by()
    }
    week = [
        DayCounts(
            day=day,
            booked=counted.get(i, {}).get("booked", 0),
            completed=counted.get(i, {}).get("completed", 0),
            cancelled=counted.get(i, {}).get("cancelled", 0),
        )
        for i, day in enumerate(days)
    ]
    query = urlencode({"date_from": days[0], "date_to": days[-1], "by": "day"})
    return AdminPanel(week=week, report_query=query)
