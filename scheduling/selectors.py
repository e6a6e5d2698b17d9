"""Reads of sessions. Each takes the user: permission checks and access logging live here."""

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.audit import log_access, log_access_many
from intake.models import Patient
from scheduling import times
from scheduling.models import (
    RELEASED,
    ClosedDay,
    Consent,
    Device,
    OpeningHours,
    ProviderHours,
    Room,
    SessionType,
    TreatmentSession,
)
from scheduling.services import UPCOMING, provider_name

VIEW = "scheduling.view_treatmentsession"
# The grid's hours on a day without opening hours (a closed day still shows what is booked).
_FALLBACK_HOURS = (time(8, 0), time(18, 0))
# No session lasts longer than this: a session type lasts at most 480 minutes (a check
# constraint), every booking and reschedule sets end = start + that duration, and a session
# must end on the day it starts. The day view looks this far back for sessions still running
# at midnight, so that its query reads a few days of the start index instead of all history.
LONGEST_SESSION = timedelta(days=1)


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


def session_get(*, user, pk: int, log: bool = True) -> TreatmentSession:
    _require(user, VIEW)
    session = get_object_or_404(_sessions().select_related("booked_by", "charted_by"), pk=pk)
    if log:
        log_access(session, by=user)
    return session


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
_ATTENTION_FIELDS = (
    "start",
    "end",
    "status",
    "blocked_reason",
    "patient__mrn",
    "patient__first_name",
    "patient__last_name",
    "session_type__name",
)


def sessions_needing_attention(*, user, page: int | str | None = None) -> Page:
    """Sessions from the start of today that can no longer go ahead as booked (the reason is
    set by check-in and by re-checks when a patient's eligibility changes), soonest first.

    One page of them; a fixed number of queries whatever its size: the count, the page, and
    one bulk insert of the access log for the sessions shown.
    """
    _require(user, VIEW)
    day_start, _ = times.day_bounds(times.today())
    sessions = (
        TreatmentSession.objects.select_related("patient", "session_type")
        .filter(status__in=UPCOMING, start__gte=day_start)
        .exclude(blocked_reason="")
        .only(*_ATTENTION_FIELDS)
        .order_by("start", "id")
    )
    shown = Paginator(sessions, ATTENTION_PAGE_SIZE).get_page(page)
    shown.object_list = list(shown.object_list)
    _log_many(shown.object_list, by=user)
    return shown


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


_DAY_VIEW_FIELDS = (
    *_ATTENTION_FIELDS,
    "provider__first_name",
    "provider__last_name",
    "provider__username",
    "room__name",
    "device__name",
)


def day_view(*, user, day: date, by: str = "room") -> DayGrid:
    """A time grid for one day: a column per room (or provider), a row per slot.

    A fixed number of queries whatever the number of sessions: columns, sessions, opening
    hours, closed day, and one bulk insert of the access log.
    """
    _require(user, VIEW)
    start_of_day, end_of_day = times.day_bounds(day)
    sessions = list(
        _sessions()
        .filter(
            start__gte=start_of_day - LONGEST_SESSION,
            start__lt=end_of_day,
            end__gt=start_of_day,
        )
        # What the grid, the cards and the access log show; a patient's other columns (phone
        # numbers parsed on load, address, history) are not read for a hundred cards.
        .only(*_DAY_VIEW_FIELDS)
        .exclude(status__in=RELEASED)
        .order_by("start", "id")
    )
    if by == "provider":
        ids = {s.provider_id for s in sessions}
        working = ProviderHours.objects.filter(weekday=day.weekday()).values("provider_id")
        columns = list(
            get_user_model()
            .objects.filter(Q(pk__in=working) | Q(pk__in=ids))
            .order_by("last_name", "first_name", "pk")
        )
        key = "provider_id"
    else:
        by = "room"
        ids = {s.room_id for s in sessions}
        columns = [r for r in Room.objects.order_by("name") if r.active or r.pk in ids]
        key = "room_id"
    opening = OpeningHours.objects.filter(weekday=day.weekday()).first()
    closed = ClosedDay.objects.filter(day=day).first()

    step = times.slot_step()
    first, last = (opening.opens, opening.closes) if opening else _FALLBACK_HOURS
    grid_start, grid_end = times.at(day, first), times.at(day, last)
    for s in sessions:
        grid_start = min(grid_start, max(s.start, start_of_day))
        grid_end = max(grid_end, min(s.end, end_of_day))
    grid_start = times.at(day, time(times.local(grid_start).hour))
    slots = []
    moment = grid_start
    while moment < grid_end:
        slots.append(moment)
        moment += step

    index = {col.pk: i for i, col in enumerate(columns)}
    table = [[Cell() for _ in columns] for _ in slots]
    for s in sessions:
        col = index.get(getattr(s, key))
        if col is None:
            continue
        first_row = max(0, int((max(s.start, grid_start) - grid_start) / step))
        last_row = max(first_row + 1, math.ceil((min(s.end, grid_end) - grid_start) / step))
        last_row = min(last_row, len(slots))
        cell = table[first_row][col]
        if cell.covered:
            # Only legacy data can overlap: show it in the cell that covers this slot.
            owner = next(
                table[r][col] for r in range(first_row, -1, -1) if not table[r][col].covered
            )
            owner.sessions.append(s)
            continue
        cell.sessions.append(s)
        if cell.rows < last_row - first_row:
            for r in range(first_row + cell.rows, last_row):
                table[r][col].covered = True
            cell.rows = last_row - first_row
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


def column_label(column) -> str:
    return column.name if isinstance(column, Room) else provider_name(column)


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

    It does not know the patient; booking still checks eligibility, consent and intervals.
    """
    last_day = day + timedelta(days=days)
    window_start, _ = times.day_bounds(day)
    _, window_end = times.day_bounds(last_day)
    now = timezone.now()
    people = list(session_type.providers.filter(is_active=True).order_by("last_name", "pk"))
    if provider is not None:
        people = [p for p in people if p.pk == provider.pk]
    rooms = list(Room.objects.filter(kind=session_type.room_kind, active=True).order_by("name"))
    if room is not None:
        rooms = [r for r in rooms if r.pk == room.pk]
    devices = list(Device.objects.filter(kind=session_type.device_kind, active=True))
    if not (people and rooms and devices):
        return []
    opening = {o.weekday: o for o in OpeningHours.objects.all()}
    closed = set(
        ClosedDay.objects.filter(day__gte=day, day__lte=last_day).values_list("day", flat=True)
    )
    shifts: dict[tuple[int, int], list[ProviderHours]] = {}
    for h in ProviderHours.objects.filter(provider__in=people):
        shifts.setdefault((h.provider_id, h.weekday), []).append(h)
    busy = list(
        TreatmentSession.objects.filter(start__lt=window_end, end__gt=window_start)
        .exclude(status__in=RELEASED)
        .values_list("start", "end", "provider_id", "room_id", "device_id")
    )

    def free(kind: int, pk: int, start: datetime, end: datetime) -> bool:
        return not any(b[kind] == pk and b[0] < end and b[1] > start for b in busy)

    found: list[Slot] = []
    step = times.slot_step()
    for offset in range(days + 1):
        current = day + timedelta(days=offset)
        hours = opening.get(current.weekday())
        if hours is None or current in closed:
            continue
        moment = times.at(current, hours.opens)
        close = times.at(current, hours.closes)
        while moment + session_type.duration <= close:
            end = moment + session_type.duration
            if moment > now:
                slot = _fill(moment, end, people, rooms, devices, shifts, free)
                if slot is not None:
                    found.append(slot)
                    if len(found) >= limit:
                        return found
            moment += step
    return found


def _fill(start, end, people, rooms, devices, shifts, free) -> Slot | None:
    s, e = times.local(start), times.local(end)
    person = next(
        (
            p
            for p in people
            if free(2, p.pk, start, end)
            and any(
                h.start <= s.time() and e.date() == s.date() and e.time() <= h.end
                for h in shifts.get((p.pk, s.weekday()), ())
            )
        ),
        None,
    )
    place = next((r for r in rooms if free(3, r.pk, start, end)), None)
    unit = next((d for d in devices if free(4, d.pk, start, end)), None)
    if person is None or place is None or unit is None:
        return None
    return Slot(start, end, person, place, unit)
