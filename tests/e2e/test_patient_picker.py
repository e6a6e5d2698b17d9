"""The patient picker by keyboard only (issue 14): type, ArrowDown, Enter; then the patient's
free slots and a one-click booking."""

import re

import pytest
from playwright.sync_api import Page, expect

from scheduling.models import Status, TreatmentSession
from tests.e2e.test_journeys import clinic, screened_patient  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db(transaction=True)


def test_pick_a_patient_by_keyboard_and_book_from_free_slots(
    page: Page,
    live_server,
    log_in,
    clinic,  # noqa: F811 - the fixture imported above
):
    patient = screened_patient(clinic["desk"], first="Quentin", last="Quimby")
    log_in(page, clinic["desk"])
    page.goto(f"{live_server.url}/schedule/")

    combobox = page.get_by_role("combobox", name="Book for a patient")
    listbox = page.locator("#day-picker-listbox")
    combobox.focus()
    page.keyboard.type("Quim")
    option = page.get_by_role("option", name=re.compile("Quimby"))
    expect(option).to_be_visible()
    expect(combobox).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#day-picker-status")).to_have_text("1 patient found")

    page.keyboard.press("Escape")
    expect(listbox).to_be_hidden()
    expect(combobox).to_have_attribute("aria-expanded", "false")

    page.keyboard.press("ArrowDown")
    expect(combobox).to_have_attribute("aria-activedescendant", f"patient-option-{patient.pk}")
    expect(option).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    expect(listbox).to_be_hidden()
    expect(page.locator("[data-picker-chosen-name]")).to_have_text(
        f"Quentin Quimby ({patient.mrn})"
    )
    expect(page.locator("input[name=patient]")).to_have_value(str(patient.pk))

    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Their free slots")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/schedule/slots/\?"))
    assert "Quimby" not in page.url and patient.mrn not in page.url
    expect(page.locator("[data-picker-chosen-name]")).to_contain_text("Quentin Quimby")

    page.get_by_label("Session type").select_option(label="Microneedling")
    page.get_by_role("button", name="Find free slots").click()
    book = page.get_by_role("button", name=re.compile(r"^Book ")).first
    expect(book).to_be_visible()
    book.click()
    page.wait_for_url(re.compile(r"/schedule/sessions/\d+/$"))
    expect(page.get_by_text("Booked Microneedling")).to_be_visible()
    session = TreatmentSession.objects.get(patient=patient)
    assert session.status == Status.BOOKED
