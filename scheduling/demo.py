"""Demo scheduling data for `seed_demo`: rooms, devices, the physician's hours, consents for
most demo patients, and two sessions today so the day view has something to show.

Safe to run twice: everything is looked up before it is added.
"""

from datetime import time, timedelta

from django.db import transaction

from eligibility.services import eligibility_for
from intake.models import Patient
from scheduling import times
from scheduling.consent import CURRENT
from scheduling.models import (
    Consent,
    Device,
    DeviceKind,
    EventKind,
    OpeningHours,
    ProviderHours,
    Room,
    RoomKind,
    SessionEvent,
    SessionType,
    Status,
    TreatmentSession,
)

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
# (first, last, session type, hour today, room)
TODAY = (
    ("Oliver", "Bennett", "Microneedling", 10, "Room 1"),
    ("Amelia", "Clarke", "PRP", 14, "Room 2"),
)


@transaction.atomic
def seed(*, physician, desk) -> int:
    """Returns the number of sessions added."""
    rooms = {
        name: Room.objects.get_or_create(name=name, defaults={"kind": kind})[0]
        for name, kind in ROOMS
    }
    for name, kind, serial in DEVICES:
        Device.objects.get_or_create(serial=serial, defaults={"name": name, "kind": kind})
    for hours in OpeningHours.objects.all():
        ProviderHours.objects.get_or_create(
            provider=physician,
            weekday=hours.weekday,
            start=hours.opens,
            defaults={"end": hours.closes},
        )
    for session_type in SessionType.objects.all():
        session_type.providers.add(physician)

    for first, last in CONSENTED:
        patient = Patient.objects.filter(first_name=first, last_name=last).first()
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

    added = 0
    today = times.today()
    start_of_day, end_of_day = times.day_bounds(today)
    for first, last, type_name, hour, room_name in TODAY:
        patient = Patient.objects.filter(first_name=first, last_name=last).first()
        session_type = SessionType.objects.filter(name=type_name).first()
        if patient is None or session_type is None:
            continue
        if TreatmentSession.objects.filter(
            patient=patient, start__gte=start_of_day, start__lt=end_of_day
        ).exists():
            continue
        start = times.at(today, time(hour))
        device = Device.objects.filter(kind=session_type.device_kind, active=True).first()
        # Written directly: a demo session today may already be in the past, which booking
        # refuses; the patient is eligible and consented all the same.
        session = TreatmentSession.objects.create(
            patient=patient,
            session_type=session_type,
            provider=physician,
            room=rooms[room_name],
            device=device,
            start=start,
            end=start + timedelta(minutes=session_type.duration_minutes),
            status=Status.BOOKED,
            booked_by=desk,
        )
        eligibility = eligibility_for(patient, session_type, on=today)
        session.screenings.set(eligibility.screenings)
        session.reviews.set(eligibility.reviews)
        SessionEvent.objects.create(
            session=session, kind=EventKind.BOOKED, by=desk, to_start=start, detail="Demo data"
        )
        added += 1
    return added
