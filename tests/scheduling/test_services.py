# ruff: noqa: RUF001 - messages use en dashes
from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from eligibility import rules
from eligibility.models import Decision, Screening, ScreeningKind
from eligibility.selectors import review_queue
from eligibility.services import review_decide
from scheduling import services, times
from scheduling.models import ClosedDay, EventKind, Room, Status, TreatmentSession
from tests.factories import UserFactory
from tests.scheduling.factories import (
    LLLT,
    MN,
    PRP,
    PRP_MN,
    make_provider,
    make_session,
    on_day,
    screened_patient,
)
from treatments.models import RoomKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(clinic):
    return screened_patient(by=clinic.desk)


def book(clinic, patient, *, type_name=MN, start=None, by=None, **kwargs):
    return services.session_book(
        by=by or clinic.desk,
        patient=patient,
        session_type=clinic.types[type_name],
        start=start or on_day(2, 10),
        **kwargs,
    )


def refusal(clinic, patient, **kwargs) -> str:
    with pytest.raises(ValidationError) as exc:
        book(clinic, patient, **kwargs)
    return " ".join(exc.value.messages)


# ---- booking gates ---------------------------------------------------------------------------


def test_book_eligible_patient(clinic, patient):
    session = book(clinic, patient, type_name=PRP_MN)
    assert session.status == Status.BOOKED
    assert session.end - session.start == timedelta(minutes=75)
    assert session.provider == clinic.doctor
    assert session.room.kind == RoomKind.PROCEDURE
    assert session.device.name == "Centrifuge 1"
    assert {s.procedure for s in session.screenings.all()} == {rules.PRP, rules.MICRONEEDLING}
    assert list(session.events.values_list("kind", flat=True)) == [EventKind.BOOKED]


def test_not_eligible_is_refused_with_reason_and_unblock(clinic):
    acne = screened_patient(by=clinic.desk, yes=("scalp_acne",))
    message = refusal(clinic, acne, type_name=PRP_MN)
    assert "scalp acne" in message.lower()
    assert "no longer finds it" in message
    assert "resolved on examination or entered in error" in message
    assert not TreatmentSession.objects.exists()


def test_needs_review_is_refused(clinic):
    patient = screened_patient(by=clinic.desk, yes=("anticoagulant",))
    message = refusal(clinic, patient)
    assert "needs physician review" in message
    assert "Taking blood thinners: a physician must review it." in message


def _clear(patient, doctor, procedure, until):
    screening = Screening.objects.filter(patient=patient, procedure=procedure).latest()
    return review_decide(
        by=doctor,
        screening=screening,
        decision=Decision.CLEARED,
        note="Checked with the GP.",
        cleared_until=until,
    )


def test_cleared_is_bookable_and_remembers_the_clearance(clinic):
    patient = screened_patient(by=clinic.desk, yes=("anticoagulant",))
    review = _clear(patient, clinic.doctor, rules.MICRONEEDLING, times.today() + timedelta(days=10))
    session = book(clinic, patient)
    assert list(session.reviews.all()) == [review]


def test_cleared_but_expired_on_the_day_is_refused(clinic):
    patient = screened_patient(by=clinic.desk, yes=("anticoagulant",))
    _clear(patient, clinic.doctor, rules.MICRONEEDLING, times.today() + timedelta(days=1))
    message = refusal(clinic, patient, start=on_day(3, 10))
    assert "clearance ran out" in message


def test_screening_too_old_on_the_day_is_refused(clinic, patient):
    message = refusal(clinic, patient, start=on_day(40, 10))
    assert "screening out of date" in message


def test_interval_too_short_is_refused_both_ways(clinic, patient):
    book(clinic, patient, start=on_day(10, 10))
    assert "minimum gap is 7 days" in refusal(clinic, patient, start=on_day(13, 10))
    assert "minimum gap is 7 days" in refusal(clinic, patient, start=on_day(5, 10))
    assert book(clinic, patient, start=on_day(17, 10))


def test_interval_counts_each_procedure_of_a_combined_type(clinic, patient):
    book(clinic, patient, type_name=PRP, start=on_day(2, 10))
    message = refusal(clinic, patient, type_name=PRP_MN, start=on_day(20, 10))
    assert "PRP: there is another session" in message
    assert "28 days" in message


def test_lllt_interval_is_twelve_hours(clinic, patient):
    book(clinic, patient, type_name=LLLT, start=on_day(2, 8))
    assert "12 hours" in refusal(clinic, patient, type_name=LLLT, start=on_day(2, 19))
    assert book(clinic, patient, type_name=LLLT, start=on_day(3, 8))


def test_physician_overrides_interval_with_a_note(clinic, patient):
    book(clinic, patient, start=on_day(10, 10))
    with pytest.raises(ValidationError, match="write a note"):
        book(clinic, patient, start=on_day(12, 10), by=clinic.doctor)
    session = book(
        clinic, patient, start=on_day(12, 10), by=clinic.doctor, override_note="Trial protocol."
    )
    assert session.interval_override_note == "Trial protocol."
    assert session.interval_override_by == clinic.doctor


def test_desk_cannot_override_interval(clinic, patient):
    book(clinic, patient, start=on_day(10, 10))
    message = refusal(clinic, patient, start=on_day(12, 10), override_note="Please")
    assert "A physician can book inside it" in message


def test_no_consent_is_refused(clinic):
    patient = screened_patient(by=clinic.desk, consent=False)
    assert "No signed consent on file for microneedling" in refusal(clinic, patient)


def test_outside_opening_hours_is_refused(clinic, patient):
    assert "The clinic is open 08:00–20:00" in refusal(clinic, patient, start=on_day(2, 7))
    assert "outside that" in refusal(clinic, patient, start=on_day(2, 19, 30))


def test_closed_day_is_refused(clinic, patient):
    ClosedDay.objects.create(day=times.today() + timedelta(days=2), reason="Bank holiday")
    assert "closed" in refusal(clinic, patient)
    assert "Bank holiday" in refusal(clinic, patient)


def test_provider_not_qualified_is_refused(clinic, patient):
    nurse = make_provider("nurse", types=[clinic.types[LLLT]])
    message = refusal(clinic, patient, provider=nurse)
    assert "is not listed to perform Microneedling" in message


def test_provider_outside_working_hours_is_refused(clinic, patient):
    clinic.doctor.working_hours.update(start=time(12), end=time(16))
    assert "works 12:00–16:00" in refusal(clinic, patient, provider=clinic.doctor)


def test_wrong_room_kind_and_inactive_device_are_refused(clinic, patient):
    message = refusal(clinic, patient, room=clinic.rooms["Laser room"])
    assert "Laser room is not an available procedure room" in message
    pen = clinic.devices["Pen A"]
    pen.active = False
    pen.save()
    assert "Pen A is not an available" in refusal(clinic, patient, device=pen)


def test_in_the_past_is_refused(clinic, patient):
    assert "in the future" in refusal(clinic, patient, start=timezone.now() - timedelta(hours=1))


@pytest.mark.parametrize("resource", ["provider", "room", "device", "patient"])
def test_overlap_per_resource_names_what_is_taken(clinic, patient, resource):
    first = book(clinic, patient, start=on_day(2, 10))
    other = patient if resource == "patient" else screened_patient(by=clinic.desk)
    second_doctor = make_provider("second", types=[clinic.types[MN]])
    kwargs = {
        "provider": clinic.doctor if resource == "provider" else second_doctor,
        "room": first.room if resource == "room" else clinic.rooms["Room 2"],
        "device": first.device if resource == "device" else clinic.devices["Pen B"],
    }
    message = refusal(clinic, other, start=on_day(2, 10, 30), **kwargs)
    expected = {
        "provider": f"{clinic.doctor.get_full_name()} is booked 10:00–10:45",
        "room": "Room 1 is booked 10:00–10:45",
        "device": "Pen A is booked 10:00–10:45",
        "patient": "The patient already has a session 10:00–10:45",
    }[resource]
    assert expected in message.replace(times.local(first.start).strftime("%a %d %b "), "")


def test_free_resources_are_picked_when_left_out(clinic, patient):
    first = book(clinic, patient, start=on_day(2, 10))
    second_doctor = make_provider("second", types=[clinic.types[MN]])
    other = screened_patient(by=clinic.desk)
    second = book(clinic, other, start=on_day(2, 10))
    assert second.provider == second_doctor
    assert second.room != first.room
    assert second.device != first.device


def test_adjacent_sessions_do_not_overlap(clinic, patient):
    book(clinic, patient, start=on_day(2, 10))
    other = screened_patient(by=clinic.desk)
    assert book(clinic, other, start=on_day(2, 10, 45), room=clinic.rooms["Room 1"])


def test_cancelled_and_no_show_sessions_do_not_block(clinic, patient):
    first = book(clinic, patient, start=on_day(2, 10))
    services.session_cancel(by=clinic.desk, session=first, reason="Patient unwell")
    other = screened_patient(by=clinic.desk)
    second = book(clinic, other, start=on_day(2, 10), room=first.room, device=first.device)
    assert second.provider == first.provider


def test_same_form_token_books_once(clinic, patient):
    first = book(clinic, patient, form_token="abc123")
    again = book(clinic, patient, form_token="abc123")
    assert first.pk == again.pk
    assert TreatmentSession.objects.count() == 1


def test_desk_without_permission_cannot_book(clinic, patient):
    stranger = UserFactory()
    with pytest.raises(PermissionDenied):
        book(clinic, patient, by=stranger)


# ---- reschedule and cancel -------------------------------------------------------------------


def test_reschedule_keeps_history(clinic, patient):
    session = book(clinic, patient, start=on_day(2, 10))
    old_start = session.start
    services.session_reschedule(
        by=clinic.desk, session=session, start=on_day(3, 11), room=clinic.rooms["Room 2"]
    )
    session.refresh_from_db()
    assert session.start == on_day(3, 11)
    moved = session.events.get(kind=EventKind.RESCHEDULED)
    assert moved.from_start == old_start
    assert moved.to_start == on_day(3, 11)
    assert "room: Room 1 → Room 2" in moved.detail


def test_reschedule_checks_the_gates_but_not_against_itself(clinic, patient):
    session = book(clinic, patient, start=on_day(2, 10))
    services.session_reschedule(by=clinic.desk, session=session, start=on_day(2, 10, 15))
    with pytest.raises(ValidationError, match="The clinic is open"):
        services.session_reschedule(by=clinic.desk, session=session, start=on_day(2, 6))


def test_cancel_needs_a_reason_and_keeps_history(clinic, patient):
    session = book(clinic, patient)
    with pytest.raises(ValidationError):
        services.session_cancel(by=clinic.desk, session=session, reason="  ")
    services.session_cancel(by=clinic.desk, session=session, reason="Patient moved away")
    session.refresh_from_db()
    assert session.status == Status.CANCELLED
    assert session.cancel_reason == "Patient moved away"
    assert [e.kind for e in session.events.all()] == [EventKind.BOOKED, EventKind.CANCELLED]


# ---- the day ---------------------------------------------------------------------------------

NO = dict.fromkeys(rules.DAY_OF_CODES, False)


def test_check_in_all_no_checks_in(clinic, patient):
    session = make_session(clinic, patient=patient)
    services.session_check_in(by=clinic.desk, session=session, answers=NO)
    session.refresh_from_db()
    assert session.status == Status.CHECKED_IN
    assert not session.is_blocked
    assert session.screenings.filter(kind=ScreeningKind.DAY_OF).count() == 1


def test_check_in_yes_blocks_and_says_why(clinic, patient):
    session = make_session(clinic, patient=patient, type_name=PRP_MN)
    services.session_check_in(by=clinic.desk, session=session, answers={**NO, "scalp_acne": True})
    session.refresh_from_db()
    assert session.status == Status.BOOKED
    assert "scalp acne" in session.blocked_reason
    assert session.events.get(kind=EventKind.BLOCKED)


def test_check_in_review_yes_lands_in_the_review_queue(clinic, patient):
    session = make_session(clinic, patient=patient)
    services.session_check_in(
        by=clinic.desk, session=session, answers={**NO, "recent_sunburn": True}
    )
    session.refresh_from_db()
    assert session.is_blocked
    # The check-in screens every procedure; the session keeps its own procedure's screening.
    day_ofs = Screening.objects.filter(patient=patient, kind=ScreeningKind.DAY_OF)
    assert sorted(day_ofs.values_list("procedure", flat=True)) == sorted(rules.PROCEDURES)
    day_of = day_ofs.get(procedure=rules.MICRONEEDLING)
    assert day_of.outcome == rules.NEEDS_REVIEW
    assert list(session.screenings.filter(kind=ScreeningKind.DAY_OF)) == [day_of]
    assert day_of in review_queue(user=clinic.doctor)


def test_check_in_again_after_the_physician_clears_it(clinic, patient):
    session = make_session(clinic, patient=patient)
    sunburn = {**NO, "recent_sunburn": True}
    services.session_check_in(by=clinic.desk, session=session, answers=sunburn)
    _clear(patient, clinic.doctor, rules.MICRONEEDLING, times.today() + timedelta(days=7))
    services.session_check_in(by=clinic.desk, session=session, answers=sunburn)
    session.refresh_from_db()
    assert session.status == Status.CHECKED_IN
    assert not session.is_blocked


def test_check_in_only_on_the_day(clinic, patient):
    session = make_session(clinic, patient=patient, start=on_day(2, 10))
    with pytest.raises(ValidationError, match="on the day"):
        services.session_check_in(by=clinic.desk, session=session, answers=NO)


def test_check_in_needs_every_answer(clinic, patient):
    session = make_session(clinic, patient=patient)
    with pytest.raises(ValidationError):
        services.session_check_in(by=clinic.desk, session=session, answers={"scalp_acne": False})


def _checked_in(clinic, patient, type_name=MN):
    session = make_session(clinic, patient=patient, type_name=type_name)
    return services.session_check_in(by=clinic.desk, session=session, answers=NO)


RECORD = {
    "needle_depth_mm": Decimal("1.5"),
    "passes": 4,
    "cartridge_lot": "CL-2211",
    "post_care_given": True,
}


def test_physician_records_and_completes(clinic, patient):
    session = _checked_in(clinic, patient)
    services.session_start(by=clinic.doctor, session=session)
    services.treatment_record(by=clinic.doctor, session=session, **RECORD)
    services.session_complete(by=clinic.doctor, session=session)
    session.refresh_from_db()
    assert session.status == Status.COMPLETED
    assert session.needle_depth_mm == Decimal("1.50")
    assert session.charted_by == clinic.doctor


def test_front_desk_cannot_record_treatment(clinic, patient):
    session = _checked_in(clinic, patient)
    with pytest.raises(PermissionDenied):
        services.treatment_record(by=clinic.desk, session=session, **RECORD)


def test_needle_depth_range(clinic, patient):
    session = _checked_in(clinic, patient)
    with pytest.raises(ValidationError):
        services.treatment_record(
            by=clinic.doctor, session=session, **{**RECORD, "needle_depth_mm": Decimal("3.0")}
        )


def test_complete_needs_the_record(clinic, patient):
    session = _checked_in(clinic, patient, type_name=PRP_MN)
    with pytest.raises(ValidationError, match="No treatment record"):
        services.session_complete(by=clinic.doctor, session=session)
    services.treatment_record(by=clinic.doctor, session=session, **RECORD)
    with pytest.raises(ValidationError, match="PRP kit lot"):
        services.session_complete(by=clinic.doctor, session=session)


def test_no_show_only_once_the_time_has_come(clinic, patient):
    later = make_session(clinic, patient=patient, start=on_day(2, 10))
    with pytest.raises(ValidationError):
        services.session_no_show(by=clinic.desk, session=later)
    now = make_session(clinic, patient=patient, start=timezone.now() - timedelta(minutes=5))
    services.session_no_show(by=clinic.desk, session=now)
    assert now.status == Status.NO_SHOW


def test_consent_needs_the_patients_name_and_the_tick(clinic):
    patient = screened_patient(by=clinic.desk, consent=False)
    with pytest.raises(ValidationError):
        services.consent_sign(
            by=clinic.desk, patient=patient, procedure="prp", typed_name="Someone", agreed=True
        )
    with pytest.raises(ValidationError):
        services.consent_sign(
            by=clinic.desk,
            patient=patient,
            procedure="prp",
            typed_name=patient.full_name,
            agreed=False,
        )
    consent = services.consent_sign(
        by=clinic.desk,
        patient=patient,
        procedure="prp",
        typed_name=f"  {patient.full_name.upper()} ",
        agreed=True,
    )
    assert consent.text_version
    assert services.missing_consents(patient, ["prp", "lllt"]) == ["lllt"]


def test_seeded_session_types_match_clinical_defaults():
    from treatments.models import SessionType

    durations = dict(SessionType.objects.values_list("name", "duration_minutes"))
    assert durations == {
        "Microneedling": 45,
        "PRP": 60,
        "PRP with microneedling": 75,
        "Laser (LLLT)": 30,
        "Microneedling then LLLT": 60,
    }


def test_room_str():
    assert str(Room(name="Room 9", kind=RoomKind.PROCEDURE)) == "Room 9"


class _Deadlock(Exception):
    pgcode = "40P01"


def test_a_deadlock_between_two_bookings_is_a_lost_race_not_a_crash(clinic, patient, monkeypatch):
    """PostgreSQL aborts one of two bookings whose exclusion checks wait on each other; that
    booking is planned again (free resources) or refused with the usual message, never a 500."""
    from django.db import OperationalError

    real_insert = services._insert
    calls = {"n": 0}

    def deadlock_once(**kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("deadlock detected") from _Deadlock()
        return real_insert(**kwargs)

    monkeypatch.setattr(services, "_insert", deadlock_once)
    session = book(clinic, patient)  # provider, room and device left to pick: planned again
    assert calls["n"] == 2 and session.pk

    def always_deadlock(**kwargs):
        raise OperationalError("deadlock detected") from _Deadlock()

    monkeypatch.setattr(services, "_insert", always_deadlock)
    other = screened_patient(by=clinic.desk)
    with pytest.raises(ValidationError):
        book(
            clinic,
            other,
            start=on_day(3, 10),
            provider=clinic.doctor,
            room=clinic.rooms["Room 1"],
            device=clinic.devices["Pen A"],
        )


def test_other_database_errors_are_not_mistaken_for_a_race(clinic, patient, monkeypatch):
    from django.db import OperationalError

    def broken(**kwargs):
        raise OperationalError("disk I/O error")

    monkeypatch.setattr(services, "_insert", broken)
    with pytest.raises(OperationalError):
        book(clinic, patient)
