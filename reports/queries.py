"""What each report selects and the figures it shows. No request, no rendering.

Exports and pages share these querysets, so a download holds exactly what the page counted.
"""

import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import (
    Count,
    F,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, Mod, TruncDay, TruncMonth, TruncWeek
from django.utils import timezone

from eligibility import rules
from eligibility.models import PhysicianReview, Procedure, Screening
from reports.forms import ReportFilters
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
        # The devices by a subquery, not a join: a join for each of 100,000 sessions made the
        # recall's count four times slower on SQLite.
        qs = qs.filter(
            Q(device__in=Device.objects.filter(serial__iexact=filters.lot))
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
    """Minutes the clinic is open in the range, from OpeningHours, less the closed days.

    One query: each weekday's hours come with the number of closed days in the range that
    fall on that weekday.
    """
    if not (filters.date_from and filters.date_to):
        return 0
    closed_that_weekday = (
        ClosedDay.objects.filter(
            day__gte=filters.date_from,
            day__lte=filters.date_to,
            # Django's week_day runs from 1 (Sunday) to 7; Weekday from 0 (Monday) to 6.
            day__week_day=Mod(OuterRef("weekday") + 1, 7) + 1,
        )
        .order_by()
        .values("day__week_day")
        .annotate(n=Count("id"))
        .values("n")
    )
    hours = OpeningHours.objects.annotate(
        closed=Coalesce(Subquery(closed_that_weekday), 0)
    ).values_list("weekday", "opens", "closes", "closed")
    days = (filters.date_to - filters.date_from).days + 1
    total = timedelta()
    for weekday, opens, closes, closed in hours:
        # Days in the range falling on this weekday.
        first = (weekday - filters.date_from.weekday()) % 7
        count = (days - first + 6) // 7 if first < days else 0
        length = datetime.combine(date.min, closes) - datetime.combine(date.min, opens)
        total += length * (count - closed)
    return int(total.total_seconds() // 60)


class _Minutes(Func):
    """Whole minutes from start to end of a session (floored, as `seconds // 60` in Python),
    computed by the database with its own date functions."""

    output_field = IntegerField()

    def __init__(self, **extra):
        super().__init__(F("start"), F("end"), **extra)

    def as_sql(self, compiler, connection, **extra):
        raise NotImplementedError(f"No minutes expression for {connection.vendor}")

    def as_sqlite(self, compiler, connection, **extra):
        (start, start_params), (end, end_params) = map(compiler.compile, self.source_expressions)
        sql = (
            f"((CAST(strftime('%%s', {end}) AS INTEGER)"
            f" - CAST(strftime('%%s', {start}) AS INTEGER)) / 60)"
        )
        return sql, [*end_params, *start_params]

    def as_postgresql(self, compiler, connection, **extra):
        (start, start_params), (end, end_params) = map(compiler.compile, self.source_expressions)
        sql = f"FLOOR(EXTRACT(EPOCH FROM ({end} - {start})) / 60)::integer"
        return sql, [*end_params, *start_params]


class _PeriodIndex(Func):
    """The index of the last of `starts` (ascending aware datetimes) at or before a session's
    start, or -1: one CASE the database evaluates natively, built without an ORM `When` per
    period (30 to 366 of them, whose resolving cost more than the query)."""

    output_field = IntegerField()

    def __init__(self, starts: list[datetime], **extra):
        self.starts = starts
        super().__init__(F("start"), **extra)

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        whens, values = [], []
        for i in range(len(self.starts) - 1, -1, -1):
            whens.append(f"WHEN {column} >= %s THEN {i}")
            values += [*params, connection.ops.adapt_datetimefield_value(self.starts[i])]
        return f"CASE {' '.join(whens)} ELSE -1 END", values


@dataclass
class SessionsReport:
    totals: dict
    by_period: list[dict]
    by_procedure: list[dict]
    by_provider: list[dict]
    by_room: list[dict]
    rooms: list[Utilisation] = field(default_factory=list)
    devices: list[Utilisation] = field(default_factory=list)
    # What the report read to name things, which the filter form lists too: every session
    # type and room by name, and the staff (active, or providing a session in the range) by
    # last name and username.
    session_types: list[SessionType] = field(default_factory=list)
    staff: list = field(default_factory=list)
    all_rooms: list[Room] = field(default_factory=list)


def _add(into: dict, row: dict) -> None:
    for key in COUNT_KEYS:
        into[key] = into.get(key, 0) + row[key]


def _by_period(qs: QuerySet[TreatmentSession], filters: ReportFilters) -> list[dict]:
    """Counts per day, week or month, in one grouped query.

    With a date range the periods are known: each session gets the index of the last period
    starting at or before it (a CASE over the periods' start moments, in the current time
    zone as TruncDay and friends use), which databases compute natively; on SQLite the Trunc
    functions are Python callbacks, one per session. Without a range, Trunc it is.
    """
    periods = _periods(filters)
    if not periods:
        counted = {
            _as_date(row["period"]): row
            for row in qs.annotate(period=TRUNC[filters.by]("start"))
            .values("period")
            .annotate(**SESSION_COUNTS)
            .order_by("period")
        }
        return [_row(period, counted[period]) for period in sorted(counted)]
    zone = timezone.get_current_timezone()
    index = _PeriodIndex([datetime.combine(period, time.min, tzinfo=zone) for period in periods])
    counted = {
        row["period"]: row
        for row in qs.annotate(period=index).values("period").annotate(**SESSION_COUNTS).order_by()
    }
    return [_row(period, counted.get(i, {})) for i, period in enumerate(periods)]


def _combinations(qs: QuerySet[TreatmentSession]) -> list[dict]:
    """Counts, and minutes of live sessions, per combination of session type, provider, room
    and device: a few hundred rows at most, however long the range."""
    return list(
        qs.values("session_type_id", "provider_id", "room_id", "device_id")
        .annotate(**SESSION_COUNTS, live_minutes=Sum(_Minutes(), filter=~Q(status__in=RELEASED)))
        .order_by()
    )


def _staff(combinations: list[dict]) -> list:
    """The active staff and whoever provided a session in the combinations. The database's
    collation orders them, as it did when it grouped them. Their names only: the report's
    figures are cached, and a password hash has no business in a cache."""
    return list(
        get_user_model()
        .objects.filter(Q(is_active=True) | Q(pk__in={row["provider_id"] for row in combinations}))
        .only("username", "first_name", "last_name", "is_active")
        .order_by("last_name", "username")
    )


@dataclass
class _Sums:
    """The combinations summed in total and per procedure, provider and room, and the minutes
    of live sessions per room and device."""

    totals: dict = field(default_factory=dict)
    per_procedure: defaultdict[str, dict] = field(default_factory=lambda: defaultdict(dict))
    per_provider: dict[int, dict] = field(default_factory=dict)
    per_room: dict[int, dict] = field(default_factory=dict)
    room_minutes: Counter = field(default_factory=Counter)
    device_minutes: Counter = field(default_factory=Counter)

    def add(self, row: dict, codes: list[str]) -> None:
        _add(self.totals, row)
        for code in codes:
            _add(self.per_procedure[code], row)
        _add(self.per_provider.setdefault(row["provider_id"], {}), row)
        _add(self.per_room.setdefault(row["room_id"], {}), row)
        if row["booked"] - row["cancelled"] - row["no_show"]:
            # Live sessions: cancelled and no-show sessions held nothing.
            self.room_minutes[row["room_id"]] += row["live_minutes"] or 0
            self.device_minutes[row["device_id"]] += row["live_minutes"] or 0


def _by_procedure(per_procedure: dict[str, dict]) -> list[dict]:
    return [
        _row(PROCEDURE_LABELS[code], per_procedure[code])
        for code in rules.PROCEDURES
        if code in per_procedure
    ]


def _by_provider(staff: list, per_provider: dict[int, dict]) -> list[dict]:
    """Grouped by name, as the page always did: one row per first name, last name, username."""
    per_name: dict[tuple, dict] = {}
    for person in staff:
        if person.pk in per_provider:
            name = (person.first_name, person.last_name, person.username)
            _add(per_name.setdefault(name, {}), per_provider[person.pk])
    return [
        _row(f"{first} {last}".strip() or username, counts)
        for (first, last, username), counts in per_name.items()
    ]


def sessions_report(filters: ReportFilters) -> SessionsReport:
    """Every figure of the sessions page in a fixed number of queries, whatever the sessions.

    One grouped query counts per combination of session type, provider, room and device;
    totals, procedures, providers, rooms and utilisation are sums of those rows. Periods,
    session types, staff, rooms, devices and opening hours are one query each.
    """
    qs = sessions(filters)
    by_period = _by_period(qs, filters)
    combinations = _combinations(qs)
    session_types = list(SessionType.objects.order_by("name"))
    codes = {t.pk: t.procedure_codes.split("+") for t in session_types}
    staff = _staff(combinations)
    all_rooms = list(Room.objects.order_by("name"))
    sums = _Sums()
    for row in combinations:
        sums.add(row, codes[row["session_type_id"]])
    by_room = [
        _row(room.name, sums.per_room[room.pk]) for room in all_rooms if room.pk in sums.per_room
    ]
    rooms, devices = _utilisation(filters, all_rooms, sums.room_minutes, sums.device_minutes)
    return SessionsReport(
        _row("All sessions", sums.totals),
        by_period,
        _by_procedure(sums.per_procedure),
        _by_provider(staff, sums.per_provider),
        by_room,
        rooms,
        devices,
        session_types=session_types,
        staff=staff,
        all_rooms=all_rooms,
    )


def _utilisation(
    filters: ReportFilters, all_rooms: list[Room], by_room: Counter, by_device: Counter
) -> tuple[list[Utilisation], list[Utilisation]]:
    available = open_minutes(filters)
    rooms = [
        Utilisation(room.name, by_room[room.pk], available)
        for room in all_rooms
        if (room.active or room.pk in by_room) and (not filters.room or room.pk == filters.room.pk)
    ]
    device_qs = Device.objects.filter(Q(active=True) | Q(pk__in=list(by_device)))
    devices = [Utilisation(str(device), by_device[device.pk], available) for device in device_qs]
    return rooms, devices


# Screenings -----------------------------------------------------------------------------------


def _of_procedures(qs: QuerySet, name: str, filters: ReportFilters) -> QuerySet:
    """Rows of one procedure each, `name` in the range; a session type narrows to the
    procedures it contains."""
    qs = _in_range(qs, name, filters)
    if filters.procedure:
        qs = qs.filter(procedure=filters.procedure)
    if filters.session_type:
        qs = qs.filter(procedure__in=filters.session_type.procedures)
    return qs


def screenings(filters: ReportFilters) -> QuerySet[Screening]:
    """Screenings made in the range."""
    return _of_procedures(Screening.objects.all(), "screened_at", filters)


@dataclass
class ScreeningsReport:
    outcomes: list[dict]
    reasons: list[dict]
    total: int


def _outcomes(qs: QuerySet[Screening]) -> list[dict]:
    """Screenings per procedure and outcome, for the procedures screened at all."""
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
    return outcomes


def _reasons(qs: QuerySet[Screening]) -> list[dict]:
    """Screenings per reason code, most frequent first. A screening counts once per reason
    code, whatever its other reasons."""
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
    rows = (
        {
            "code": code,
            "label": labels[code],
            "excluded": excluded[code],
            "review": reviewed[code],
            "total": excluded[code] + reviewed[code],
        }
        for code in set(excluded) | set(reviewed)
    )
    return sorted(rows, key=lambda r: (-r["total"], r["code"]))


def screenings_report(filters: ReportFilters) -> ScreeningsReport:
    qs = screenings(filters)
    outcomes = _outcomes(qs)
    return ScreeningsReport(outcomes, _reasons(qs), sum(r["total"] for r in outcomes))


# Physician review turnaround ------------------------------------------------------------------


def reviews(filters: ReportFilters) -> QuerySet[PhysicianReview]:
    """Reviews decided in the range; the provider filter means the deciding physician."""
    qs = _of_procedures(PhysicianReview.objects.all(), "decided_at", filters)
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


#: Items waiting now listed by name on the reviews report, the longest waiting first; every
#: item is counted per procedure. The queue at clinic scale is thousands of items (issue 15).
OPEN_SHOWN = 25


@dataclass
class ReviewsReport:
    overall: Turnaround
    by_procedure: list[Turnaround]
    open_items: list[dict]  # the OPEN_SHOWN longest waiting: procedure, screened_at
    decisions: dict[str, int]
    open_total: int = 0
    # Per procedure waiting: procedure, count and the oldest item's screened_at.
    open_by_procedure: list[dict] = field(default_factory=list)


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


def age_open_items(items: list[dict], now: datetime) -> None:
    """How long each open item (or a procedure's oldest) has waited, at `now`: set again on a
    cached report."""
    for item in items:
        item["age"] = now - item["screened_at"]
        item["age_text"] = duration_text(item["age"])


def _waiting(filters: ReportFilters) -> tuple[list[dict], list[dict]]:
    """(per procedure: how many wait and since when, the OPEN_SHOWN longest waiting), in two
    queries whatever the length of the queue."""
    waiting = open_reviews(filters)
    counted = {
        row["procedure"]: row
        for row in waiting.values("procedure")
        .annotate(count=Count("id"), screened_at=Min("screened_at"))
        .order_by()
    }
    per_procedure = [
        {**counted.pop(code), "procedure": PROCEDURE_LABELS[code]}
        for code in rules.PROCEDURES
        if code in counted
    ]
    # A code no longer in the catalogue still counts, after the known ones.
    per_procedure += [
        {**row, "procedure": PROCEDURE_LABELS.get(code, code)} for code, row in counted.items()
    ]
    longest = [
        {"procedure": PROCEDURE_LABELS.get(procedure, procedure), "screened_at": screened_at}
        for procedure, screened_at in waiting.order_by("screened_at", "id").values_list(
            "procedure", "screened_at"
        )[:OPEN_SHOWN]
    ]
    return per_procedure, longest


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
    per_procedure, open_items = _waiting(filters)
    age_open_items([*open_items, *per_procedure], timezone.now())
    return ReviewsReport(
        overall=_turnaround("All procedures", everything),
        by_procedure=[
            _turnaround(PROCEDURE_LABELS[code], waits[code])
            for code in rules.PROCEDURES
            if waits.get(code)
        ],
        open_items=open_items,
        decisions=dict(decisions),
        open_total=sum(row["count"] for row in per_procedure),
        open_by_procedure=per_procedure,
    )
