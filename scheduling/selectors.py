"""Reads of sessions. Each takes the user: permission checks and access logging live here."""

import math
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.audit import log_access, log_access_many
from eligibility.services import eligibility_on_days
from intake.models import Patient
from scheduling import rules as booking
from scheduling import times
from scheduling.models import (
    RELEASED,
    ClosedDay,
    Consent,
    Device,
    OpeningHours,
    ProviderHours,
    Room,
    Status,
    TreatmentSession,
)
from treatments.models import SessionType

VIEW = "scheduling.view_treatmentsession"
# The grid's hours on a day without opening hours (a closed day still shows what is booked).
_FALLBACK_HOURS = (time(8, 0), time(18, 0))
# No session lasts longer than this: a session type lasts at most 480 minutes (a check
# constraint), every booking and reschedule sets end = start + that duration, and a session
# must end on the day it starts. The day view looks this far back for sessions still running
# at midnight, so that its query reads a few days of the start index instead of all history.
LONGEST_SESSION = timedelta(days=1)


# Sessions still to happen, whose eligibility is re-checked when the patient's changes.
UPCOMING = (Status.BOOKED, Status.CHECKED_IN, Status.IN_TREATMENT)


def provider_name(user: AbstractBaseUser) -> str:
    return user.get_full_name() or user.get_username()


def _require(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


def _sessions() -> QuerySet[TreatmentSession]:
    return TreatmentSession.objects.select_related(
        "patient", "session_type", "provider", "room", "device"
    )


def _log_many(sessions: list[TreatmentSession], *, by) -> None:
    """One audit entry per session shown, inserted in bulk, not one query per session."""
    log_access_many(sessions, by=by)


# A session's people, read together by `session_get` rather than joined: with them as three
# more joins PostgreSQL spent 5.7 ms planning the query (0.4 ms without), for a 0.1 ms read.
_PEOPLE = ("provider", "booked_by", "charted_by")


def session_get(*, user, pk: int, log: bool = True) -> TreatmentSession:
    _require(user, VIEW)
    session = get_object_or_404(
        TreatmentSession.objects.select_related("patient", "session_type", "room", "device"), pk=pk
    )
    ids = {getattr(session, f"{name}_id") for name in _PEOPLE} - {None}
    people = get_user_model().objects.in_bulk(ids)
    for name in _PEOPLE:
        setattr(session, name, people.get(getattr(session, f"{name}_id")))
    if log:
        log_access(session, by=user)
    return session


def session_addenda(*, user, session: TreatmentSession) -> list:
    """The addenda under a completed record, oldest first (the session page logs the read)."""
    _require(user, "scheduling.view_addendum")
    return list(session.addenda.select_related("written_by").order_by("written_at", "id"))


def session_events(*, user, session: TreatmentSession):
    _require(user, VIEW)
    return session.events.select_related("by").order_by("at", "id")


def patient_sessions(*, user, patient: Patient) -> list[TreatmentSession]:
    """A patient's sessions, newest first, in one query (the patient page logs the access)."""
    _require(user, VIEW)
    return list(_sessions().filter(patient=patient).order_by("-start", "-id"))


def consents_on_file(*, user, patient: Patient) -> dict[str, Consent]:
    """The latest signed consent per procedure."""
    _require(user, "scheduling.view_consent")
    latest: dict[str, Consent] = {}
    for consent in patient.consents.select_related("witnessed_by").order_by("-signed_at", "-id"):
        latest.setdefault(consent.procedure, consent)
    return latest


def booking_patient(*, user, pk: int | None) -> Patient | None:
    """The patient a booking form is drawn for (from the patient's page, a free slot or the
    POST), or None; the form shows the patient's name, so the read is logged."""
    _require(user, "intake.view_patient")
    patient = Patient.objects.filter(pk=pk).first() if _is_key(pk) else None
    if patient is not None:
        log_access(patient, by=user)
    return patient


def session_type_get(*, user, pk: int | None) -> SessionType | None:
    _require(user, VIEW)
    return SessionType.objects.filter(pk=pk).first() if _is_key(pk) else None


def _is_key(pk: int | None) -> bool:
    """A primary key the database can hold (a number typed into a URL may not be one)."""
    return pk is not None and 0 < pk < 2**63


def active_patients() -> QuerySet[Patient]:
    return Patient.objects.filter(archived_at__isnull=True).order_by("last_name", "first_name")


def providers() -> QuerySet:
    """Everyone who may perform at least one session type."""
    return (
        get_user_model()
        .objects.filter(is_active=True, session_types__isnull=False)
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


# ---- needs attention ---------------------------------------------------------------------

ATTENTION_PAGE_SIZE = 25
# The columns of a session row in the needs-attention list; the day view adds its resources.
ATTENTION_FIELDS = (
    "start",
    "end",
    "status",
    "blocked_reason",
    "patient__mrn",
    "patient__first_name",
    "patient__last_name",
    "session_type__name",
)


def sessions_needing_attention(*, user) -> QuerySet[TreatmentSession]:
    """Sessions from the start of today that can no longer go ahead as booked (the reason is
    set by check-in and by re-checks when a patient's eligibility changes), soonest first.

    The page that shows them logs the ones it draws with `sessions_shown`: a fixed number of
    queries whatever its size (the count, the page, one bulk insert of the access log).
    """
    _require(user, VIEW)
    day_start, _ = times.day_bounds(times.today())
    return (
        TreatmentSession.objects.select_related("patient", "session_type")
        .filter(status__in=UPCOMING, start__gte=day_start)
        .exclude(blocked_reason="")
        .only(*ATTENTION_FIELDS)
        .order_by("start", "id")
    )


def sessions_shown(*, user, objects: Iterable[TreatmentSession]) -> None:
    """Log the sessions a page drew."""
    _require(user, VIEW)
    _log_many(list(objects), by=user)


# ---- day view -----------------------------------------------------------------------------


@dataclass
class Cell:
    sessions: list[TreatmentSession] = field(default_factory=list)
    rows: int = 1
    covered: bool = False


@dataclass
class Row:
    start: datetime
    cells: list[Cell]


@dataclass
class DayGrid:
    day: date
    by: str
    columns: list
    rows: list[Row]
    opening: OpeningHours | None
    closed: ClosedDay | None
    count: int


# What a card draws besides its column's own resource: the provider in a room's column, the
# room in a provider's, and the device either way.
_CARD_RELATION = {"room": "provider", "provider": "room"}
_CARD_FIELDS = {
    "provider": ("provider__first_name", "provider__last_name", "provider__username"),
    "room": ("room__name",),
}


def day_view(*, user, day: date, by: str = "room") -> DayGrid:
    """A time grid for one day: a column per room (or provider), a row per slot.

    A fixed number of queries whatever the number of sessions: columns, sessions, opening
    hours, closed day, and one bulk insert of the access log.
    """
    _require(user, VIEW)
    by = "provider" if by == "provider" else "room"
    sessions = _day_sessions(day, by)
    columns, key = _day_columns(day, by, sessions)
    opening = OpeningHours.objects.filter(weekday=day.weekday()).first()
    closed = ClosedDay.objects.filter(day=day).first()
    slots = _day_slots(day, opening, sessions)
    table = _day_table(sessions, columns, key, slots)
    _log_many(sessions, by=user)
    return DayGrid(
        day=day,
        by=by,
        columns=columns,
        rows=[Row(slot, cells) for slot, cells in zip(slots, table, strict=True)],
        opening=opening,
        closed=closed,
        count=len(sessions),
    )


def _day_sessions(day: date, by: str) -> list[TreatmentSession]:
    start_of_day, end_of_day = times.day_bounds(day)
    drawn = _CARD_RELATION[by]
    return list(
        TreatmentSession.objects.select_related("patient", "session_type", drawn, "device")
        .filter(
            start__gte=start_of_day - LONGEST_SESSION,
            start__lt=end_of_day,
            end__gt=start_of_day,
        )
        # What the grid, the cards and the access log show; a patient's other columns (phone
        # numbers parsed on load, address, history) are not read for a hundred cards, nor the
        # column's own room or provider, which the columns' query reads once.
        .only(*ATTENTION_FIELDS, *_CARD_FIELDS[drawn], "device__name", by)
        .exclude(status__in=RELEASED)
        .order_by("start", "id")
    )


def _day_columns(day: date, by: str, sessions: list[TreatmentSession]) -> tuple[list, str]:
    """The grid's columns ("provider": who works that weekday or has a session; else every
    active room and any other with a session), and the session attribute that picks one."""
    if by == "provider":
        ids = {s.provider_id for s in sessions}
        working = ProviderHours.objects.filter(weekday=day.weekday()).values("provider_id")
        columns = list(
            get_user_model()
            .objects.filter(Q(pk__in=working) | Q(pk__in=ids))
            .order_by("last_name", "first_name", "pk")
        )
        return columns, "provider_id"
    ids = {s.room_id for s in sessions}
    return [r for r in Room.objects.order_by("name") if r.active or r.pk in ids], "room_id"


def _day_slots(
    day: date, opening: OpeningHours | None, sessions: list[TreatmentSession]
) -> list[datetime]:
    """The rows: the opening hours (or the fallback) from the hour, widened to every session
    of the day, in steps of the slot length."""
    start_of_day, end_of_day = times.day_bounds(day)
    first, last = (opening.opens, opening.closes) if opening else _FALLBACK_HOURS
    grid_start, grid_end = times.at(day, first), times.at(day, last)
    for s in sessions:
        grid_start = min(grid_start, max(s.start, start_of_day))
        grid_end = max(grid_end, min(s.end, end_of_day))
    grid_start = times.at(day, time(times.local(grid_start).hour))
    step, slots = times.slot_step(), []
    moment = grid_start
    while moment < grid_end:
        slots.append(moment)
        moment += step
    return slots


def _day_table(
    sessions: list[TreatmentSession], columns: list, key: str, slots: list[datetime]
) -> list[list[Cell]]:
    """Each session in the cell of its column and first slot, spanning the slots it lasts."""
    index = {col.pk: i for i, col in enumerate(columns)}
    table = [[Cell() for _ in columns] for _ in slots]
    step, grid_start = times.slot_step(), slots[0]
    for s in sessions:
        col = index.get(getattr(s, key))
        if col is None:
            continue
        first_row = max(0, int((max(s.start, grid_start) - grid_start) / step))
        last_row = max(first_row + 1, math.ceil((s.end - grid_start) / step))
        _place(table, s, col, first_row, min(last_row, len(slots)))
    return table


def _place(table: list[list[Cell]], s: TreatmentSession, col: int, first: int, last: int) -> None:
    cell = table[first][col]
    if cell.covered:
        # Only legacy data can overlap: show it in the cell that covers this slot.
        owner = next(table[r][col] for r in range(first, -1, -1) if not table[r][col].covered)
        owner.sessions.append(s)
        return
    cell.sessions.append(s)
    if cell.rows < last - first:
        for r in range(first + cell.rows, last):
            table[r][col].covered = True
        cell.rows = last - first


def column_label(column) -> str:
    return column.name if isinstance(column, Room) else provider_name(column)


# ---- the clinic as the booking rules see it ------------------------------------------------


def as_provider(user: AbstractBaseUser) -> booking.Resource:
    return booking.Resource(user.pk, provider_name(user))


def as_resource(thing: Room | Device) -> booking.Resource:
    return booking.Resource(thing.pk, thing.name, thing.kind, thing.active)


def instance_of(resource: booking.Resource | None, candidates: Iterable):
    """The provider, room or device a rule chose, from the candidates it was chosen from."""
    if resource is None:
        return None
    return next(c for c in candidates if c.pk == resource.pk)


def listed_providers(session_type: SessionType) -> list:
    """Who is listed to perform a session type, active or not, in the order they are offered."""
    return list(session_type.providers.order_by("last_name", "pk"))


def rooms_for(session_type: SessionType) -> list[Room]:
    return list(Room.objects.filter(kind=session_type.room_kind, active=True).order_by("name"))


def devices_for(session_type: SessionType) -> list[Device]:
    return list(Device.objects.filter(kind=session_type.device_kind, active=True))


def calendar(first: date, last: date, *, providers: Iterable[int]) -> booking.Calendar:
    """The opening hours, closed days and providers' shifts of the days first to last."""
    days = min((last - first).days, 6) + 1
    weekdays = {(first + timedelta(days=i)).weekday() for i in range(days)}
    opening = {
        o.weekday: booking.Hours(o.opens, o.closes)
        for o in OpeningHours.objects.filter(weekday__in=weekdays)
    }
    closed = ClosedDay.objects.filter(day__gte=first, day__lte=last).values_list("day", "reason")
    shifts: dict[tuple[int, int], tuple[booking.Hours, ...]] = {}
    for h in ProviderHours.objects.filter(
        provider__in=list(providers), weekday__in=weekdays
    ).order_by("start"):
        key = (h.provider_id, h.weekday)
        shifts[key] = (*shifts.get(key, ()), booking.Hours(h.start, h.end))
    return booking.Calendar(opening, dict(closed), shifts)


def live_sessions(window: Q, *, exclude_pk: int | None = None) -> list[booking.Booked]:
    """The sessions in `window` that hold their patient and resources, earliest first."""
    rows = (
        TreatmentSession.objects.filter(window)
        .exclude(status__in=RELEASED)
        .exclude(pk=exclude_pk)
        .order_by("start", "id")
        .values_list(
            "start",
            "end",
            "patient_id",
            "provider_id",
            "room_id",
            "device_id",
            "session_type__procedure_codes",
        )
    )
    # The codes as stored: "+"-joined, as SessionType.procedures reads them.
    return [booking.Booked(*row, procedures=tuple(codes.split("+"))) for *row, codes in rows]


def booking_clinic(
    *,
    calendar: booking.Calendar,
    booked: list[booking.Booked],
    providers: Iterable = (),
    rooms: Iterable[Room] = (),
    devices: Iterable[Device] = (),
    min_gaps: dict | None = None,
) -> booking.Clinic:
    """The clinic as the booking rules see it, on the clinic's clock; the providers, rooms and
    devices are the candidates for what a booking leaves open."""
    return booking.Clinic(
        calendar=calendar,
        booked=booked,
        zone=times.zone(),
        today=times.today(),
        providers=[as_provider(p) for p in providers],
        rooms=[as_resource(r) for r in rooms],
        devices=[as_resource(d) for d in devices],
        min_gaps=min_gaps or {},
    )


# ---- free slots ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime
    provider: object
    room: Room
    device: Device


def free_slots(
    *,
    session_type: SessionType,
    day: date,
    provider=None,
    room: Room | None = None,
    limit: int = 12,
    days: int = 14,
) -> list[Slot]:
    """The next free slots from `day` on: a qualified provider at work, a room and a device of
    the right kind, all free, inside opening hours. Reads everything for the window at once.

    It does not know the patient (`patient_free_slots` does); booking still checks
    eligibility, consent and intervals.
    """
    found = _search(session_type, day, provider, room, days)
    if found is None:
        return []
    clinic, people, rooms, devices = found
    on_days = [day + timedelta(days=offset) for offset in range(days + 1)]
    shares = _days_booked(clinic.booked, on_days)
    slots: list[booking.Found] = []
    for on in on_days:
        search = booking.Search(on, 0, session_type.duration, times.slot_step(), limit - len(slots))
        that_day = replace(clinic, booked=shares[on])
        slots += booking.free_slots(search, that_day, now=timezone.now())
        if len(slots) >= limit:
            break
    return [_slot(f, people, rooms, devices) for f in slots]


def _days_booked(
    booked: list[booking.Booked], days: list[date], *, patient: int | None = None
) -> dict[date, list[booking.Booked]]:
    """Each day's share of `booked` (earliest first, as `live_sessions` gives them): those
    overlapping the day and all of `patient`'s, in their order. A slot lies within its day,
    so a day's search need look at no other session, and a busy fortnight costs a day's work
    per day instead of a fortnight's per slot."""
    starts = [b.start for b in booked]
    theirs = {i for i, b in enumerate(booked) if b.patient == patient}
    shares: dict[date, list[booking.Booked]] = {}
    for day in days:
        start_of_day, end_of_day = times.day_bounds(day)
        first = bisect_left(starts, start_of_day - LONGEST_SESSION)
        last = bisect_left(starts, end_of_day)
        overlap = {i for i in range(first, last) if booked[i].end > start_of_day}
        shares[day] = [booked[i] for i in sorted(overlap | theirs)]
    return shares


@dataclass(frozen=True)
class PatientSlots:
    """The free slots one patient could be booked into, or why they cannot be booked at all."""

    slots: list[Slot]
    blocked: str = ""


def patient_free_slots(
    *,
    user,
    patient: Patient,
    session_type: SessionType,
    day: date,
    provider=None,
    room: Room | None = None,
    limit: int = 12,
    days: int = 14,
) -> PatientSlots:
    """`free_slots` for one patient: only slots on days they are eligible for the session
    type's procedures, outside their minimum intervals and clear of their other sessions, so
    each can be booked as offered (consent aside: the page asks for it). A patient who cannot
    have the session type on `day` gets the reason instead of slots."""
    _require(user, VIEW)
    _require(user, "intake.view_patient")
    if patient.is_archived:
        return PatientSlots([], f"{patient.full_name}'s record is archived; restore it to book.")
    on_days = [day + timedelta(days=offset) for offset in range(days + 1)]
    verdicts = eligibility_on_days(patient, [(session_type, d) for d in on_days])
    if not verdicts[0].bookable:
        why = verdicts[0].message().rstrip(". ")
        return PatientSlots([], f"Not bookable on {day:%d %b %Y}: {why}.")
    found = _search(session_type, day, provider, room, days, patient=patient.pk)
    if found is None:
        return PatientSlots([])
    clinic, people, rooms, devices = found
    shares = _days_booked(clinic.booked, on_days, patient=patient.pk)
    slots: list[booking.Found] = []
    for on, verdict in zip(on_days, verdicts, strict=True):
        if verdict.bookable:
            that_day = replace(clinic, booked=shares[on])
            slots += _patient_day(that_day, session_type, on, patient.pk, limit - len(slots))
        if len(slots) >= limit:
            break
    return PatientSlots([_slot(f, people, rooms, devices) for f in slots])


#: More slots than a day has: a day of one patient's search is read whole, then filtered.
_WHOLE_DAY = 24 * 60


def _patient_day(
    that_day: booking.Clinic, session_type: SessionType, day: date, patient: int, limit: int
) -> list[booking.Found]:
    """The first `limit` free slots of `day` the patient can take: not inside a minimum
    interval, not at the same time as another of their sessions. `that_day` holds only that
    day's sessions and the patient's (`_days_booked`)."""
    search = booking.Search(day, 0, session_type.duration, times.slot_step(), _WHOLE_DAY)
    taken: list[booking.Found] = []
    for found in booking.free_slots(search, that_day, now=timezone.now()):
        if _patient_can_take(found, that_day, patient, session_type.procedures):
            taken.append(found)
            if len(taken) >= limit:
                break
    return taken


def _patient_can_take(
    found: booking.Found, clinic: booking.Clinic, patient: int, procedures: tuple[str, ...]
) -> bool:
    if any(
        b.patient == patient for b in booking.overlapping(clinic.booked, found.start, found.end)
    ):
        return False
    return not booking.interval_problems(
        clinic.booked,
        patient=patient,
        procedures=procedures,
        start=found.start,
        min_gaps=clinic.min_gaps,
        zone=clinic.zone,
    )


def min_gaps() -> dict[str, timedelta]:
    """The minimum gap between two sessions of a procedure for one patient, start to start."""
    return {p: timedelta(hours=h) for p, h in settings.SCHEDULING_MIN_INTERVAL_HOURS.items()}


def _search(
    session_type: SessionType,
    day: date,
    provider,
    room: Room | None,
    days: int,
    *,
    patient: int | None = None,
) -> tuple[booking.Clinic, list, list[Room], list[Device]] | None:
    """The clinic over the search window (and, for a patient, their sessions within the widest
    minimum gap either side of it) with the candidates; None when a resource has none."""
    people = [
        p
        for p in listed_providers(session_type)
        if p.is_active and (provider is None or p.pk == provider.pk)
    ]
    rooms = [r for r in rooms_for(session_type) if room is None or r.pk == room.pk]
    devices = devices_for(session_type)
    if not (people and rooms and devices):
        return None
    last_day = day + timedelta(days=days)
    first_start, last_end = times.day_bounds(day)[0], times.day_bounds(last_day)[1]
    # Bounded on both sides by start (no session is longer than a day), so that the query reads
    # the window's stretch of the start index, not all history before it.
    window = Q(start__gte=first_start - LONGEST_SESSION, start__lt=last_end, end__gt=first_start)
    gaps = min_gaps()
    if patient is not None:
        widest = booking.widest_gap(session_type.procedures, gaps)
        window |= Q(patient=patient, start__gt=first_start - widest, start__lt=last_end + widest)
    clinic = booking_clinic(
        calendar=calendar(day, last_day, providers=[p.pk for p in people]),
        booked=live_sessions(window),
        providers=people,
        rooms=rooms,
        devices=devices,
        min_gaps=gaps,
    )
    return clinic, people, rooms, devices


def _slot(found: booking.Found, people: list, rooms: list[Room], devices: list[Device]) -> Slot:
    return Slot(
        found.start,
        found.end,
        instance_of(found.provider, people),
        instance_of(found.room, rooms),
        instance_of(found.device, devices),
    )
