"""Demo scheduling data for `seed_demo`: rooms, devices, the physician's hours, consents for
most demo patients, eight weeks of past sessions for the reports, and bookings today and on
the next open days, so the day view and the dashboards have something to show.

Safe to run twice, and meant to be run again on another day (`make run` does, each time): the
bookings are made relative to the day it runs, and a patient already booked that day, or a
slot already taken, is left as it is. Session types are not made here: the demo books the
ones the migrations created (treatments 0003) and gives them the physician.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q

from eligibility.services import eligibility_for
from intake.models import Patient
from scheduling import times
from scheduling.consent import CURRENT
from scheduling.models import (
    RELEASED,
    ClosedDay,
    Consent,
    Device,
    EventKind,
    OpeningHours,
    ProviderHours,
    Room,
    SessionEvent,
    Status,
    TreatmentSession,
)
from treatments.models import DeviceKind, RoomKind, SessionType

ROOMS = (
    ("Room 1", RoomKind.PROCEDURE),
    ("Room 2", RoomKind.PROCEDURE),
    ("Laser room", RoomKind.LASER),
)
DEVICES = (
    ("Pen A", DeviceKind.MICRONEEDLING_PEN, "MN-0001"),
    ("Pen B", DeviceKind.MICRONEEDLING_PEN, "MN-0002"),
    ("Centrifuge 1", DeviceKind.CENTRIFUGE, "CF-0001"),
    ("Laser cap 1", DeviceKind.LASER, "LZ-0001"),
)
# Demo patients (first, last) who have signed every consent; the others show the consent step.
CONSENTED = (("Oliver", "Bennett"), ("Amelia", "Clarke"), ("Harry", "Wilson"))
# (open day from today: 0 is today, first, last, session type, hour, room). Every one at its
# own hour: a day that was "tomorrow" at an earlier run is today now, and the physician gives
# them all. James Okafor has signed no consent: the desk's dashboard shows one missing.
UPCOMING = (
    (0, "Oliver", "Bennett", "Microneedling", 10, "Room 1"),
    (0, "James", "Okafor", "Laser (LLLT)", 12, "Laser room"),
    (0, "Amelia", "Clarke", "PRP", 14, "Room 2"),
    (1, "Harry", "Wilson", "Laser (LLLT)", 9, "Laser room"),
    (1, "James", "Okafor", "PRP", 16, "Room 2"),
    (2, "Oliver", "Bennett", "Laser (LLLT)", 11, "Laser room"),
)
# How far ahead the next open days are looked for (a long closure leaves them out).
LOOK_AHEAD_DAYS = 14


# Past sessions for the reports: (first, last, session type, room, status, lot suffix), one
# set a week for the last eight weeks, each at its own hour so nothing overlaps.
HISTORY = (
    ("Oliver", "Bennett", "PRP with microneedling", "Room 1", Status.COMPLETED),
    ("Amelia", "Clarke", "PRP", "Room 2", Status.COMPLETED),
    ("James", "Okafor", "Laser (LLLT)", "Laser room", Status.COMPLETED),
    ("Harry", "Wilson", "Microneedling", "Room 1", Status.NO_SHOW),
    ("James", "Okafor", "PRP", "Room 2", Status.CANCELLED),
)
HISTORY_WEEKS = 8


def _patient(first: str, last: str) -> Patient | None:
    return Patient.objects.filter(first_name=first, last_name=last).first()


def _patient_and_type(first: str, last: str, type_name: str) -> tuple | None:
    """The demo patient and the session type by name; None when either is missing."""
    patient = _patient(first, last)
    session_type = SessionType.objects.filter(name=type_name).first()
    if patient is None or session_type is None:
        return None
    return patient, session_type


@dataclass(frozen=True)
class _Clinic:
    """Who and where every demo session is with: the physician, booked at the front desk, in
    one of the demo's rooms (by name)."""

    physician: Any
    desk: Any
    rooms: dict[str, Room]

    def session(self, *, session_type, room: str, start, end, **fields) -> TreatmentSession:
        """A session written directly: the demo's are in the past, or may be, which booking
        refuses; the patients are eligible and consented all the same."""
        return TreatmentSession.objects.create(
            session_type=session_type,
            provider=self.physician,
            room=self.rooms[room],
            device=Device.objects.filter(kind=session_type.device_kind, active=True).first(),
            start=start,
            end=end,
            booked_by=self.desk,
            **fields,
        )

    def book(self, *, patient, session_type, room: str, day: date, hour: int) -> None:
        """A booked session as booking leaves it: decided on the patient's screenings and
        clearances of that day, with its booking event."""
        start = times.at(day, time(hour))
        session = self.session(
            session_type=session_type,
            room=room,
            start=start,
            end=start + timedelta(minutes=session_type.duration_minutes),
            patient=patient,
            status=Status.BOOKED,
        )
        eligibility = eligibility_for(patient, session_type, on=day)
        session.screenings.set(eligibility.screenings)
        session.reviews.set(eligibility.reviews)
        SessionEvent.objects.create(
            session=session, kind=EventKind.BOOKED, by=self.desk, to_start=start, detail="Demo data"
        )


def _history_day(week: int) -> date:
    """Today's weekday `week` weeks ago; a Saturday or Sunday becomes the Tuesday before."""
    day = times.today() - timedelta(weeks=week)
    day -= timedelta(days=day.weekday() - 1) if day.weekday() > 4 else timedelta()
    return day


def _treatment_record(*, type_name: str, week: int, end: datetime, physician) -> dict:
    """A completed session's record, with the lots and settings of its procedures."""
    microneedling = "microneedling" in type_name.lower()
    return {
        "charted_at": end,
        "charted_by": physician,
        "completed_at": end,
        "post_care_given": True,
        "cartridge_lot": f"CT-24{week:02d}" if microneedling else "",
        "prp_kit_lot": f"PK-{7000 + week}" if "PRP" in type_name else "",
        "needle_depth_mm": "1.5" if microneedling else None,
        "lllt_minutes": 20 if "LLLT" in type_name else None,
    }


def _history(clinic: _Clinic) -> int:
    """Weekly past sessions with treatment records, so every report has figures to show."""
    if TreatmentSession.objects.filter(start__lt=times.day_bounds(times.today())[0]).exists():
        return 0
    added = 0
    for week in range(1, HISTORY_WEEKS + 1):
        day = _history_day(week)
        for hour_offset, (first, last, type_name, room_name, status) in enumerate(HISTORY):
            found = _patient_and_type(first, last, type_name)
            if found is None:
                continue
            patient, session_type = found
            start = times.at(day, time(9 + 2 * hour_offset))
            end = start + timedelta(minutes=session_type.duration_minutes)
            record = {}
            if status == Status.COMPLETED:
                record = _treatment_record(
                    type_name=type_name, week=week, end=end, physician=clinic.physician
                )
            clinic.session(
                session_type=session_type,
                room=room_name,
                start=start,
                end=end,
                patient=patient,
                status=status,
                booked_at=start - timedelta(days=7),
                cancel_reason="Patient asked to move it" if status == Status.CANCELLED else "",
                **record,
            )
            added += 1
    return added


def _booking_days() -> list[date]:
    """Today, whether the clinic opens or not (the desk's dashboard shows today), then the next
    days it opens: a weekday with opening hours that is not a closed day."""
    today = times.today()
    ahead = [today + timedelta(days=n) for n in range(1, LOOK_AHEAD_DAYS + 1)]
    open_weekdays = set(OpeningHours.objects.values_list("weekday", flat=True))
    closed = set(ClosedDay.objects.filter(day__in=ahead).values_list("day", flat=True))
    return [today, *(d for d in ahead if d.weekday() in open_weekdays and d not in closed)]


def _taken(clinic: _Clinic, *, patient, room: str, day: date, start, end) -> bool:
    """The patient is booked that day already (by an earlier run, or moved there), or the
    physician or the room is busy then: leave it, as booking would."""
    start_of_day, end_of_day = times.day_bounds(day)
    return (
        TreatmentSession.objects.exclude(status__in=RELEASED)
        .filter(
            Q(patient=patient, start__gte=start_of_day, start__lt=end_of_day)
            | (
                Q(start__lt=end, end__gt=start)
                & (Q(provider=clinic.physician) | Q(room=clinic.rooms[room]))
            )
        )
        .exists()
    )


def _upcoming(clinic: _Clinic) -> int:
    """The bookings of today and the next open days, for the patients not booked yet."""
    days = _booking_days()
    added = 0
    for offset, first, last, type_name, hour, room_name in UPCOMING:
        found = _patient_and_type(first, last, type_name)
        if found is None or offset >= len(days):
            continue
        patient, session_type = found
        day = days[offset]
        start = times.at(day, time(hour))
        end = start + timedelta(minutes=session_type.duration_minutes)
        if _taken(clinic, patient=patient, room=room_name, day=day, start=start, end=end):
            continue
        clinic.book(patient=patient, session_type=session_type, room=room_name, day=day, hour=hour)
        added += 1
    return added


def _rooms() -> dict[str, Room]:
    return {
        name: Room.objects.get_or_create(name=name, defaults={"kind": kind})[0]
        for name, kind in ROOMS
    }


def _devices() -> None:
    for name, kind, serial in DEVICES:
        Device.objects.get_or_create(serial=serial, defaults={"name": name, "kind": kind})


def _physician(physician) -> None:
    """The physician works whenever the clinic is open and gives every session type."""
    for hours in OpeningHours.objects.all():
        ProviderHours.objects.get_or_create(
            provider=physician,
            weekday=hours.weekday,
            start=hours.opens,
            defaults={"end": hours.closes},
        )
    for session_type in SessionType.objects.all():
        session_type.providers.add(physician)


def _consents(desk) -> None:
    """Every current consent for the CONSENTED patients, witnessed at the desk."""
    for first, last in CONSENTED:
        patient = _patient(first, last)
        if patient is None:
            continue
        for procedure, text in CURRENT.items():
            Consent.objects.get_or_create(
                patient=patient,
                procedure=procedure,
                defaults={
                    "text_version": text.version,
                    "typed_name": patient.full_name,
                    "agreed": True,
                    "witnessed_by": desk,
                },
            )


@transaction.atomic
def seed(*, physician, desk) -> int:
    """Returns the number of sessions added."""
    clinic = _Clinic(physician, desk, _rooms())
    _devices()
    _physician(physician)
    _consents(desk)
    return _history(clinic) + _upcoming(clinic)
