# ruff: noqa: RUF001 - time spans use en dashes
"""Writes to the clinic's set-up: rooms, devices, session types, opening hours, closed days and
provider hours (issue 14). Each checks the permission, then validates and saves in one
transaction under `actor(by)`, so auditlog's entry names the admin whatever called it.

What is saved must keep booking working (scheduling.rules reads all of it), and a change must
not strand what is already booked: deactivating a room, device or session type, changing what
kind a room or device is, closing a day, or narrowing opening or provider hours is refused
while live sessions ahead depend on it, with how many and on which days. Only the count and
the days are given: who the patients are is the front desk's to see, and theirs to move.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time
from typing import TypeVar

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model, Q

from configuration import selectors
from configuration.selectors import Booked, booked_ahead
from core.audit import actor
from scheduling import rules, times
from scheduling.models import (
    ClosedDay,
    Device,
    OpeningHours,
    ProviderHours,
    Room,
    TreatmentSession,
    Weekday,
)
from scheduling.selectors import provider_name
from treatments.models import DeviceKind, RoomKind, SessionType

ASK_THE_DESK = "Ask the front desk to move or cancel them first."

M = TypeVar("M", bound=Model)

Week = Mapping[int, tuple[time, time] | None]


def _require(by, perm: str, what: str) -> None:
    if not by.has_perm(perm):
        raise PermissionDenied(f"You may not {what}.")


def _saved(record: M) -> M:
    """The model's own checks (fields, uniqueness, constraints) first: a refusal is a form
    error, never a database error."""
    record.full_clean()
    record.save()
    return record


def _locked(record: M) -> M:
    """The record as stored, locked for the rest of the transaction (PostgreSQL; SQLite's
    IMMEDIATE transactions already serialise writers)."""
    return type(record).objects.select_for_update().get(pk=record.pk)


def _day(day: date) -> str:
    return f"{day:%a %d %b %Y}"


def _span(start: time, end: time) -> str:
    return f"{start:%H:%M}–{end:%H:%M}"


def _set_active(by, record: M, active: bool, perm: str, what: str, sessions: Q | None = None) -> M:
    """Deactivate (refused while `sessions` ahead would be stranded) or reactivate a room,
    device or session type, under a row lock so a concurrent change waits."""
    _require(by, perm, what)
    with transaction.atomic(), actor(by):
        record = _locked(record)
        if not active:
            _refuse_if_booked(
                booked_ahead(sessions), f"{record.name} can't be deactivated: it has {{booked}}."
            )
        record.active = active
        return _saved(record)


def _refuse_if_booked(booked: Booked, message: str, *, field: str | None = None) -> None:
    """Refuse with `message` ({booked}: how many, which days) when sessions ahead depend on
    what is being changed."""
    if booked:
        text = f"{message.format(booked=booked.describe())} {ASK_THE_DESK}"
        raise ValidationError({field: text} if field else text)


def _name_taken(model: type[Model], name: str, *, exclude: int | None, what: str) -> None:
    """Names are unique in the database; the same name in other capitals is refused too, as
    the front desk could not tell the two apart."""
    other = model.objects.filter(name__iexact=name).exclude(pk=exclude).first()
    if other is not None:
        raise ValidationError({"name": f"There is already {what} called “{other.name}”."})


# ---- rooms ---------------------------------------------------------------------------------


def room_create(*, by, name: str, kind: str) -> Room:
    _require(by, "scheduling.add_room", "add rooms")
    name = name.strip()
    with transaction.atomic(), actor(by):
        _name_taken(Room, name, exclude=None, what="a room")
        return _saved(Room(name=name, kind=kind))


def room_update(*, by, room: Room, name: str, kind: str) -> Room:
    """Rename a room or change its kind; a kind is kept while sessions ahead are booked in the
    room (their session types need the kind it has)."""
    _require(by, "scheduling.change_room", "change rooms")
    name = name.strip()
    with transaction.atomic(), actor(by):
        room = _locked(room)
        _name_taken(Room, name, exclude=room.pk, what="a room")
        if kind != room.kind:
            _refuse_if_booked(
                booked_ahead(Q(room=room)),
                f"{room.name} stays a {room.get_kind_display().lower()} while it has {{booked}}.",
                field="kind",
            )
        room.name, room.kind = name, kind
        return _saved(room)


def room_deactivate(*, by, room: Room) -> Room:
    """An inactive room takes no new booking or move; refused while sessions ahead are in it,
    which would otherwise be booked into a room the clinic no longer uses."""
    return _set_active(by, room, False, "scheduling.change_room", "change rooms", Q(room=room))


def room_reactivate(*, by, room: Room) -> Room:
    return _set_active(by, room, True, "scheduling.change_room", "change rooms")


# ---- devices -------------------------------------------------------------------------------


def _serial_taken(serial: str, *, exclude: int | None) -> None:
    other = Device.objects.filter(serial__iexact=serial).exclude(pk=exclude).first()
    if other is not None:
        raise ValidationError(
            {"serial": f"Serial {other.serial} is already recorded, for {other.name}."}
        )


def device_create(*, by, name: str, kind: str, serial: str) -> Device:
    _require(by, "scheduling.add_device", "add devices")
    name, serial = name.strip(), serial.strip()
    with transaction.atomic(), actor(by):
        _serial_taken(serial, exclude=None)
        return _saved(Device(name=name, kind=kind, serial=serial))


def device_update(*, by, device: Device, name: str, kind: str, serial: str) -> Device:
    """A device's kind is kept while sessions ahead use it (their session types need it)."""
    _require(by, "scheduling.change_device", "change devices")
    name, serial = name.strip(), serial.strip()
    with transaction.atomic(), actor(by):
        device = _locked(device)
        _serial_taken(serial, exclude=device.pk)
        if kind != device.kind:
            _refuse_if_booked(
                booked_ahead(Q(device=device)),
                f"{device.name} stays a {device.get_kind_display().lower()} while it has "
                "{booked}.",
                field="kind",
            )
        device.name, device.kind, device.serial = name, kind, serial
        return _saved(device)


def device_deactivate(*, by, device: Device) -> Device:
    return _set_active(
        by, device, False, "scheduling.change_device", "change devices", Q(device=device)
    )


def device_reactivate(*, by, device: Device) -> Device:
    return _set_active(by, device, True, "scheduling.change_device", "change devices")


# ---- session types -------------------------------------------------------------------------


def _treating(providers: Iterable[AbstractBaseUser], *, keep: Iterable[int] = ()) -> list:
    """Only staff who can treat may be listed (or those listed already, kept as they are)."""
    providers = list(providers)
    allowed = set(selectors.treating_staff().values_list("pk", flat=True)) | set(keep)
    others = [provider_name(p) for p in providers if p.pk not in allowed]
    if others:
        raise ValidationError({"providers": f"Not staff who can treat: {', '.join(others)}."})
    return providers


def sessiontype_create(
    *,
    by,
    name: str,
    procedures: Sequence[str],
    duration_minutes: int,
    room_kind: str,
    device_kind: str,
    colour: str,
    providers: Iterable[AbstractBaseUser] = (),
) -> SessionType:
    _require(by, "treatments.add_sessiontype", "add session types")
    name = name.strip()
    with transaction.atomic(), actor(by):
        _name_taken(SessionType, name, exclude=None, what="a session type")
        session_type = _saved(
            SessionType(
                name=name,
                procedure_codes="+".join(procedures),
                duration_minutes=duration_minutes,
                room_kind=room_kind,
                device_kind=device_kind,
                colour=colour,
            )
        )
        session_type.providers.set(_treating(providers))
        return session_type


def sessiontype_update(
    *,
    by,
    session_type: SessionType,
    name: str,
    procedures: Sequence[str],
    duration_minutes: int,
    room_kind: str,
    device_kind: str,
    colour: str,
    providers: Iterable[AbstractBaseUser] = (),
) -> SessionType:
    """Change a session type. Its procedures are fixed once a session of it is on record: the
    record of what was done, the interval rules and the reports read them from the type.
    Its kinds of room and device, and who performs it, are kept while sessions ahead rely on
    them. A new length applies to bookings and moves from now on."""
    _require(by, "treatments.change_sessiontype", "change session types")
    name = name.strip()
    codes = "+".join(procedures)
    with transaction.atomic(), actor(by):
        session_type = _locked(session_type)
        _name_taken(SessionType, name, exclude=session_type.pk, what="a session type")
        mine = Q(session_type=session_type)
        if codes != session_type.procedure_codes and (
            TreatmentSession.objects.filter(mine).exists()
        ):
            raise ValidationError(
                f"The procedures of {session_type.name} can't change: sessions of it are on "
                "record, and what was done in them would change too. Add a new session type "
                "with these procedures and deactivate this one."
            )
        if room_kind != session_type.room_kind:
            _refuse_if_booked(
                booked_ahead(mine),
                f"{session_type.name} needs a {RoomKind(session_type.room_kind).label.lower()} "
                "while it has {booked}.",
                field="room_kind",
            )
        if device_kind != session_type.device_kind:
            _refuse_if_booked(
                booked_ahead(mine),
                f"{session_type.name} needs a "
                f"{DeviceKind(session_type.device_kind).label.lower()} while it has {{booked}}.",
                field="device_kind",
            )
        listed = list(session_type.providers.all())
        providers = _treating(providers, keep=[p.pk for p in listed])
        _keep_booked_providers(session_type, listed, providers)
        session_type.name = name
        session_type.procedure_codes = codes
        session_type.duration_minutes = duration_minutes
        session_type.room_kind, session_type.device_kind = room_kind, device_kind
        session_type.colour = colour
        _saved(session_type)
        session_type.providers.set(providers)
        return session_type


def _keep_booked_providers(session_type: SessionType, listed: list, wanted: list) -> None:
    """A provider stays listed while they have sessions of the type ahead: moving one would
    otherwise be refused as 'not listed to perform'."""
    kept = {p.pk for p in wanted}
    problems = []
    for provider in listed:
        if provider.pk in kept:
            continue
        booked = booked_ahead(Q(session_type=session_type, provider=provider))
        if booked:
            problems.append(
                f"{provider_name(provider)} stays listed for {session_type.name} while they "
                f"have {booked.describe()} of it."
            )
    if problems:
        raise ValidationError({"providers": [*problems, ASK_THE_DESK]})


def sessiontype_deactivate(*, by, session_type: SessionType) -> SessionType:
    """An inactive session type is no longer offered: it can't be booked, and a session of it
    can't be moved; so it is refused while sessions of it are booked ahead."""
    return _set_active(
        by,
        session_type,
        False,
        "treatments.change_sessiontype",
        "change session types",
        Q(session_type=session_type),
    )


def sessiontype_reactivate(*, by, session_type: SessionType) -> SessionType:
    return _set_active(
        by, session_type, True, "treatments.change_sessiontype", "change session types"
    )


# ---- opening hours -------------------------------------------------------------------------


def _fits(hours: Sequence[rules.Hours], start: datetime, end: datetime) -> bool:
    return rules.within(hours, times.local(start), times.local(end))


def _sessions_ahead(condition: Q | None = None) -> list[tuple[datetime, datetime]]:
    return list(
        TreatmentSession.objects.filter(selectors.ahead(), condition or Q())
        .order_by("start")
        .values_list("start", "end")
    )


def _stranded(
    sessions: list[tuple[datetime, datetime]],
    before: Mapping[int, Sequence[rules.Hours]],
    after: Mapping[int, Sequence[rules.Hours]],
) -> dict[int, Booked]:
    """Per weekday, the sessions that fit the hours before and would not fit those after.
    Sessions already outside (legacy data) are not counted against a change."""
    found: dict[int, list[date]] = {}
    for start, end in sessions:
        weekday = times.local(start).weekday()
        was, will = before.get(weekday, ()), after.get(weekday, ())
        if _fits(was, start, end) and not _fits(will, start, end):
            found.setdefault(weekday, []).append(times.local(start).date())
    return {day: Booked(len(days), min(days), max(days)) for day, days in found.items()}


def _stranded_message(stranded: Mapping[int, Booked], *, whose: str) -> list[str]:
    return [
        f"On {Weekday(day).label}s {booked.describe()} would fall outside {whose}."
        for day, booked in sorted(stranded.items())
    ]


def opening_hours_set(*, by, week: Week) -> list[str]:
    """Set the clinic's week: a weekday mapped to hours is open then, one mapped to None (or
    left out) is closed. Refused when a session booked ahead would fall outside the new hours.

    Returns warnings: provider hours that reach outside the new opening hours, where no
    booking will be taken (they are the admin's to adjust; nothing booked depends on them).
    """
    for perm in ("add", "change", "delete"):
        _require(by, f"scheduling.{perm}_openinghours", "change the opening hours")
    for weekday, hours in week.items():
        if hours is not None and not hours[0] < hours[1]:
            label = Weekday(weekday).label
            raise ValidationError(f"{label}: the clinic must close after it opens.")
    with transaction.atomic(), actor(by):
        current = {o.weekday: o for o in OpeningHours.objects.select_for_update()}
        before = {d: [rules.Hours(o.opens, o.closes)] for d, o in current.items()}
        after = {d: [rules.Hours(*h)] for d, h in week.items() if h is not None}
        stranded = _stranded(_sessions_ahead(), before, after)
        if stranded:
            problems = _stranded_message(stranded, whose="the new opening hours")
            raise ValidationError([*problems, ASK_THE_DESK])
        for weekday in Weekday.values:
            hours, row = week.get(weekday), current.get(weekday)
            if hours is None:
                if row is not None:
                    row.delete()
            elif row is None:
                _saved(OpeningHours(weekday=weekday, opens=hours[0], closes=hours[1]))
            elif (row.opens, row.closes) != hours:
                row.opens, row.closes = hours
                _saved(row)
        return _shifts_outside(after)


def _shifts_outside(opening: Mapping[int, Sequence[rules.Hours]]) -> list[str]:
    outside = [
        shift
        for shift in ProviderHours.objects.all()
        if not any(
            o.start <= shift.start and shift.end <= o.end for o in opening.get(shift.weekday, ())
        )
    ]
    if not outside:
        return []
    people = len({shift.provider_id for shift in outside})
    shifts = "shift" if len(outside) == 1 else "shifts"
    providers = "provider" if people == 1 else "providers"
    return [
        f"{len(outside)} {shifts} of {people} {providers} reach outside the opening hours; "
        "nothing is booked there. Adjust them under Provider hours."
    ]


# ---- closed days ---------------------------------------------------------------------------


def closedday_add(*, by, day: date, reason: str = "") -> ClosedDay:
    """Close the clinic on a day from today on; refused while sessions are booked that day."""
    _require(by, "scheduling.add_closedday", "add closed days")
    if day < times.today():
        raise ValidationError({"day": "Choose today or a later day: past days stay as they were."})
    with transaction.atomic(), actor(by):
        if ClosedDay.objects.filter(day=day).exists():
            raise ValidationError({"day": f"{_day(day)} is already a closed day."})
        start, end = times.day_bounds(day)
        booked = booked_ahead(Q(start__lt=end, end__gt=start))
        if booked:
            raise ValidationError(
                {
                    "day": f"{_day(day)} has {booked.count} booked "
                    f"session{'s' if booked.count != 1 else ''}. {ASK_THE_DESK}"
                }
            )
        return _saved(ClosedDay(day=day, reason=reason.strip()))


def closedday_delete(*, by, closed_day: ClosedDay) -> None:
    """Open a closed day again; a past one stays on record as it was."""
    _require(by, "scheduling.delete_closedday", "remove closed days")
    if closed_day.day < times.today():
        raise ValidationError(f"{_day(closed_day.day)} is past: it stays on record.")
    with transaction.atomic(), actor(by):
        closed_day.delete()


# ---- provider hours ------------------------------------------------------------------------


def _check_shift(
    provider, weekday: int, start: time, end: time, *, others: Sequence[ProviderHours]
) -> None:
    """A shift: in order, on a day the clinic is open and inside its hours (no booking is
    taken outside them), and apart from the provider's other shifts that day (a session must
    fit in one shift, so two that meet or overlap would refuse one that spans them)."""
    label = Weekday(weekday).label
    if not start < end:
        raise ValidationError({"end": "The end must be after the start."})
    opening = OpeningHours.objects.filter(weekday=weekday).first()
    if opening is None:
        raise ValidationError(
            {"weekday": f"The clinic is closed on {label}s; set its opening hours first."}
        )
    if start < opening.opens or end > opening.closes:
        raise ValidationError(
            f"The clinic is open {_span(opening.opens, opening.closes)} on {label}s; "
            f"{_span(start, end)} reaches outside that."
        )
    for other in others:
        if other.weekday == weekday and other.start <= end and other.end >= start:
            joined = _span(min(start, other.start), max(end, other.end))
            raise ValidationError(
                f"{provider_name(provider)} already works {_span(other.start, other.end)} on "
                f"{label}s. Shifts that meet or overlap can't be told apart when booking: make "
                f"them one shift, {joined}."
            )


def _week_of(shifts: Iterable[ProviderHours]) -> dict[int, list[rules.Hours]]:
    week: dict[int, list[rules.Hours]] = {}
    for shift in shifts:
        week.setdefault(shift.weekday, []).append(rules.Hours(shift.start, shift.end))
    return week


def _keep_booked_hours(provider, before: list[ProviderHours], after: list[ProviderHours]) -> None:
    """Refuse a change to a provider's hours that leaves sessions ahead outside them."""
    stranded = _stranded(_sessions_ahead(Q(provider=provider)), _week_of(before), _week_of(after))
    if stranded:
        whose = f"{provider_name(provider)}'s hours"
        raise ValidationError([*_stranded_message(stranded, whose=whose), ASK_THE_DESK])


def _lock_provider(provider) -> list[ProviderHours]:
    """Lock the provider, so two admins' changes to one week are made one after the other,
    and read their shifts."""
    type(provider).objects.select_for_update().filter(pk=provider.pk).first()
    return list(ProviderHours.objects.filter(provider=provider).order_by("weekday", "start"))


def providerhours_add(*, by, provider, weekday: int, start: time, end: time) -> ProviderHours:
    _require(by, "scheduling.add_providerhours", "set provider hours")
    if not selectors.can_treat(provider):
        raise ValidationError(
            f"{provider_name(provider)} can't treat: only physicians and staff listed for a "
            "session type have working hours."
        )
    with transaction.atomic(), actor(by):
        shifts = _lock_provider(provider)
        _check_shift(provider, weekday, start, end, others=shifts)
        return _saved(ProviderHours(provider=provider, weekday=weekday, start=start, end=end))


def providerhours_update(
    *, by, shift: ProviderHours, weekday: int, start: time, end: time
) -> ProviderHours:
    _require(by, "scheduling.change_providerhours", "change provider hours")
    provider = shift.provider
    with transaction.atomic(), actor(by):
        shifts = _lock_provider(provider)
        shift = next((s for s in shifts if s.pk == shift.pk), None)
        if shift is None:
            raise ValidationError("These hours were removed meanwhile.")
        others = [s for s in shifts if s.pk != shift.pk]
        _check_shift(provider, weekday, start, end, others=others)
        changed = ProviderHours(
            pk=shift.pk, provider=provider, weekday=weekday, start=start, end=end
        )
        _keep_booked_hours(provider, shifts, [*others, changed])
        shift.weekday, shift.start, shift.end = weekday, start, end
        return _saved(shift)


def providerhours_delete(*, by, shift: ProviderHours) -> None:
    _require(by, "scheduling.delete_providerhours", "remove provider hours")
    provider = shift.provider
    with transaction.atomic(), actor(by):
        shifts = _lock_provider(provider)
        if not any(s.pk == shift.pk for s in shifts):
            return
        _keep_booked_hours(provider, shifts, [s for s in shifts if s.pk != shift.pk])
        shift.delete()
