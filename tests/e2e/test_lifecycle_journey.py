"""The screening lifecycle in the browser: a "yes" at check-in is not undone by a "no" a minute
later; only a physician's recorded decision lifts it (CLINICAL.md, screening lifecycle 2)."""

import pytest
from playwright.sync_api import Browser, Page, expect

from eligibility import rules
from eligibility.models import Decision, PhysicianReview
from scheduling.models import Status
from tests.e2e.test_journeys import clinic, screened_patient, session_today  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def check_in(page: Page, live_server, session_pk: int, *, yes: tuple[str, ...] = ()) -> None:
    page.goto(f"{live_server.url}/schedule/sessions/{session_pk}/check-in/")

    for code in rules.DAY_OF_CODES:
        page.check(f"#id_{code}_{0 if code in yes else 1}")
    page.click("#submit-id-check_in")


def test_acne_at_check_in_stands_until_a_physician_lifts_it(
    page: Page,
    browser: Browser,
    live_server,
    log_in,
    shot,
    clinic,  # noqa: F811
):
    desk, doctor = clinic["desk"], clinic["doctor"]
    grace = screened_patient(desk, first="Grace", last="Hopper")
    session = session_today(grace, doctor=doctor, desk=desk)

    log_in(page, desk)
    check_in(page, live_server, session.pk, yes=("scalp_acne",))
    expect(page.locator("main")).to_contain_text("Not checked in")
    expect(page.locator("main")).to_contain_text("Scalp acne")
    shot(page, "18-check-in-acne")

    # A "no" two minutes later changes nothing: the session is still refused.
    check_in(page, live_server, session.pk)
    expect(page.locator("main")).to_contain_text("Not checked in")
    session.refresh_from_db()
    assert session.status == Status.BOOKED
    shot(page, "19-check-in-no-refused")

    # The physician looks at the scalp and records it resolved on examination.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    doctor_page = context.new_page()
    log_in(doctor_page, doctor, second_factor=True)
    doctor_page.goto(f"{live_server.url}/patients/{grace.pk}/")
    expect(doctor_page.locator("#eligibility")).to_contain_text("Scalp acne")
    doctor_page.get_by_role("link", name="Record a decision on microneedling").click()
    doctor_page.get_by_label("Resolved on examination").check()
    doctor_page.get_by_label("Scalp acne", exact=False).first.check()
    doctor_page.fill("#id_note", "Examined: a single healed spot, no active acne.")
    shot(doctor_page, "20-resolved-on-examination")
    doctor_page.get_by_role("button", name="Record decision").click()
    expect(doctor_page.locator(".alert-success")).to_be_visible()
    expect(doctor_page.locator("#timeline")).to_contain_text("Resolved on examination")
    shot(doctor_page, "21-timeline-resolved")
    context.close()
    assert PhysicianReview.objects.filter(
        patient=grace, decision=Decision.RESOLVED, decided_by=doctor
    ).exists()

    # Now the check-in goes ahead.
    check_in(page, live_server, session.pk)
    expect(page.locator(".alert-success")).to_contain_text("Checked in")
    session.refresh_from_db()
    assert session.status == Status.CHECKED_IN
