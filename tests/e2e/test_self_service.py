"""Patients answering for themselves, in a real browser: the intake through the e-mailed link
on a phone, the clinic tablet that reaches nothing else, and a pre-visit "yes" reaching the
front desk's dashboard. axe-core checks each of the patient's pages at 390 px."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from core.roles import FRONT_DESK
from intake.models import IntakeQuestionnaire, Source
from messaging import services as messaging
from portal.forms import STEPS
from tests.e2e.test_axe import axe
from tests.e2e.test_journeys import clinic, screened_patient, session_today  # noqa: F401
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
LINK = re.compile(r"http://[^\s]+/p/[A-Za-z0-9_-]+/")
RADIOS = {
    "course": "gradual",
    "loss_pattern": "thinning",
    "family_history": "no",
    "thyroid_disease": "no",
    "iron_deficiency": "no",
    "autoimmune_disease": "no",
    "recent_illness_or_stress": "no",
}


def _no_violations(page: Page, where: str) -> None:
    violations = axe.run(page).response["violations"]
    assert not violations, f"{where}: " + "; ".join(v["id"] for v in violations)


def _phone(browser: Browser) -> Page:
    return browser.new_context(viewport=PHONE).new_page()


def _birth_date(page: Page, patient) -> None:
    expect(page.get_by_role("heading", name="First, confirm it is you")).to_be_visible()
    _no_violations(page, "birth date")
    dob = patient.date_of_birth
    page.fill("#id_day", str(dob.day))
    page.select_option("#id_month", str(dob.month))
    page.fill("#id_year", str(dob.year))
    page.click("text=Continue")


def _answer_intake(page: Page, *, yes=()) -> None:
    for step in STEPS:
        expect(page.get_by_role("heading", name=step.title)).to_be_visible()
        _no_violations(page, step.slug)
        for name in step.fields:
            if name == "onset":
                page.fill("#id_onset", "Two years ago")
            elif name in RADIOS:
                page.check(f"input[name={name}][value={RADIOS[name]}]")
            elif name.startswith("treatment_") and name != "treatment_outcomes":
                page.check(f"input[name={name}][value=never]")
            elif name.startswith("q_"):
                value = "yes" if name[2:] in yes else "no"
                page.check(f"input[name={name}][value={value}]")
        page.get_by_role("button", name="Send my answers" if step == STEPS[-1] else "Next").click()


def test_a_patient_fills_the_intake_on_a_phone_through_the_emailed_link(
    page: Page, browser: Browser, live_server, log_in, settings, shot
):
    settings.CLINIC_SITE_URL = live_server.url
    patient = PatientFactory(first_name="Ada", last_name="Byron", email="ada@example.org")
    fran = UserFactory(username="fran2", role=FRONT_DESK)
    messaging.contact_set(by=fran, patient=patient, channel="email", consent=True)
    log_in(page, fran)
    page.goto(f"{live_server.url}/patients/{patient.pk}/")
    page.get_by_role("button", name="Send the intake link").click()
    expect(page.get_by_text("Intake link queued")).to_be_visible()
    (email,) = mail.outbox
    url = LINK.search(email.body).group(0)

    shot(page, "22-patient-own-answers-card")
    phone = _phone(browser)
    phone.goto(url)
    shot(phone, "23-patient-link-birth-date-390")
    _birth_date(phone, patient)
    expect(phone.get_by_role("heading", name=STEPS[0].title)).to_be_visible()
    shot(phone, "24-patient-intake-page-390")
    _answer_intake(phone, yes=("scalp_acne",))
    expect(phone.get_by_role("heading", name="Thank you, we have your answers")).to_be_visible()
    _no_violations(phone, "done")
    # No horizontal scrolling at 390 px.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    intake = IntakeQuestionnaire.objects.get(patient=patient)
    assert intake.source == Source.LINK and intake.answers["scalp_acne"] is True
    page.goto(f"{live_server.url}{intake.get_absolute_url()}")
    expect(page.get_by_text("entered by the patient")).to_be_visible()
    # The link is spent.
    phone.goto(url)
    expect(phone.get_by_role("heading", name="This link does not work any more")).to_be_visible()


def test_the_tablet_reaches_no_staff_page(page: Page, live_server, log_in, shot):
    fran = UserFactory(username="fran3", role=FRONT_DESK)
    patient = PatientFactory()
    log_in(page, fran)
    page.set_viewport_size({"width": 820, "height": 1180})
    page.goto(f"{live_server.url}/patients/{patient.pk}/")
    page.get_by_role("button", name="Hand this device to the patient").click()
    expect(page.get_by_role("heading", name=STEPS[0].title)).to_be_visible()
    for path in ("/", "/patients/", f"/patients/{patient.pk}/", "/schedule/", "/login/",
                 "/admin/", "/reports/"):  # fmt: skip
        page.goto(live_server.url + path)
        expect(page.get_by_role("heading", name=STEPS[0].title)).to_be_visible()
        assert "/you/intake/" in page.url, path
    _answer_intake(page)
    expect(page.get_by_text("Please hand the tablet back")).to_be_visible()
    _no_violations(page, "hand back")
    shot(page, "25-tablet-hand-back")
    page.goto(f"{live_server.url}/patients/")
    expect(page.get_by_text("Please hand the tablet back")).to_be_visible()
    page.get_by_role("button", name="Staff: sign in").click()
    expect(page.locator("#id_username")).to_be_visible()
    assert IntakeQuestionnaire.objects.get(patient=patient).source == Source.KIOSK


def test_a_pre_visit_yes_shows_on_the_front_desks_dashboard(
    page: Page,
    browser: Browser,
    live_server,
    log_in,
    clinic,  # noqa: F811
    settings,
    shot,
):
    settings.CLINIC_SITE_URL = live_server.url
    desk, doctor = clinic["desk"], clinic["doctor"]
    patient = screened_patient(desk, first="Grace", last="Hopper")
    patient.email = "grace@example.org"
    patient.save()
    messaging.contact_set(by=desk, patient=patient, channel="email", consent=True)
    session = session_today(patient, doctor=doctor, desk=desk)
    session.start = timezone.now() + timedelta(hours=3)
    session.end = session.start + timedelta(hours=1)
    session.save()
    assert messaging.reminders_queue() == 1
    url = LINK.search(mail.outbox[0].body).group(0)

    phone = _phone(browser)
    phone.goto(url)
    _birth_date(phone, patient)
    expect(phone.get_by_role("heading", name="Before your visit")).to_be_visible()
    _no_violations(phone, "pre-visit")
    phone.check("input[name=scalp_wound][value=yes]")
    for name in ("scalp_acne", "acute_infection", "scalp_inflammation", "active_cold_sore",
                 "recent_sunburn"):  # fmt: skip
        phone.check(f"input[name={name}][value=no]")
    shot(phone, "26-pre-visit-check-390")
    phone.get_by_role("button", name="Send my answers").click()
    expect(phone.get_by_role("heading", name="Please call us before you come")).to_be_visible()

    log_in(page, desk)
    expect(page.locator("#attention-count")).to_have_text("1")
    page.get_by_role("link", name="Needs attention").first.click()
    expect(page.get_by_text("Pre-visit check: the patient reported scalp wound")).to_be_visible()
    shot(page, "27-needs-attention-pre-visit")
