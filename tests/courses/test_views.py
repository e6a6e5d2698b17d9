# ruff: noqa: RUF001 - the Norwood-Hamilton scale is named with an en dash
"""The course and outcome pages for each role: what they show, what they refuse, and a form
sent back with what was typed and why."""

from datetime import timedelta

import pytest
from django.urls import reverse

from courses import services
from courses.models import CoursePlan, Outcome
from scheduling import times
from scheduling.models import Status
from tests.courses.helpers import booked, completed, day, plan
from tests.factories import PatientFactory
from tests.scheduling.factories import MN, PRP

pytestmark = pytest.mark.django_db


def _plan_post(clinic, **fields) -> dict:
    return {
        "session_type": clinic.types[PRP].pk,
        "sessions_planned": 4,
        "interval_days": 28,
        "maintenance_interval_days": 120,
        "starts_on": times.today().isoformat(),
        "notes": "Review after the third.",
        **fields,
    }


# ---- planning -------------------------------------------------------------------------------


def test_a_physician_plans_a_course_and_sees_it_on_the_patient_page(physician_client, clinic):
    patient = PatientFactory()
    url = reverse("courses:plan-create", args=[patient.pk])
    assert physician_client.get(url).status_code == 200
    response = physician_client.post(url, _plan_post(clinic), follow=True)
    made = CoursePlan.objects.get(patient=patient)
    assert (made.sessions_planned, made.maintenance_interval_days) == (4, 120)
    assert made.created_by.username == "doc"
    page = response.content.decode()
    assert "Course planned: PRP." in page
    assert "Completed 0 of 4" in page
    assert "Book the next session" in page
    query = f"?patient={patient.pk}&amp;session_type={clinic.types[PRP].pk}"
    assert reverse("scheduling:session-book") + query in page


def test_bad_input_keeps_what_was_typed_and_says_why(physician_client, clinic):
    patient = PatientFactory()
    url = reverse("courses:plan-create", args=[patient.pk])
    response = physician_client.post(
        url, _plan_post(clinic, interval_days="0", notes="Keep this note.")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Not planned" in page
    assert "Ensure this value is greater than or equal to 1." in page
    assert "Keep this note." in page
    assert not CoursePlan.objects.exists()


def test_a_second_open_plan_of_a_type_is_refused_on_the_form(physician_client, clinic):
    patient = PatientFactory()
    plan(clinic, patient, type_name=PRP)
    response = physician_client.post(
        reverse("courses:plan-create", args=[patient.pk]), _plan_post(clinic)
    )
    assert response.status_code == 200
    assert "already has an open plan of PRP" in response.content.decode()
    assert CoursePlan.objects.count() == 1


def test_the_front_desk_cannot_plan_end_or_record(desk_client, clinic):
    patient = PatientFactory()
    made = plan(clinic, patient)
    session = completed(clinic, patient, days_ago=1)
    for url in (
        reverse("courses:plan-create", args=[patient.pk]),
        reverse("courses:plan-end", args=[made.pk]),
        reverse("courses:outcome-record", args=[session.pk]),
    ):
        assert desk_client.get(url).status_code == 403
        assert desk_client.post(url, {"reason": "x", "scale": "norwood"}).status_code == 403
    made.refresh_from_db()
    assert made.ended_at is None
    assert not Outcome.objects.exists()


def test_the_front_desk_sees_progress_and_books_but_does_not_plan(desk_client, clinic):
    patient = PatientFactory()
    plan(clinic, patient, starts_ago=40)
    completed(clinic, patient, days_ago=35)
    page = desk_client.get(patient.get_absolute_url()).content.decode()
    assert "Completed 1 of 3" in page
    assert "Overdue" in page
    assert "Book the next session" in page
    assert "Plan a course" not in page
    assert "End the plan" not in page


def test_a_booked_next_session_replaces_the_booking_link(physician_client, clinic):
    patient = PatientFactory()
    plan(clinic, patient)
    booked(clinic, patient, days_ahead=2)
    page = physician_client.get(patient.get_absolute_url()).content.decode()
    assert "Book the next session" not in page
    assert "Booked" in page


def test_a_physician_ends_a_plan_with_a_reason(physician_client, clinic):
    made = plan(clinic, PatientFactory())
    url = reverse("courses:plan-end", args=[made.pk])
    response = physician_client.post(url, {"reason": ""})
    assert response.status_code == 200
    assert "Say why the plan ends." in response.content.decode()
    response = physician_client.post(url, {"reason": "Course finished early."}, follow=True)
    made.refresh_from_db()
    assert made.end_reason == "Course finished early."
    page = response.content.decode()
    assert "has ended" in page
    assert "Course finished early." in page
    # Ending again says it has already ended.
    again = physician_client.post(url, {"reason": "Again."})
    assert "already ended" in again.content.decode()


# ---- outcomes -----------------------------------------------------------------------------


def test_a_physician_records_and_corrects_an_outcome(physician_client, clinic):
    patient = PatientFactory()
    session = completed(clinic, patient, days_ago=1)
    detail = physician_client.get(session.get_absolute_url()).content.decode()
    assert "Record the outcome" in detail
    url = reverse("courses:outcome-record", args=[session.pk])
    post = {"scale": "norwood", "grade": "III", "patient_assessment": "1", "note": ""}
    response = physician_client.post(url, post, follow=True)
    page = response.content.decode()
    assert "Outcome saved." in page
    assert "Norwood–Hamilton III" in page
    assert "Slightly better" in page
    # The form starts from what was recorded; a second save corrects it.
    form = physician_client.get(url).content.decode()
    assert 'value="III" selected' in form
    physician_client.post(url, {**post, "grade": "IV"})
    assert Outcome.objects.get().grade == "IV"


def test_a_grade_of_another_scale_keeps_what_was_typed(physician_client, clinic):
    session = completed(clinic, PatientFactory(), days_ago=1)
    url = reverse("courses:outcome-record", args=[session.pk])
    response = physician_client.post(
        url, {"scale": "ludwig", "grade": "IV", "patient_assessment": "2", "note": "My note."}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "IV is not a grade of Ludwig." in page
    assert "My note." in page
    assert 'value="2" selected' in page
    assert not Outcome.objects.exists()


def test_a_booked_session_gets_no_outcome(physician_client, clinic):
    session = booked(clinic, PatientFactory(), days_ahead=1)
    assert (
        "Record the outcome"
        not in physician_client.get(session.get_absolute_url()).content.decode()
    )
    url = reverse("courses:outcome-record", args=[session.pk])
    assert "once the patient is checked in" in physician_client.get(url).content.decode()
    response = physician_client.post(url, {"scale": "norwood", "grade": "III"})
    assert response.status_code == 200
    assert "once the patient is checked in" in response.content.decode()
    assert not Outcome.objects.exists()


def test_the_front_desk_sees_the_outcome_but_cannot_record(desk_client, clinic):
    session = completed(clinic, PatientFactory(), days_ago=1)
    services.outcome_record(by=clinic.doctor, session=session, scale="ludwig", grade="II")
    page = desk_client.get(session.get_absolute_url()).content.decode()
    assert "Ludwig II" in page
    assert "Correct the outcome" not in page


# ---- the chart ----------------------------------------------------------------------------


def test_the_chart_without_outcomes_says_none_yet(physician_client, clinic):
    patient = PatientFactory()
    page = physician_client.get(patient.get_absolute_url()).content.decode()
    assert "No outcomes recorded yet" in page
    assert "<svg" not in page.split('id="course"')[1].split('id="')[0]


def test_the_chart_draws_grades_and_assessments_with_a_table(physician_client, clinic):
    patient = PatientFactory()
    for days_ago, grade, said in ((60, "IV", 0), (30, "III", 1), (1, "III", 2)):
        session = completed(clinic, patient, days_ago=days_ago)
        services.outcome_record(
            by=clinic.doctor,
            session=session,
            scale="norwood",
            grade=grade,
            patient_assessment=said,
        )
    page = physician_client.get(patient.get_absolute_url()).content.decode()
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="report-chart"') == 2
    assert "Norwood–Hamilton grade over the course" in page
    assert "The patient&#x27;s global assessment over the course" in page
    assert page.count("<circle") == 6
    assert "<caption>" in page
    assert "Much better" in page  # the top of the assessment axis
    assert "style=" not in page.split('id="course"')[1]


def test_chart_text_is_escaped():
    from courses.charts import Point, course_chart

    svg = course_chart(title="<script>", levels=["<b>", "x"], points=[Point(day(0), 0)])
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "&lt;b&gt;" in svg


# ---- the overdue list ---------------------------------------------------------------------


def test_the_overdue_list_for_the_front_desk_with_filters(desk_client, clinic):
    late = PatientFactory(last_name="Latecomer")
    plan(clinic, late, starts_ago=40)
    on_time = PatientFactory(last_name="Punctual")
    plan(clinic, on_time, starts_ago=40, type_name=PRP)
    booked(clinic, on_time, days_ahead=1, type_name=PRP)
    url = reverse("courses:overdue")
    page = desk_client.get(url).content.decode()
    assert "Latecomer" in page
    assert "Punctual" not in page
    assert "40 days overdue" in page
    assert "Book the next session" in page
    assert (
        "Latecomer"
        not in desk_client.get(url, {"session_type": clinic.types[PRP].pk}).content.decode()
    )
    assert "Latecomer" in desk_client.get(url, {"phase": "course"}).content.decode()
    assert "Latecomer" not in desk_client.get(url, {"phase": "maintenance"}).content.decode()
    assert "Latecomer" not in desk_client.get(url, {"overdue_days": "41"}).content.decode()
    # A filter that is not valid shows nothing and no error page.
    response = desk_client.get(url, {"overdue_days": "-5"})
    assert response.status_code == 200
    assert "Latecomer" not in response.content.decode()


def test_the_overdue_list_pages_keep_the_filter(physician_client, clinic):
    for _ in range(27):
        plan(clinic, PatientFactory(), starts_ago=10)
    page = physician_client.get(reverse("courses:overdue"), {"phase": "course"}).content.decode()
    assert "Page 1 of 2" in page
    assert "?phase=course&amp;page=2" in page


def test_the_overdue_list_is_not_for_admins(admin_client_):
    assert admin_client_.get(reverse("courses:overdue")).status_code == 403


def test_the_patient_page_shows_maintenance(physician_client, clinic):
    patient = PatientFactory()
    plan(clinic, patient, starts_ago=70, sessions_planned=1, maintenance_interval_days=90)
    completed(clinic, patient, days_ago=60)
    page = physician_client.get(patient.get_absolute_url()).content.decode()
    assert "Maintenance" in page
    assert (times.today() + timedelta(days=30)).strftime("%-d %b %Y") in page
    assert MN in page
    session = completed(clinic, patient, days_ago=0)
    session.status = Status.COMPLETED
    page = physician_client.get(patient.get_absolute_url()).content.decode()
    assert "then 1 maintenance" in page
