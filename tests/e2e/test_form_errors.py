"""Keyboard and form errors in a real browser (issue 14): the skip link, and the focus on the
error summary when a form comes back with errors."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from core.roles import FRONT_DESK
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def desk(db):
    return UserFactory(username="fran", role=FRONT_DESK)


def test_empty_intake_moves_the_focus_to_the_error_summary(page: Page, live_server, log_in, desk):
    patient = PatientFactory()
    log_in(page, desk)
    page.goto(live_server.url + reverse("intake:intake-create", args=[patient.pk]))
    # The browser's own `required` checks off, so that the server's answer is what is seen.
    page.eval_on_selector_all("form", "forms => forms.forEach(f => f.noValidate = true)")
    page.click("#submit-id-submit")
    page.wait_for_load_state()

    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("There is a problem")
    # Each question's error is visible beside it, and the summary's link leads to it.
    error = page.locator("#id_q_active_cancer_error")
    expect(error).to_be_visible()
    expect(error).to_have_text("Please answer yes or no.")
    page.click("a[href='#id_q_active_cancer_0']")
    expect(page.locator("#id_q_active_cancer_0")).to_be_focused()


def test_skip_link_is_first_and_moves_to_main(page: Page, live_server, log_in, desk):
    log_in(page, desk)
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).not_to_be_in_viewport()  # visually hidden until focused
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
