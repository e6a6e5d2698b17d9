"""Scheduling test data. Patients are screened the honest way: an intake, then screen_intake."""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.utils import timezone

from core.roles import FRONT_DESK, PHYSICIAN
from eligibility import rules
from eligibility.services import screen_intake
from scheduling import times
from scheduling.models import Device, OpeningHours, Room, Status, TreatmentSession
from tests.factories import (
    ConsentFactory,
    DeviceFactory,
    IntakeFactory,
    OpeningHoursFactory,
    ProviderHoursFactory,
    RoomFactory,
    SessionTypeFactory,
    TreatmentSessionFactory,
    UserFactory,
    all_no,
)
from treatments.models import DeviceKind, RoomKind, SessionType

MN = "Microneedling"
PRP = "PRP"
PRP_MN = "PRP with microneedling"
LLLT = "Laser (LLLT)"
MN_LLLT = "Microneedling then LLLT"

# The migrations' defaults (scheduling 0003, treatments 0003), for tests whose database was
# flushed (transactional ones).
SESSION_TYPES = (
    (MN, "microneedling", 45, RoomKind.PROCEDURE, DeviceKind.MICRONEEDLING_PEN),
    (PRP, "prp", 60, RoomKind.PROCEDURE, DeviceKind.CENTRIFUGE),
    (PRP_MN, "prp+microneedling", 75, RoomKind.PROCEDURE, DeviceKind.CENTRIFUGE),
    (LLLT, "lllt", 30, RoomKind.LASER, DeviceKind.LASER),
    (MN_LLLT, "microneedling+lllt", 60, RoomKind.LASER, DeviceKind.LASER),
)


def open_every_day(opens: time = time(8), closes: time = time(20)) -> None:
    OpeningHours.objects.all().delete()
    for weekday in range(7):
        OpeningHoursFactory(weekday=weekday, opens=opens, closes=closes)


def session_types() -> dict[str, SessionType]:
    found = {}
    for name, codes, minutes, room_kind, device_kind in SESSION_TYPES:
        found[name] = SessionTypeFactory(
            name=name,
            procedure_codes=codes,
            duration_minutes=minutes,
            room_kind=room_kind,
            device_kind=device_kind,
        )
    return found


def give_hours(user, start: time = time(8), end: time = time(20)) -> None:
    for weekday in range(7):
        ProviderHoursFactory(provider=user, weekday=weekday, start=start, end=end)


def make_provider(username: str | None = None, *, role: str = PHYSICIAN, types=()):
    user = UserFactory(**({"username": username} if username else {}), role=role)
    give_hours(user)
    for session_type in types:
        session_type.providers.add(user)
    return user


def screened_patient(*, by, yes: tuple[str, ...] = (), consent: bool = True, **patient):
    """A patient with an intake (all 'no' but `yes`), screened, with consents on file."""
    intake = IntakeFactory(answers=all_no(**dict.fromkeys(yes, True)), **patient)
    screen_intake(by=by, intake=intake)
    if consent:
        sign_all(intake.patient, by=by)
    return intake.patient


def sign_all(patient, *, by, procedures=rules.PROCEDURES) -> None:
    for procedure in procedures:
        ConsentFactory(patient=patient, procedure=procedure, witnessed_by=by)


def on_day(days_ahead: int, hour: int, minute: int = 0) -> datetime:
    return times.at(times.today() + timedelta(days=days_ahead), time(hour, minute))


@dataclass
class Clinic:
    desk: object
    doctor: object
    types: dict[str, SessionType]
    rooms: dict[str, Room]
    devices: dict[str, Device]
    extra: dict = field(default_factory=dict)


def make_clinic(desk=None, doctor=None) -> Clinic:
    """Open every day 08:00-20:00, two procedure rooms, a laser room, devices, one physician
    who may perform every session type."""
    open_every_day()
    types = session_types()
    desk = desk or UserFactory(role=FRONT_DESK)
    doctor = doctor or UserFactory(role=PHYSICIAN)
    give_hours(doctor)
    for session_type in types.values():
        session_type.providers.add(doctor)
    rooms = {
        name: RoomFactory(name=name, kind=kind)
        for name, kind in (
            ("Room 1", RoomKind.PROCEDURE),
            ("Room 2", RoomKind.PROCEDURE),
            ("Laser room", RoomKind.LASER),
        )
    }
    devices = {
        name: DeviceFactory(serial=serial, kind=kind, name=name)
        for name, kind, serial in (
            ("Pen A", DeviceKind.MICRONEEDLING_PEN, "PEN-A"),
            ("Pen B", DeviceKind.MICRONEEDLING_PEN, "PEN-B"),
            ("Centrifuge 1", DeviceKind.CENTRIFUGE, "CF-1"),
            ("Laser 1", DeviceKind.LASER, "LZ-1"),
        )
    }
    return Clinic(desk, doctor, types, rooms, devices)


def make_session(
    clinic: Clinic, *, patient, start=None, type_name=MN, **fields
) -> TreatmentSession:
    """A session written directly (no gates), for tests of what comes after booking."""
    session_type = clinic.types[type_name]
    start = start or timezone.now()
    defaults = {
        "provider": clinic.doctor,
        "room": clinic.rooms[
            "Laser room" if session_type.room_kind == RoomKind.LASER else "Room 1"
        ],
        "device": Device.objects.filter(kind=session_type.device_kind).order_by("pk").first(),
        "status": Status.BOOKED,
        "booked_by": clinic.desk,
    }
    return TreatmentSessionFactory(
        patient=patient, session_type=session_type, start=start, **{**defaults, **fields}
    )
