"""What each report selects and the figures it shows. No request, no rendering.

Exports and pages share these querysets, so a download holds exactly what the page counted.
"""

import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils import timezone

from clinic.reports.forms import ReportFilters
from eligibility import rules
from eligibility.models import PhysicianReview, Procedure, Screening
from scheduling.models import (
    RELEASED,
    ClosedDay,
    Device,
    OpeningHours,
    Room,
    SessionType,
    Status,
    TreatmentSession,
)

PROCEDURE_LABELS = dict(Procedure.choices)
TRUNC = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}

SESSION_COUNTS = {
    "booked": Count("id"),
    "completed": Count("id", filter=Q(status=Status.COMPLETED)),
    "cancelled": Count("id", filter=Q(status=Status.CANCELLED)),
    "no_show": Count("id", filter=Q(status=Status.NO_SHOW)),
}
COUNT_KEYS = tuple(SESSION_COUNTS)


def _types_with(procedure: str) -> QuerySet[SessionType]:
    """Session types whose '+'-joined procedure codes include `procedure`."""
    return SessionType.objects.filter(
        Q(procedure_codes=procedure)
        | Q(procedure_codes__startswith=f"{procedure}+")
        | Q(procedure_codes__endswith=f"+{procedure}")
        | Q(procedure_codes__contains=f"+{procedure}+")
    )


def _in_range(qs: QuerySet, name: str, filters: ReportFilters) -> QuerySet:
    lower, upper = filters.bounds()
    if lower:
        qs = qs.filter(**{f"{name}__gte": lower})
    if upper:
        qs = qs.filter(**{f"{name}__lt": upper})
    return qs


# Sessions -------------------------------------------------------------------------------------


def sessions(filters: ReportFilters) -> QuerySet[TreatmentSession]:
    """Sessions starting in the range (clinic days), narrowed by every filter that is set."""
    qs = _in_range(TreatmentSession.objects.all(), "start", filters)
    if filters.procedure:
        qs = qs.filter(session_type__in=_types_with(filters.procedure))
    if filters.session_type:
        qs = qs.filter(session_type=filters.session_type)
    if filters.provider:
        qs = qs.filter(provider=filters.provider)
    if filters.room:
        qs = qs.filter(room=filters.room)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.lot:
        qs = qs.filter(
            Q(device__serial__iexact=filters.lot)
            | Q(cartridge_lot__iexact=filters.lot)
            | Q(prp_kit_lot__iexact=filters.lot)
        )
    return qs


def _periods(filters: ReportFilters) -> list[date]:
    """Every period start in the range, so a quiet day still shows as a zero."""
    if not (filters.date_from and filters.date_to):
        return []
    day = filters.date_from
    if filters.by == "week":
        day -= timedelta(days=day.weekday())
    elif filters.by == "month":
        day = day.replace(day=1)
    periods = []
    while day <= filters.date_to:
        periods.append(day)
        if filters.by == "day":
            day += timedelta(days=1)
        elif filters.by == "week":
            day += timedelta(days=7)
        else:
            day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return periods


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _row(label, counts: dict) -> dict:
    row = {"label": label, **{key: counts.get(key, 0) for key in COUNT_KEYS}}
    attended = row["booked"] - row["cancelled"]
    row["no_show_rate"] = row["no_show"] / attended if attended else None
    return row


@dataclass
class Utilisation:
    name: str
    booked_minutes: int
    open_minutes: int

    @property
    def rate(self) -> float | None:
        return self.booked_minutes / self.open_minutes if self.open_minutes else None

    @property
    def percent(self) -> str:
        """One decimal: a single session in a month is well under one per cent."""
        return "\u2013" if self.rate is None else f"{self.rate * 100:.1f} %"


def open_minutes(filters: ReportFilters) -> int:
    """Minutes the clinic is open in the range, from OpeningHours, less the closed days."""
    if not (filters.date_from and filters.date_to):
        return 0
    hours = {
        h.weekday: (datetime.combine(date.min, h.closes) - datetime.combine(date.min, h.opens))
        for h in OpeningHours.objects.all()
    }
    closed = set(
        ClosedDay.objects.filter(day__gte=filters.date_from, day__lte=filters.date_to).values_list(
            "day", flat=True
        )
    )
    total = timedelta()
    day = filters.date_from
    while day <= filters.date_to:
        if day not in closed and day.weekday() in hours:
            total += hours[day.weekday()]
        day += timedelta(days=1)
    return int(total.total_seconds() // 60)


@dataclass
class SessionsReport:
    totals: dict
    by_period: list[dict]
    by_procedure: list[dict]
    by_provider: list[dict]
    by_room: list[dict]
    rooms: list[Utilisation] = field(default_factory=list)
    devices: list[Utilisation] = field(default_factory=list)


def sessions_report(filters: ReportFilters) -> SessionsReport:
    qs = sessions(filters)
    totals = _row("All sessions", qs.aggregate(**SESSION_COUNTS))

    counted = {
        _as_date(row["period"]): row
        for row in qs.annotate(period=TRUNC[filters.by]("start"))
        .values("period")
        .annotate(**SESSION_COUNTS)
        .order_by("period")
    }
    periods = _periods(filters) or sorted(counted)
    by_period = [_row(period, counted.get(period, {})) for period in periods]

    per_procedure: dict[str, Counter] = defaultdict(Counter)
    for row in qs.values("session_type__procedure_codes").annotate(**SESSION_COUNTS):
        for code in row["session_type__procedure_codes"].split("+"):
            per_procedure[code].update({key: row[key] for key in COUNT_KEYS})
    by_procedure = [
        _row(PROCEDURE_LABELS[code], per_procedure[code])
        for code in rules.PROCEDURES
        if code in per_procedure
    ]

    by_provider = [
        _row(
            f"{row['provider__first_name']} {row['provider__last_name']}".strip()
            or row["provider__username"],
            row,
        )
        for row in qs.values("provider__first_name", "provider__last_name", "provider__username")
        .annotate(**SESSION_COUNTS)
        .order_by("provider__last_name", "provider__username")
    ]
    by_room = [
        _row(row["room__name"], row)
        for row in qs.values("room__name").annotate(**SESSION_COUNTS).order_by("room__name")
    ]
    rooms, devices = utilisation(filters, qs)
    return SessionsReport(totals, by_period, by_procedure, by_provider, by_room, rooms, devices)


def utilisation(
    filters: ReportFilters, qs: QuerySet[TreatmentSession]
) -> tuple[list[Utilisation], list[Utilisation]]:
    """Booked minutes of live sessions over the minutes the clinic was open, per room and device.

    Cancelled and no-show sessions held nothing, so they do not count.
    """
    available = open_minutes(filters)
    by_room: Counter = Counter()
    by_device: Counter = Counter()
    live = qs.exclude(status__in=RELEASED).values_list("room_id", "device_id", "start", "end")
    for room_id, device_id, start, end in live.iterator(chunk_size=2000):
        minutes = int((end - start).total_seconds() // 60)
        by_room[room_id] += minutes
        by_device[device_id] += minutes
    room_qs = Room.objects.filter(Q(active=True) | Q(pk__in=list(by_room)))
    if filters.room:
        room_qs = room_qs.filter(pk=filters.room.pk)
    rooms = [Utilisation(room.name, by_room[room.pk], available) for room in room_qs]
    device_qs = Device.objects.filter(Q(active=True) | Q(pk__in=list(by_device)))
    devices = [Utilisation(str(device), by_device[device.pk], available) for device in device_qs]
    return rooms, devices


# Screenings -----------------------------------------------------------------------------------


def screenings(filters: ReportFilters) -> QuerySet[Screening]:
    """Screenings made in the range; a session type narrows to the procedures it contains."""
    qs = _in_range(Screening.objects.all(), "screened_at", filters)
    if filters.procedure:
        qs = qs.filter(procedure=filters.procedure)
    if filters.session_type:
        qs = qs.filter(procedure__in=filters.session_type.procedures)
    return qs


@dataclass
class ScreeningsReport:
    outcomes: list[dict]
    reasons: list[dict]
    total: int


def screenings_report(filters: ReportFilters) -> ScreeningsReport:
    qs = screenings(filters)
    counts = {
        (row["procedure"], row["outcome"]): row["n"]
        for row in qs.values("procedure", "outcome").annotate(n=Count("id")).order_by()
    }
    outcomes = []
    for code in rules.PROCEDURES:
        row = {
            "label": PROCEDURE_LABELS[code],
            "eligible": counts.get((code, rules.ELIGIBLE), 0),
            "needs_review": counts.get((code, rules.NEEDS_REVIEW), 0),
            "ineligible": counts.get((code, rules.INELIGIBLE), 0),
        }
        row["total"] = row["eligible"] + row["needs_review"] + row["ineligible"]
        if row["total"]:
            outcomes.append(row)

    # A screening counts once per reason code, whatever its other reasons.
    excluded: Counter = Counter()
    reviewed: Counter = Counter()
    labels: dict[str, str] = {}
    for reasons in qs.values_list("reasons", flat=True).iterator(chunk_size=2000):
        seen_exclude, seen_review = set(), set()
        for reason in reasons or []:
            code = reason.get("code", "")
            labels.setdefault(code, reason.get("label", code))
            if reason.get("severity") == rules.EXCLUDE:
                seen_exclude.add(code)
            elif reason.get("severity") == rules.REVIEW:
                seen_review.add(code)
        excluded.update(seen_exclude)
        reviewed.update(seen_review)
    reasons = sorted(
        (
            {
                "code": code,
                "label": labels[code],
                "excluded": excluded[code],
                "review": reviewed[code],
                "total": excluded[code] + reviewed[code],
            }
            for code in set(excluded) | set(reviewed)
        ),
        key=lambda r: (-r["total"], r["code"]),
    )
    return ScreeningsReport(outcomes, reasons, sum(r["total"] for r in outcomes))


# Physician review turnaround ------------------------------------------------------------------


def reviews(filters: ReportFilters) -> QuerySet[PhysicianReview]:
    """Reviews decided in the range; the provider filter means the deciding physician."""
    qs = _in_range(PhysicianReview.objects.all(), "decided_at", filters)
    if filters.procedure:
        qs = qs.filter(procedure=filters.procedure)
    if filters.session_type:
        qs = qs.filter(procedure__in=filters.session_type.procedures)
    if filters.provider:
        qs = qs.filter(decided_by=filters.provider)
    return qs


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least `share` of values at or below."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def duration_text(value: timedelta | None) -> str:
    """Durations like "3 d 4 h", "5 h 20 min" or "12 min": readable at a glance."""
    if value is None:
        return "\N{EN DASH}"
    minutes = int(value.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"


@dataclass
class Turnaround:
    label: str
    count: int
    median: timedelta | None
    p90: timedelta | None

    @property
    def median_text(self) -> str:
        return duration_text(self.median)

    @property
    def p90_text(self) -> str:
        return duration_text(self.p90)


def _turnaround(label: str, waits: list[float]) -> Turnaround:
    if not waits:
        return Turnaround(label, 0, None, None)
    return Turnaround(
        label,
        len(waits),
        timedelta(seconds=statistics.median(waits)),
        timedelta(seconds=percentile(waits, 0.9)),
    )


@dataclass
class ReviewsReport:
    overall: Turnaround
    by_procedure: list[Turnaround]
    open_items: list[dict]
    decisions: dict[str, int]


def open_reviews(filters: ReportFilters) -> QuerySet[Screening]:
    """Waiting now: valid needs-review screenings with no decision, whatever the date range."""
    qs = Screening.objects.filter(
        outcome=rules.NEEDS_REVIEW,
        reviews__isnull=True,
        valid_until__gte=timezone.localdate(),
        patient__archived_at__isnull=True,
    )
    if filters.procedure:
        qs = qs.filter(procedure=filters.procedure)
    if filters.session_type:
        qs = qs.filter(procedure__in=filters.session_type.procedures)
    return qs


def reviews_report(filters: ReportFilters) -> ReviewsReport:
    waits: dict[str, list[float]] = defaultdict(list)
    decisions: Counter = Counter()
    rows = reviews(filters).values_list(
        "procedure", "decision", "decided_at", "screening__screened_at"
    )
    for procedure, decision, decided_at, screened_at in rows.iterator(chunk_size=2000):
        waits[procedure].append((decided_at - screened_at).total_seconds())
        decisions[decision] += 1
    everything = [w for values in waits.values() for w in values]
    now = timezone.now()
    open_items = [
        {
            "procedure": PROCEDURE_LABELS.get(procedure, procedure),
            "screened_at": screened_at,
            "age": now - screened_at,
            "age_text": duration_text(now - screened_at),
        }
        for procedure, screened_at in open_reviews(filters)
        .order_by("screened_at", "id")
        .values_list("procedure", "screened_at")
    ]
    return ReviewsReport(
        overall=_turnaround("All procedures", everything),
        by_procedure=[
            _turnaround(PROCEDURE_LABELS[code], waits[code])
            for code in rules.PROCEDURES
            if waits.get(code)
        ],
        open_items=open_items,
        decisions=dict(decisions),
    )
