"""The idle timeout in the browser (issue 14, WCAG 2.2.1 Timing Adjustable), with a timeout of
seconds: the warning appears with the focus on "Stay signed in" and Enter continues the
session; later an intake half filled in outlives the timeout, the login page brings the user
back to it, and the answers are restored. The booking form keeps the patient picker's choice."""

import re
import time
from urllib.parse import quote

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from core.models import FormDraft
from tests.e2e.test_axe import AXE_OPTIONS
from tests.e2e.test_journeys import clinic, screened_patient  # noqa: F401 - a fixture
from tests.factories import PASSWORD, PatientFactory

pytestmark = pytest.mark.django_db(transaction=True)

MEDICATIONS = "Minoxidil 5% foam, twice a day"


def _short_sessions(settings, idle: int) -> None:
    """Sessions that end `idle` seconds after their last save, warned half-way."""
    settings.SESSION_COOKIE_AGE = idle
    settings.SESSION_IDLE_WARNING_SECONDS = idle // 2


def _no_violations(page: Page, where: str) -> None:
    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    found = [f"{v['id']} at {node['target']}" for v in violations for node in v["nodes"]]
    assert not found, f"{where}: " + "; ".join(found)


def _draft_saved(response) -> bool:
    return response.url.endswith("/account/drafts/") and response.request.method == "POST"


def test_warned_continued_then_signed_out_and_the_intake_restored(
    page: Page,
    live_server,
    log_in,
    settings,
    clinic,  # noqa: F811 - the fixture imported above
):
    desk = clinic["desk"]
    patient = PatientFactory(first_name="Ida", last_name="Idle")
    intake = f"/patients/{patient.pk}/intake/new/"
    dialog = page.get_by_role("alertdialog", name="You will be signed out soon")
    stay = page.get_by_role("button", name="Stay signed in")

    # 1. The warning, half-way through a 16-second session; Enter on "Stay signed in" continues.
    _short_sessions(settings, 16)
    log_in(page, desk)
    signed_in = time.monotonic()
    expect(dialog).to_be_visible(timeout=20_000)
    expect(stay).to_be_focused()
    expect(dialog.locator("[data-idle-countdown]")).to_have_text(re.compile(r"^\d+ seconds?$"))
    _no_violations(page, "the idle warning")
    _short_sessions(settings, 40)  # what "stay signed in" now gives
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    continued = time.monotonic()
    # Past the end of the first session: still signed in, on the same page.
    time.sleep(max(0, signed_in + 17 - time.monotonic()))
    assert page.url == f"{live_server.url}/"
    status = page.request.get(f"{live_server.url}/account/session/")
    assert status.ok and status.json()["remaining"] > 0

    # 2. An intake half filled in; the draft is kept on the server as it is typed.
    page.goto(live_server.url + intake)
    page.check("#id_family_history_0")
    page.select_option("#id_scale", "norwood")
    with page.expect_response(_draft_saved) as saved:
        page.fill("#id_medications", MEDICATIONS)
    assert saved.value.ok
    assert FormDraft.objects.filter(user=desk, path=intake).exists()

    # 3. Nothing more happens: warned, then signed out, at the login page with the way back.
    expect(dialog).to_be_visible(timeout=40_000)
    page.wait_for_url(re.compile(r"/login/\?next="), timeout=40_000)
    assert time.monotonic() - continued >= 35
    assert page.url.endswith("/login/?next=" + quote(intake, safe="") + "&signed_out=idle")
    assert "Minoxidil" not in page.url
    expect(page.get_by_role("status")).to_contain_text("signed out after")

    # 4. Signed in again: back on the intake, the answers offered and restored by keyboard.
    _short_sessions(settings, 15 * 60)
    page.fill("#id_username", desk.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + intake)
    offer = page.get_by_role("group", name=re.compile("You have unsaved answers from"))
    expect(offer).to_be_visible()
    expect(offer).to_contain_text(re.compile(r"from \d\d:\d\d\."))
    expect(page.locator("[data-draft-status]")).to_contain_text("You have unsaved answers")
    expect(page.locator("#id_medications")).to_have_value("")
    _no_violations(page, "the draft's offer")
    page.get_by_role("button", name="Restore answers").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#id_family_history_0")).to_be_checked()
    expect(page.locator("#id_scale")).to_have_value("norwood")
    expect(page.locator("#id_medications")).to_have_value(MEDICATIONS)
    note = page.get_by_text(re.compile("are back in the form"))
    expect(note).to_be_focused()
    expect(offer).to_have_count(0)


def test_the_booking_draft_keeps_the_chosen_patient(
    page: Page,
    live_server,
    log_in,
    clinic,  # noqa: F811 - the fixture imported above
):
    patient = screened_patient(clinic["desk"], first="Bea", last="Booker")
    log_in(page, clinic["desk"])
    book = f"{live_server.url}/schedule/book/"
    page.goto(book)
    page.get_by_role("combobox", name="Patient").fill("Booker")
    page.get_by_role("option", name=re.compile("Booker")).click()
    with page.expect_response(_draft_saved):
        page.locator("#id_session_type").select_option(index=1)

    # Left and opened again (another tab, a crash): the choice is offered back, then discarded.
    page.goto(book)
    expect(page.locator("[data-picker-chosen]")).to_be_hidden()
    page.get_by_role("button", name="Restore answers").click()
    expect(page.locator("input[name=patient]")).to_have_value(str(patient.pk))
    expect(page.locator("[data-picker-chosen-name]")).to_have_text(f"Bea Booker ({patient.mrn})")
    page.goto(book)
    page.get_by_role("button", name="Discard").click()
    expect(page.get_by_text("are discarded")).to_be_focused()
    assert not FormDraft.objects.exists()
