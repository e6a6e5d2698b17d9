"""The journeys of each role, clicking through the real pages as a person would."""

import pytest
from playwright.sync_api import Page, expect

from clinic.roles import FRONT_DESK, PHYSICIAN
from eligibility import rules
from intake import services as intake_services
from tests.factories import INTAKE_HISTORY, PatientFactory, UserFactory, all_no

pytestmark = pytest.mark.django_db(transaction=True)

HISTORY_RADIOS = (
    "family_history_0",
    "course_0",
    "loss_pattern_0",
    "thyroid_disease_1",
    "iron_deficiency_1",
    "autoimmune_disease_1",
    "recent_illness_or_stress_1",
)
TREATMENTS = (
    "minoxidil",
    "finasteride",
    "dutasteride",
    "supplements",
    "prp",
    "laser",
    "transplant",
)


def fill_intake(page: Page, *, yes: tuple[str, ...] = ()) -> None:
    page.fill("#id_onset", "About two years ago")
    for radio in HISTORY_RADIOS:
        page.check(f"#id_{radio}")
    page.select_option("#id_scale", "norwood")
    page.select_option("#id_grade", "III")
    page.select_option("#id_fitzpatrick", "II")
    for code in TREATMENTS:
        page.check(f"#id_treatment_{code}_0")
    for condition in rules.CATALOGUE:
        page.check(f"#id_q_{condition.code}_{0 if condition.code in yes else 1}")
    page.click("text=Submit intake")


def test_front_desk_registers_screens_and_sees_badges(page: Page, live_server, log_in, shot):
    desk = UserFactory(username="fran", first_name="Fran", role=FRONT_DESK)
    log_in(page, desk)
    shot(page, "01-dashboard-front-desk")

    page.get_by_role("link", name="Register", exact=True).click()
    page.fill("#id_first_name", "Ada")
    page.fill("#id_last_name", "Lovelace")
    page.fill("#id_date_of_birth", "1985-12-10")
    page.select_option("#id_sex", "female")
    page.fill("#id_phone", "07911 123456")
    shot(page, "02-register-patient")
    page.click("text=Save patient")
    expect(page.locator("h1")).to_contain_text("Ada Lovelace")

    page.click("text=New intake")
    fill_intake(page)
    expect(page.locator(".alert-success")).to_contain_text("Intake saved")
    for procedure in rules.PROCEDURES:
        expect(page.locator(f'[data-procedure="{procedure}"]')).to_have_text("Eligible")
    shot(page, "03-patient-eligible")

    # A second patient with acne on the scalp today is screened out of everything.
    page.goto(f"{live_server.url}/patients/new/")
    page.fill("#id_first_name", "Harry")
    page.fill("#id_last_name", "Wilson")
    page.fill("#id_date_of_birth", "1994-06-30")
    page.select_option("#id_sex", "male")
    page.click("text=Save patient")
    page.click("text=New intake")
    fill_intake(page, yes=("scalp_acne",))
    for procedure in rules.PROCEDURES:
        expect(page.locator(f'[data-procedure="{procedure}"]')).to_have_text("Not eligible")
    expect(page.locator("#eligibility")).to_contain_text("Scalp acne")
    expect(page.locator("#eligibility")).to_contain_text("Re-screen from")
    shot(page, "04-patient-scalp-acne")

    # Search finds the patient, with nothing of the search in the address bar.
    page.goto(f"{live_server.url}/patients/")
    page.fill("#id_q", "Lovel")
    page.click("#submit-id-search")
    expect(page.locator("table")).to_contain_text("Lovelace, Ada")
    assert "Lovel" not in page.url
    shot(page, "05-patient-search")


def test_physician_clears_from_the_review_queue(page: Page, live_server, log_in, shot):
    desk = UserFactory(role=FRONT_DESK)
    doctor = UserFactory(username="drshah", first_name="Priya", last_name="Shah", role=PHYSICIAN)
    patient = PatientFactory(first_name="Margaret", last_name="Hughes")
    intake_services.intake_submit(
        by=desk,
        patient=patient,
        **INTAKE_HISTORY,
        treatments={"minoxidil": "never"},
        answers=all_no(anticoagulant=True),
    )
    log_in(page, doctor, second_factor=True)
    page.click("text=Review queue")
    expect(page.locator("table")).to_contain_text("Hughes, Margaret")
    shot(page, "06-review-queue")
    page.locator("tr", has_text="PRP").locator("text=Review").click()
    page.check("#id_decision_0")
    page.fill("#id_note", "INR stable at 2.3; cleared for PRP.")
    shot(page, "07-review-decision")
    page.click("text=Record decision")
    expect(page.locator(".alert-success")).to_contain_text("Decision recorded")
    page.goto(f"{live_server.url}/patients/{patient.pk}/")
    expect(page.locator('[data-procedure="prp"]')).to_have_text("Cleared by physician")
    shot(page, "08-patient-cleared")
