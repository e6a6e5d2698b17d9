"""Progress, next due date, maintenance, the overdue selection, ending a plan, outcomes."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from courses import selectors, services
from courses.models import CoursePlan, Outcome
from intake.services import patient_archive
from scheduling.models import Status
from tests.courses.helpers import booked, completed, day, plan
from tests.factories import PatientFactory
from tests.scheduling.factories import MN, PRP, make_session, on_day

pytestmark = pytest.mark.django_db


def progress(user, patient) -> CoursePlan:
    (found,) = selectors.patient_plans(user=user, patient=patient)
    return found


def overdue(user) -> set[int]:
    return {p.pk for p in selectors.overdue_plans(user=user)}


# ---- progress and next due ----------------------------------------------------------------


def test_before_any_session_the_start_date_is_due(clinic):
    patient = PatientFactory()
    plan(clinic, patient, starts_ago=-5)
    found = progress(clinic.doctor, patient)
    assert (found.done, found.last_done, found.next_due) == (0, None, day(5))


def test_completed_sessions_of_the_type_since_the_start_count(clinic):
    patient = PatientFactory()
    completed(clinic, patient, days_ago=80)  # before the plan
    plan(clinic, patient, starts_ago=60, interval_days=14)
    completed(clinic, patient, days_ago=50)
    completed(clinic, patient, days_ago=30)
    completed(clinic, patient, days_ago=20, type_name=PRP)  # another type
    make_session(clinic, patient=patient, start=on_day(-10, 10), status=Status.NO_SHOW)
    found = progress(clinic.doctor, patient)
    assert found.done == 2
    assert found.last_done == day(-30)
    assert found.next_due == day(-16)


def test_after_the_planned_sessions_maintenance_is_due(clinic):
    patient = PatientFactory()
    plan(clinic, patient, starts_ago=100, sessions_planned=2, maintenance_interval_days=90)
    completed(clinic, patient, days_ago=90)
    completed(clinic, patient, days_ago=60)
    found = progress(clinic.doctor, patient)
    assert (found.done, found.next_due) == (2, day(30))


def test_without_maintenance_nothing_is_due_after_the_course(clinic):
    patient = PatientFactory()
    plan(clinic, patient, starts_ago=100, sessions_planned=1)
    completed(clinic, patient, days_ago=90)
    found = progress(clinic.doctor, patient)
    assert (found.done, found.next_due) == (1, None)
    assert found.pk not in overdue(clinic.desk)


def test_an_ended_plan_stops_counting_at_its_end(clinic):
    patient = PatientFactory()
    made = plan(clinic, patient, starts_ago=100)
    completed(clinic, patient, days_ago=90)
    services.plan_end(by=clinic.doctor, plan=made, reason="Moved away.")
    completed(clinic, patient, days_ago=-1, hour=23)  # after the end (tomorrow's record)
    assert progress(clinic.doctor, patient).done == 1


# ---- overdue ------------------------------------------------------------------------------


def test_due_passed_and_nothing_booked_is_overdue(clinic):
    patient = PatientFactory()
    made = plan(clinic, patient, starts_ago=40)
    completed(clinic, patient, days_ago=35)
    assert overdue(clinic.desk) == {made.pk}  # due 7 days ago


def test_a_session_booked_from_the_due_date_on_is_not_overdue(clinic):
    patient = PatientFactory()
    made = plan(clinic, patient, starts_ago=40)
    completed(clinic, patient, days_ago=35)
    session = booked(clinic, patient, days_ahead=3)
    assert made.pk not in overdue(clinic.desk)
    assert progress(clinic.doctor, patient).booked_on == session.start
    # A session of another type does not book this course.
    session.session_type = clinic.types[PRP]
    session.save()
    assert made.pk in overdue(clinic.desk)


def test_a_booking_before_the_due_date_that_never_happened_does_not_count(clinic):
    patient = PatientFactory()
    made = plan(clinic, patient, starts_ago=40)
    completed(clinic, patient, days_ago=35)
    booked(clinic, patient, days_ahead=-10)  # still "booked", before the due date
    assert made.pk in overdue(clinic.desk)


def test_not_yet_due_ended_and_archived_are_not_overdue(clinic):
    future = plan(clinic, PatientFactory(), starts_ago=-3)
    ended = plan(clinic, PatientFactory(), starts_ago=10)
    services.plan_end(by=clinic.doctor, plan=ended, reason="Stopped.")
    archived_patient = PatientFactory()
    plan(clinic, archived_patient, starts_ago=10)
    patient_archive(by=clinic.desk, patient=archived_patient, reason="Moved.")
    due = plan(clinic, PatientFactory(), starts_ago=1)
    assert overdue(clinic.desk) == {due.pk}
    assert future.pk not in overdue(clinic.desk)


def test_the_overdue_list_needs_the_permission(clinic, admin_user):
    with pytest.raises(PermissionDenied):
        selectors.overdue_plans(user=admin_user)


# ---- planning and ending ------------------------------------------------------------------


def test_only_a_physician_plans_and_ends(clinic):
    patient = PatientFactory()
    with pytest.raises(PermissionDenied):
        services.plan_create(
            by=clinic.desk,
            patient=patient,
            session_type=clinic.types[MN],
            sessions_planned=3,
            interval_days=28,
            starts_on=day(0),
        )
    made = plan(clinic, patient)
    with pytest.raises(PermissionDenied):
        services.plan_end(by=clinic.desk, plan=made, reason="No.")


def test_one_open_plan_per_session_type(clinic):
    patient = PatientFactory()
    first = plan(clinic, patient)
    with pytest.raises(ValidationError) as refused:
        plan(clinic, patient)
    assert "already has an open plan" in str(refused.value)
    plan(clinic, patient, type_name=PRP)  # another type is fine
    services.plan_end(by=clinic.doctor, plan=first, reason="Restarting.")
    plan(clinic, patient)  # and again once the first has ended


def test_plan_values_are_checked(clinic):
    with pytest.raises(ValidationError) as refused:
        plan(clinic, PatientFactory(), interval_days=0, maintenance_interval_days=3)
    assert set(refused.value.error_dict) == {"interval_days", "maintenance_interval_days"}


def test_an_archived_patient_gets_no_plan(clinic):
    patient = PatientFactory()
    patient_archive(by=clinic.desk, patient=patient, reason="Moved.")
    with pytest.raises(ValidationError):
        plan(clinic, patient)


def test_ending_records_who_why_and_only_once(clinic):
    made = plan(clinic, PatientFactory())
    ended = services.plan_end(by=clinic.doctor, plan=made, reason="  Course complete. ")
    assert ended.ended_by == clinic.doctor
    assert ended.end_reason == "Course complete."
    assert ended.ended_at is not None
    with pytest.raises(ValidationError):
        services.plan_end(by=clinic.doctor, plan=made, reason="Again.")
    with pytest.raises(ValidationError):
        services.plan_end(by=clinic.doctor, plan=plan(clinic, PatientFactory()), reason=" ")


def test_plans_are_audited(clinic):
    from auditlog.models import LogEntry

    made = plan(clinic, PatientFactory())
    services.plan_end(by=clinic.doctor, plan=made, reason="Done.")
    entries = LogEntry.objects.get_for_object(made)
    assert {e.action for e in entries} == {LogEntry.Action.CREATE, LogEntry.Action.UPDATE}
    assert {e.actor for e in entries} == {clinic.doctor}


# ---- outcomes -----------------------------------------------------------------------------


def test_an_outcome_is_recorded_once_the_patient_is_checked_in(clinic):
    patient = PatientFactory()
    session = booked(clinic, patient, days_ahead=0)
    with pytest.raises(ValidationError) as refused:
        services.outcome_record(by=clinic.doctor, session=session, scale="norwood", grade="III")
    assert "checked in" in str(refused.value)
    session.status = Status.CHECKED_IN
    session.save()
    outcome = services.outcome_record(
        by=clinic.doctor, session=session, scale="norwood", grade="III", patient_assessment=1
    )
    assert (outcome.scale, outcome.grade, outcome.patient_assessment) == ("norwood", "III", 1)


def test_one_outcome_per_session_changed_by_recording_again(clinic):
    session = completed(clinic, PatientFactory(), days_ago=1)
    services.outcome_record(by=clinic.doctor, session=session, scale="norwood", grade="III")
    services.outcome_record(
        by=clinic.doctor, session=session, scale="norwood", grade="IV", note="Rechecked."
    )
    outcome = Outcome.objects.get(session=session)
    assert (outcome.grade, outcome.note) == ("IV", "Rechecked.")
    from auditlog.models import LogEntry

    assert LogEntry.objects.get_for_object(outcome).count() == 2


@pytest.mark.parametrize(
    ("scale", "grade", "field"),
    [("norwood", "II-2", "grade"), ("ludwig", "IV", "grade"), ("nope", "I", "scale")],
)
def test_the_grade_belongs_to_the_scale(clinic, scale, grade, field):
    session = completed(clinic, PatientFactory(), days_ago=1)
    with pytest.raises(ValidationError) as refused:
        services.outcome_record(by=clinic.doctor, session=session, scale=scale, grade=grade)
    assert set(refused.value.error_dict) == {field}


def test_the_front_desk_records_no_outcome(clinic):
    session = completed(clinic, PatientFactory(), days_ago=1)
    with pytest.raises(PermissionDenied):
        services.outcome_record(by=clinic.desk, session=session, scale="norwood", grade="III")


@pytest.mark.parametrize(("type_name", "shortest"), [(MN, 7), (PRP, 28), ("Laser (LLLT)", 1)])
def test_the_interval_is_at_least_the_clinic_minimum(clinic, type_name, shortest):
    with pytest.raises(ValidationError) as refused:
        plan(clinic, PatientFactory(), type_name=type_name, interval_days=shortest - 1 or 0)
    assert "interval_days" in refused.value.error_dict
    plan(clinic, PatientFactory(), type_name=type_name, interval_days=shortest)
