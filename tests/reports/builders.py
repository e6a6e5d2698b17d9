"""Scheduling and eligibility records built directly (the services' gates are tested elsewhere)."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from scheduling.models import Device, Room
from tests.factories import (
    DeviceFactory,
    PhysicianReviewFactory,
    RoomFactory,
    ScreeningFactory,
    SessionTypeFactory,
    TreatmentSessionFactory,
)
from treatments.models import SessionType

ZONE = timezone.get_default_timezone()


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """An aware datetime at a clinic-local wall-clock time."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE)


def session_type(name: str, codes: str, minutes: int = 60) -> SessionType:
    kind = "laser" if codes.startswith("lllt") else "procedure"
    device_kind = "laser" if "lllt" in codes else "mn_pen"
    found = SessionTypeFactory(
        name=name,
        procedure_codes=codes,
        duration_minutes=minutes,
        room_kind=kind,
        device_kind=device_kind,
    )
    if found.procedure_codes != codes:
        found.procedure_codes = codes
        found.save()
    return found


def room(name: str) -> Room:
    return RoomFactory(name=name, kind="procedure")


def device(serial: str, kind: str = "mn_pen") -> Device:
    return DeviceFactory(kind=kind, serial=serial)


def session(*, patient, stype, provider, room, device, start, minutes=60, status="booked", **extra):
    fields = {
        "patient": patient,
        "session_type": stype,
        "provider": provider,
        "room": room,
        "device": device,
        "start": start,
        "end": start + timedelta(minutes=minutes),
        "status": status,
        "booked_by": provider,
        **extra,
    }
    if status == "completed":
        fields.setdefault("charted_at", fields["end"])
        fields.setdefault("charted_by", provider)
        fields.setdefault("completed_at", fields["end"])
    if status == "cancelled":
        fields.setdefault("cancel_reason", "Patient called")
    return TreatmentSessionFactory(**fields)


def screening(*, patient, procedure, outcome, reasons=(), screened_at, intake=None, valid_days=30):
    return ScreeningFactory(
        patient=patient,
        **({"intake": intake} if intake else {}),
        procedure=procedure,
        outcome=outcome,
        reasons=[
            {"code": code, "severity": severity, "label": label}
            for code, severity, label in reasons
        ],
        valid_until=timezone.localdate() + timedelta(days=valid_days),
        screened_at=screened_at,
    )


def review(*, screening, decided_at, by, decision="declined"):
    return PhysicianReviewFactory(
        screening=screening, decision=decision, decided_at=decided_at, decided_by=by
    )


def at_now() -> datetime:
    return timezone.now()
