"""What only PostgreSQL can show: the exclusion constraints, and real concurrent bookings."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from scheduling import services
from scheduling.models import Status, TreatmentSession
from tests.scheduling.factories import MN, make_clinic, make_session, on_day, screened_patient

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL exclusion constraint"),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("resource", ["room", "provider", "device", "patient"])
def test_constraint_refuses_an_overlap_that_skips_the_service(resource):
    clinic = make_clinic()
    first_patient = screened_patient(by=clinic.desk)
    other_patient = screened_patient(by=clinic.desk)
    first = make_session(clinic, patient=first_patient, start=on_day(2, 10))
    kwargs = {
        "patient": first_patient if resource == "patient" else other_patient,
        "provider": clinic.doctor if resource == "provider" else _another_doctor(clinic),
        "room": first.room if resource == "room" else clinic.rooms["Room 2"],
        "device": first.device if resource == "device" else clinic.devices["Pen B"],
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        make_session(clinic, start=on_day(2, 10, 30), **kwargs)


def _another_doctor(clinic):
    from tests.scheduling.factories import make_provider

    return make_provider(types=[clinic.types[MN]])


@pytest.mark.django_db(transaction=True)
def test_constraint_ignores_cancelled_sessions():
    clinic = make_clinic()
    patient = screened_patient(by=clinic.desk)
    first = make_session(clinic, patient=patient, start=on_day(2, 10))
    first.status = Status.CANCELLED
    first.cancel_reason = "Ill"
    first.save()
    assert make_session(clinic, patient=patient, start=on_day(2, 10))


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_bookings_of_one_room_make_one_session(run_concurrently):
    clinic = make_clinic()
    patients = [screened_patient(by=clinic.desk) for _ in range(20)]
    doctors = [clinic.doctor] + [_another_doctor(clinic) for _ in range(19)]
    # Every booking has its own patient, provider and device: only the room is shared.
    from scheduling.models import Device
    from treatments.models import DeviceKind

    devices = [
        Device.objects.create(kind=DeviceKind.MICRONEEDLING_PEN, name=f"Pen {i}", serial=f"P{i}")
        for i in range(20)
    ]
    room = clinic.rooms["Room 1"]
    start = on_day(2, 10)

    def book(i: int):
        try:
            session = services.session_book(
                by=clinic.desk,
                patient=patients[i],
                session_type=clinic.types[MN],
                start=start,
                provider=doctors[i],
                room=room,
                device=devices[i],
            )
        except ValidationError as exc:
            return ("refused", " ".join(exc.messages))
        return ("ok", session.pk)

    outcomes, errors = run_concurrently(book, 20)
    results = outcomes + [("error", repr(exc)) for exc in errors]

    kinds = [kind for kind, _ in results]
    assert kinds.count("ok") == 1, results
    assert kinds.count("refused") == 19, results
    refusals = [text for kind, text in results if kind == "refused"]
    assert all("Room 1 is booked" in text for text in refusals), refusals
    assert TreatmentSession.objects.filter(room=room).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_form_posted_five_times_at_once_books_once(run_concurrently):
    clinic = make_clinic()
    patient = screened_patient(by=clinic.desk)

    def book(_: int):
        session = services.session_book(
            by=clinic.desk,
            patient=patient,
            session_type=clinic.types[MN],
            start=on_day(2, 10),
            form_token="same-form",
        )
        return session.pk

    pks, errors = run_concurrently(book, 5)
    results = pks + [repr(exc) for exc in errors]
    assert len(set(results)) == 1, results
    assert TreatmentSession.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_that_leave_the_room_open_each_get_a_free_room(run_concurrently):
    clinic = make_clinic()
    patients = [screened_patient(by=clinic.desk) for _ in range(2)]
    doctors = [clinic.doctor, _another_doctor(clinic)]
    pens = [clinic.devices["Pen A"], clinic.devices["Pen B"]]

    def book(i: int):
        session = services.session_book(
            by=clinic.desk,
            patient=patients[i],
            session_type=clinic.types[MN],
            start=on_day(2, 10),
            provider=doctors[i],
            device=pens[i],
        )
        return session.room.name

    rooms, errors = run_concurrently(book, 2)
    results = rooms + [repr(exc) for exc in errors]
    assert sorted(results) == ["Room 1", "Room 2"], results


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("resource", ["room", "device"])
def test_a_booking_and_a_deactivation_at_once_never_leave_a_session_in_an_unused_room(
    run_concurrently, resource
):
    """An admin takes a room (or device) out of use while the desk books into it: either the
    booking stands and the deactivation is refused, or the room is out of use and nothing was
    booked in it; never both (issue 14: the set-up pages)."""
    from configuration import services as setup

    clinic = make_clinic()
    patient = screened_patient(by=clinic.desk)
    room, device = clinic.rooms["Room 1"], clinic.devices["Pen A"]
    admin = _admin()

    def act(i: int):
        try:
            if i == 0:
                return services.session_book(
                    by=clinic.desk,
                    patient=patient,
                    session_type=clinic.types[MN],
                    start=on_day(2, 10),
                    room=room,
                    device=device,
                ).pk
            if resource == "room":
                return setup.room_deactivate(by=admin, room=room).active
            return setup.device_deactivate(by=admin, device=device).active
        except ValidationError as exc:
            return " ".join(exc.messages)

    for _ in range(5):
        TreatmentSession.objects.all().delete()
        room.active = device.active = True
        room.save()
        device.save()
        results, errors = run_concurrently(act, 2)
        assert not errors, errors
        record = room if resource == "room" else device
        record.refresh_from_db()
        booked = TreatmentSession.objects.filter(**{resource: record}).exists()
        assert booked != (not record.active), results


def _admin():
    from core.roles import CLINIC_ADMIN
    from tests.factories import UserFactory

    return UserFactory(role=CLINIC_ADMIN)
