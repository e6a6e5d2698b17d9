"""A physician plans a course in a real browser, records an outcome, and sees the progress and
the chart on the patient page; the front desk finds an overdue patient and books from the
plan. axe-core checks the pages at phone width."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from courses import services
from scheduling import times
from scheduling.models import Status
from tests.e2e.test_axe import AXE_OPTIONS, axe
from tests.e2e.test_journeys import clinic, screened_patient, session_today  # noqa: F401
from treatments.models import SessionType

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def _no_violations(page: Page, where: str) -> None:
    violations = axe.run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, f"{where}: " + "; ".join(v["id"] for v in violations)


def test_a_physician_plans_a_course_and_records_an_outcome(
    page: Page,
    live_server,
    log_in,
    clinic,  # noqa: F811
):
    doctor, desk = clinic["doctor"], clinic["desk"]
    patient = screened_patient(desk, first="Ada", last="Course")
    session = session_today(patient, doctor=doctor, desk=desk)
    session.status = Status.COMPLETED
    session.charted_at = timezone.now()
    session.charted_by = doctor
    session.save()
    page.set_viewport_size(PHONE)
    log_in(page, doctor, second_factor=True)

    page.goto(f"{live_server.url}{patient.get_absolute_url()}")
    page.get_by_role("link", name="Plan a course").click()
    _no_violations(page, "plan form")
    page.select_option("#id_session_type", label="PRP with microneedling")
    page.fill("#id_sessions_planned", "3")
    page.fill("#id_interval_days", "28")
    page.fill("#id_maintenance_interval_days", "120")
    page.get_by_role("button", name="Plan the course").click()
    expect(page.get_by_text("Course planned: PRP with microneedling.")).to_be_visible()
    expect(page.get_by_text("Completed 1 of 3")).to_be_visible()
    expect(
        page.get_by_role("link", name="Book the next session of PRP with microneedling")
    ).to_be_visible()
    _no_violations(page, "patient page with a course")

    page.goto(f"{live_server.url}{session.get_absolute_url()}")
    page.get_by_role("link", name="Record the outcome").click()
    _no_violations(page, "outcome form")
    page.select_option("#id_scale", "norwood")
    page.select_option("#id_grade", "III")
    page.select_option("#id_patient_assessment", "1")
    page.get_by_role("button", name="Save the outcome").click()
    expect(page.get_by_text("Outcome saved.")).to_be_visible()

    page.goto(f"{live_server.url}{patient.get_absolute_url()}")
    expect(page.get_by_role("img", name="Norwood–Hamilton grade over the course")).to_be_visible()  # noqa: RUF001
    expect(
        page.get_by_role("table", name="The patient's global assessment over the course")
    ).to_be_visible()
    _no_violations(page, "patient page with outcomes")
    page.get_by_role("link", name="Book the next session of PRP with microneedling").click()
    expect(page.locator("#id_session_type")).to_have_value(str(session.session_type_id))


def test_the_front_desk_finds_an_overdue_patient_and_books(
    page: Page,
    live_server,
    log_in,
    clinic,  # noqa: F811
):
    doctor, desk = clinic["doctor"], clinic["desk"]
    patient = screened_patient(desk, first="Bea", last="Overdue")
    services.plan_create(
        by=doctor,
        patient=patient,
        session_type=SessionType.objects.get(name="PRP"),
        sessions_planned=3,
        interval_days=28,
        starts_on=times.today() - timedelta(days=5),
    )
    page.set_viewport_size(PHONE)
    log_in(page, desk)
    page.goto(f"{live_server.url}/courses/overdue/")
    expect(page.get_by_role("link", name="Overdue, Bea")).to_be_visible()
    expect(page.get_by_text("5 days overdue")).to_be_visible()
    _no_violations(page, "overdue list")
    page.fill("#id_overdue_days", "6")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("No course is overdue")).to_be_visible()
    page.fill("#id_overdue_days", "")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name="Book the next session for Overdue, PRP").click()
    expect(page.locator("#id_session_type")).to_have_value(
        str(SessionType.objects.get(name="PRP").pk)
    )
