"""The clinic-settings pages in a browser (issue 14): their error states pass axe-core at phone
and laptop width (tests/e2e/test_axe.py audits the pages as first drawn), nothing scrolls
sideways on a phone, and a row's actions are reached and used by keyboard alone.

Browser tests: run with `-m e2e tests/configuration/test_browser.py` (Debian's Chromium).
"""

from collections import defaultdict
from datetime import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Page, expect

from core.roles import CLINIC_ADMIN
from scheduling.models import OpeningHours, ProviderHours, Room
from tests.e2e.conftest import (  # noqa: F401 - fixtures
    _orm_beside_playwright,
    browser_type_launch_args,
    log_in,
)
from tests.e2e.test_axe import AXE_OPTIONS, VIEWPORTS
from tests.factories import UserFactory
from tests.scheduling.factories import make_clinic

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = VIEWPORTS[0]


@pytest.fixture
def admin_page(page: Page, live_server, log_in):  # noqa: F811
    clinic = make_clinic()
    admin = UserFactory(username="alex", first_name="Alex", role=CLINIC_ADMIN, is_staff=True)
    log_in(page, admin, second_factor=True)
    return page, live_server.url, clinic


def _submit_invalid(page: Page, base: str, url: str, fill: dict) -> None:
    page.goto(base + url)
    page.eval_on_selector_all("form", "forms => forms.forEach(f => f.noValidate = true)")
    for selector, value in fill.items():
        if value is None:
            page.uncheck(selector)
        else:
            page.fill(selector, value)
    page.click("main #submit-id-save")
    page.wait_for_load_state()
    expect(page.locator(".error-summary")).to_be_visible()


def test_error_states_have_no_wcag_violations_and_fit_a_phone(admin_page):
    page, base, clinic = admin_page
    doctor = clinic.doctor
    shift = ProviderHours.objects.filter(provider=doctor).first()
    forms = [
        (reverse("configuration:room-create"), {"#id_name": ""}),
        (reverse("configuration:device-create"), {"#id_serial": "PEN-A", "#id_name": "Pen C"}),
        (
            reverse("configuration:sessiontype-create"),
            {"#id_name": "", "#id_duration_minutes": "2"},
        ),
        (reverse("configuration:opening-hours"), {"#id_opens_0": "21:00"}),
        (reverse("configuration:closedday-create"), {"#id_day": "2000-01-01"}),
        (
            reverse("configuration:provider-hours", args=[doctor.pk]),
            {"#id_start": "12:00", "#id_end": "11:00"},
        ),
        (reverse("configuration:providerhours-update", args=[shift.pk]), {"#id_start": "06:00"}),
    ]
    found: dict[tuple, list[str]] = defaultdict(list)
    wide = []
    for viewport in VIEWPORTS:
        page.set_viewport_size(viewport)
        for url, fill in forms:
            _submit_invalid(page, base, url, fill)
            where = f"{url} (invalid) @{viewport['width']}px"
            results = Axe().run(page, options=AXE_OPTIONS)
            for violation in results.response["violations"]:
                for node in violation["nodes"]:
                    found[(violation["id"], " ".join(map(str, node["target"])))].append(where)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > viewport["width"]:
                wide.append(f"{where}: {width}px")
    assert not found, found
    assert not wide, wide


def test_a_rooms_actions_are_reached_and_used_by_keyboard(admin_page):
    page, base, _ = admin_page
    page.set_viewport_size(PHONE)
    page.goto(base + reverse("configuration:room-list"))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    deactivate = page.get_by_role("link", name="Deactivate Room 2")
    expect(deactivate).to_be_visible()
    # Tab from the page's heading to the room's Deactivate link, then Enter.
    page.locator("h1").focus()
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Deactivate Room 2":
            break
    expect(deactivate).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url("**/deactivate/")
    page.get_by_role("button", name="Deactivate").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(base + reverse("configuration:room-list"))
    expect(page.get_by_role("alert").first).to_contain_text("Room 2 is inactive")
    assert not Room.objects.get(name="Room 2").active
    reactivate = page.get_by_role("button", name="Reactivate Room 2")
    reactivate.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("alert").first).to_contain_text("Room 2 is active again")
    assert Room.objects.get(name="Room 2").active


def test_opening_hours_are_edited_by_keyboard(admin_page):
    page, base, _ = admin_page
    page.set_viewport_size(PHONE)
    page.goto(base + reverse("configuration:opening-hours"))
    sunday = page.get_by_label("Open on Sundays")
    sunday.focus()
    page.keyboard.press("Space")
    expect(sunday).not_to_be_checked()
    page.get_by_role("button", name="Save opening hours").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(base + reverse("configuration:hours"))
    expect(page.get_by_role("row", name="Sunday Closed")).to_be_visible()
    assert not OpeningHours.objects.filter(weekday=6).exists()
    assert OpeningHours.objects.get(weekday=0).opens == time(8)
