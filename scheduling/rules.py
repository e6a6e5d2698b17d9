"""The booking rules: when the clinic and its providers work, what a slot clashes with, how far
apart a patient's sessions must be, and which provider, room and device a slot gets.

Pure, like `eligibility.rules`: plain values in, the front desk's sentences out. No ORM, no
settings and no clock: the services read the clinic from the database, pass `now`, `today`
and the clinic's time zone in, and write what these functions allow.
"""

# ruff: noqa: RUF001, RUF002 - time spans use en dashes
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from eligibility.lifecycle import upper_first
from eligibility.rules import PROCEDURE_LABELS


@dataclass(frozen=True)
class Resource:
    """A provider, room or device: what a booking needs to know of it."""

    pk: int
    name: str
    kind: str = ""
    active: bool = True


@dataclass(frozen=True)
class Hours:
    """A stretch of wall-clock time on a weekday: opening hours or a provider's shift."""

    start: time
    end: time


@dataclass(frozen=True)
class Calendar:
    """The clinic's week: opening hours per weekday (a weekday without them is closed), closed
    days with their reasons ("" when none was given), and each provider's shifts by
    (provider, weekday), earliest first. It needs to cover only the days asked about."""

    opening: Mapping[int, Hours]
    closed: Mapping[date, str] = field(default_factory=dict)
    shifts: Mapping[tuple[int, int], tuple[Hours, ...]] = field(default_factory=dict)

    def shifts_of(self, provider: int, day: date) -> tuple[Hours, ...]:
        return self.shifts.get((provider, day.weekday()), ())


@dataclass(frozen=True)
class Booked:
    """A live session (neither cancelled nor a no-show): it holds its patient and resources."""

    start: datetime
    end: datetime
    patient: int
    provider: int
    room: int
    device: int
    procedures: tuple[str, ...] = ()


@dataclass(frozen=True)
class Clinic:
    """What a slot is checked against. `providers`, `rooms` and `devices` are the candidates for
    a resource left open, in order of preference: active, qualified and of the right kind."""

    calendar: Calendar
    booked: Sequence[Booked]
    zone: tzinfo
    today: date
    providers: Sequence[Resource] = ()
    rooms: Sequence[Resource] = ()
    devices: Sequence[Resource] = ()
    min_gaps: Mapping[str, timedelta] = field(default_factory=dict)


@dataclass(frozen=True)
class Need:
    """A kind of room or device a slot needs, as the desk names it ("procedure room"), and
    what is said when none of that kind is free."""

    kind: str
    label: str
    none_free: str


@dataclass(frozen=True)
class SessionKind:
    """What a session type asks of a slot."""

    name: str
    procedures: tuple[str, ...]
    qualified: frozenset[int]
    room_kind: str
    room_label: str
    device_kind: str
    device_label: str

    @property
    def room(self) -> Need:
        return Need(self.room_kind, self.room_label, "No suitable room is free at that time.")

    @property
    def device(self) -> Need:
        none_free = f"No {self.device_label} is free at that time."
        return Need(self.device_kind, self.device_label, none_free)


@dataclass(frozen=True)
class Ask:
    """A slot asked for. A provider, room or device left as None is picked from the clinic's
    candidates; one named is checked."""

    start: datetime
    end: datetime
    patient: int
    kind: SessionKind
    provider: Resource | None = None
    room: Resource | None = None
    device: Resource | None = None
    override_note: str = ""
    may_override: bool = False


@dataclass(frozen=True)
class Plan:
    """The resources a slot gets (None where none is free), the override note that stands, and
    every reason the slot cannot be booked; no problems means it can."""

    provider: Resource | None
    room: Resource | None
    device: Resource | None
    override_note: str
    problems: tuple[str, ...]


@dataclass(frozen=True)
class Found:
    """A free slot: a provider at work, a room and a device, all free from start to end."""

    start: datetime
    end: datetime
    provider: Resource
    room: Resource
    device: Resource


@dataclass(frozen=True)
class Search:
    """Where to look for free slots: `days` days after `first_day`, in steps of `step`."""

    first_day: date
    days: int
    duration: timedelta
    step: timedelta
    limit: int


# ---- words ---------------------------------------------------------------------------------


def span(start: datetime, end: datetime, *, zone: tzinfo, today: date) -> str:
    """'10:00–11:00', or with the day when it is not today."""
    s, e = start.astimezone(zone), end.astimezone(zone)
    text = f"{s:%H:%M}–{e:%H:%M}"
    return text if s.date() == today else f"{s:%a %d %b} {text}"


def describe_gap(gap: timedelta) -> str:
    if gap % timedelta(days=1) == timedelta(0):
        return f"{gap.days} days"
    return f"{int(gap.total_seconds() // 3600)} hours"


def refusal(
    *, archived: bool, offered: bool, type_name: str, start: datetime, now: datetime
) -> str | None:
    """The first reason no slot at all can be booked, before any other is looked at."""
    if archived:
        return "The patient's record is archived; restore it before booking."
    if not offered:
        return f"{type_name} is no longer offered."
    if start <= now:
        return "A session can only be booked in the future."
    return None


# ---- overlaps ------------------------------------------------------------------------------


def overlapping(booked: Iterable[Booked], start: datetime, end: datetime) -> list[Booked]:
    """The sessions that share some of [start, end); one ending as another starts does not."""
    # In UTC, as the database gives booked times: datetimes with the same tzinfo compare
    # without working out each one's offset (a free-slot search makes thousands of these).
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    return [b for b in booked if b.start < end and b.end > start]


def clashes(
    booked: Iterable[Booked],
    *,
    start: datetime,
    end: datetime,
    patient: int,
    provider: Resource | None,
    room: Resource | None,
    device: Resource | None,
    zone: tzinfo,
    today: date,
) -> list[str]:
    """What is already taken in [start, end), in plain words ("Room 2 is booked 10:00–11:00")."""
    problems = []
    for other in overlapping(booked, start, end):
        when = span(other.start, other.end, zone=zone, today=today)
        if other.patient == patient:
            problems.append(f"The patient already has a session {when}.")
        held = ((provider, other.provider), (room, other.room), (device, other.device))
        for mine, theirs in held:
            if mine is not None and mine.pk == theirs:
                problems.append(f"{mine.name} is booked {when}.")
    return problems


# ---- hours ---------------------------------------------------------------------------------


def within(hours: Iterable[Hours], start: datetime, end: datetime) -> bool:
    """Whether one of `hours` holds the local start–end, which ends on the day it starts."""
    return any(
        h.start <= start.time() and end.date() == start.date() and end.time() <= h.end
        for h in hours
    )


def hours_problems(
    calendar: Calendar,
    *,
    start: datetime,
    end: datetime,
    provider: Resource | None,
    zone: tzinfo,
) -> list[str]:
    """Why [start, end) falls outside the clinic's hours or, if named, the provider's."""
    s, e = start.astimezone(zone), end.astimezone(zone)
    day = s.date()
    if day in calendar.closed:
        why = f" ({calendar.closed[day]})" if calendar.closed[day] else ""
        return [f"The clinic is closed on {day:%a %d %b %Y}{why}."]
    if e.date() != day and e.time() != time.min:
        return ["A session must end on the day it starts."]
    opening = calendar.opening.get(day.weekday())
    if opening is None:
        return [f"The clinic is closed on {day:%A}s."]
    problems = []
    if not within([opening], s, e):
        problems.append(
            f"The clinic is open {opening.start:%H:%M}–{opening.end:%H:%M} on {day:%A}s; "
            f"{s:%H:%M}–{e:%H:%M} is outside that."
        )
    if provider is not None and not within(shifts := calendar.shifts_of(provider.pk, day), s, e):
        hours = ", ".join(f"{h.start:%H:%M}–{h.end:%H:%M}" for h in shifts) or "not at all"
        problems.append(
            f"{provider.name} works {hours} on {day:%A}s; {s:%H:%M}–{e:%H:%M} is outside that."
        )
    return problems


# ---- intervals -----------------------------------------------------------------------------


def widest_gap(procedures: Iterable[str], min_gaps: Mapping[str, timedelta]) -> timedelta:
    """How far either side of a start the interval rule looks."""
    return max(min_gaps[p] for p in procedures)


def interval_problems(
    booked: Iterable[Booked],
    *,
    patient: int,
    procedures: Iterable[str],
    start: datetime,
    min_gaps: Mapping[str, timedelta],
    zone: tzinfo,
) -> list[str]:
    """Each procedure whose minimum gap to another of the patient's sessions with that
    procedure is not kept, naming the earliest such session."""
    mine = sorted((b for b in booked if b.patient == patient), key=lambda b: b.start)
    problems = []
    for procedure in procedures:
        gap = min_gaps[procedure]
        other = next(
            (b for b in mine if procedure in b.procedures and abs(b.start - start) < gap), None
        )
        if other is not None:
            problems.append(
                f"{upper_first(PROCEDURE_LABELS[procedure])}: there is another session on "
                f"{other.start.astimezone(zone):%a %d %b %H:%M}; the minimum gap is "
                f"{describe_gap(gap)}."
            )
    return problems


def _interval_gate(ask: Ask, clinic: Clinic) -> tuple[str, list[str]]:
    """The override note that stands, and what stops a booking inside a minimum gap: only
    someone who may override, and only with a note saying why."""
    note = (ask.override_note or "").strip()
    too_close = interval_problems(
        clinic.booked,
        patient=ask.patient,
        procedures=ask.kind.procedures,
        start=ask.start,
        min_gaps=clinic.min_gaps,
        zone=clinic.zone,
    )
    if not too_close:
        return "", []
    if not ask.may_override:
        return note, [f"{p} A physician can book inside it with a note." for p in too_close]
    if not note:
        return note, [f"{p} To override it, write a note saying why." for p in too_close]
    return note, []


# ---- choosing resources --------------------------------------------------------------------


def first_free(candidates: Iterable[Resource], taken: set[int]) -> Resource | None:
    return next((c for c in candidates if c.pk not in taken), None)


def _taken(booked: Iterable[Booked], start: datetime, end: datetime) -> tuple[set[int], ...]:
    """The providers, rooms and devices busy at some moment of [start, end)."""
    clashing = overlapping(booked, start, end)
    return (
        {b.provider for b in clashing},
        {b.room for b in clashing},
        {b.device for b in clashing},
    )


def _working(clinic: Clinic, start: datetime, end: datetime) -> list[Resource]:
    return [
        p
        for p in clinic.providers
        if not hours_problems(clinic.calendar, start=start, end=end, provider=p, zone=clinic.zone)
    ]


def _provider(ask: Ask, clinic: Clinic, taken: set[int]) -> tuple[Resource | None, list[str]]:
    provider, problems = ask.provider, []
    if provider is None:
        provider = first_free(_working(clinic, ask.start, ask.end), taken)
        if provider is None:
            problems.append("No qualified provider is free and working at that time.")
    elif provider.pk not in ask.kind.qualified:
        problems.append(f"{provider.name} is not listed to perform {ask.kind.name}.")
    problems += hours_problems(
        clinic.calendar, start=ask.start, end=ask.end, provider=provider, zone=clinic.zone
    )
    return provider, problems


def _resource(
    named: Resource | None, candidates: Iterable[Resource], taken: set[int], need: Need
) -> tuple[Resource | None, list[str]]:
    """A named room or device is checked for its kind; an open one gets the first free."""
    if named is None:
        found = first_free(candidates, taken)
        return found, [] if found is not None else [need.none_free]
    if named.kind != need.kind or not named.active:
        return named, [f"{named.name} is not an available {need.label}."]
    return named, []


def plan(ask: Ask, clinic: Clinic) -> Plan:
    """Check a slot and fill what it leaves open; every problem, in the order the desk reads
    them: the provider and the hours, the room, the device, the interval, the clashes."""
    providers, rooms, devices = _taken(clinic.booked, ask.start, ask.end)
    provider, problems = _provider(ask, clinic, providers)
    room, room_problems = _resource(ask.room, clinic.rooms, rooms, ask.kind.room)
    device, device_problems = _resource(ask.device, clinic.devices, devices, ask.kind.device)
    note, interval = _interval_gate(ask, clinic)
    problems += room_problems + device_problems + interval
    problems += clashes(
        clinic.booked,
        start=ask.start,
        end=ask.end,
        patient=ask.patient,
        provider=provider,
        room=room,
        device=device,
        zone=clinic.zone,
        today=clinic.today,
    )
    return Plan(provider, room, device, note, tuple(problems))


# ---- free slots ----------------------------------------------------------------------------


def _starts(search: Search, calendar: Calendar, zone: tzinfo) -> Iterator[datetime]:
    """Every step of every open day in the search whose session ends by closing time."""
    for offset in range(search.days + 1):
        day = search.first_day + timedelta(days=offset)
        hours = calendar.opening.get(day.weekday())
        if hours is None or day in calendar.closed:
            continue
        moment = datetime.combine(day, hours.start, tzinfo=zone)
        close = datetime.combine(day, hours.end, tzinfo=zone)
        while moment + search.duration <= close:
            yield moment
            moment += search.step


def _fill(start: datetime, end: datetime, clinic: Clinic) -> Found | None:
    providers, rooms, devices = _taken(clinic.booked, start, end)
    place = first_free(clinic.rooms, rooms)
    unit = first_free(clinic.devices, devices)
    if place is None or unit is None:
        # Before the providers' hours, which cost a check per provider: a full day is mostly
        # starts without a room or a device.
        return None
    person = first_free(_working(clinic, start, end), providers)
    if person is None:
        return None
    return Found(start, end, person, place, unit)


def free_slots(search: Search, clinic: Clinic, *, now: datetime) -> list[Found]:
    """The first `limit` slots after `now` with a working provider, a room and a device free.

    It does not know the patient; booking still checks eligibility, consent and intervals.
    """
    found: list[Found] = []
    for start in _starts(search, clinic.calendar, clinic.zone):
        slot = _fill(start, start + search.duration, clinic) if start > now else None
        if slot is not None:
            found.append(slot)
            if len(found) >= search.limit:
                break
    return found
