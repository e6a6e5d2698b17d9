"""The staff pages in a browser (issue 14): at 390 and 1366 px nothing scrolls sideways and the
key columns and actions stay on screen; the forms' error states pass axe-core (WCAG 2.2 AA);
and an admin can invite and deactivate by keyboard alone. (tests/e2e/test_axe.py audits the
pages themselves, from tests/staff/permission_cases.py.)"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from django.urls import reverse
from playwright.sync_api import Page, expect

from core.roles import CLINIC_ADMIN, PHYSICIAN
from tests.e2e.conftest import (  # noqa: F401  (the browser tests' fixtures)
    _orm_beside_playwright,
    browser_context_args,
    browser_type_launch_args,
    log_in,
)
from tests.e2e.test_axe import AXE_OPTIONS, VIEWPORTS
from tests.e2e.test_responsive import CLIPPED_SELECTS
from tests.factories import UserFactory
from tests.staff.factories import invited_account, locked_out

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

axe = Axe()


@pytest.fixture
def admin():
    return UserFactory(username="alex", first_name="Alex", last_name="Admin", role=CLINIC_ADMIN)


@pytest.fixture
def admin_page(page: Page, live_server, log_in, admin):  # noqa: F811
    log_in(page, admin, second_factor=True)
    return page


@pytest.fixture
def colleague():
    account = invited_account(
        first_name="Maximiliana",
        last_name="Featherstonehaugh-Wolfeschlegel",
        email="maximiliana.featherstonehaugh-wolfeschlegel@hair-restoration-clinic.example",
        role=PHYSICIAN,
        two_factor=True,
    )
    locked_out(account)
    return account


def _violations(page: Page) -> list[str]:
    found = axe.run(page, options=AXE_OPTIONS).response["violations"]
    return [f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in found]


def _fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v['width']}px")
def test_pages_fit_and_error_states_pass_axe(admin_page, admin, live_server, colleague, viewport):
    page = admin_page
    page.set_viewport_size(viewport)
    base = live_server.url
    detail = base + reverse("staff:detail", args=[colleague.pk])

    page.goto(base + reverse("staff:list"))
    _fits(page)
    assert not page.evaluate(CLIPPED_SELECTS)
    link = page.get_by_role("link", name="Maximiliana Featherstonehaugh-Wolfeschlegel")
    expect(link).to_be_in_viewport()
    expect(page.get_by_role("cell", name="Physician")).to_be_visible()
    expect(page.get_by_role("cell", name="Invited")).to_be_visible()

    page.goto(detail)
    _fits(page)
    for name in ("Save roles", "Resend invitation", "Clear failed logins"):
        expect(page.get_by_role("button", name=name)).to_be_visible()
    for name in ("Reset two-factor", "Deactivate"):
        expect(page.get_by_role("link", name=name)).to_be_visible()

    failures = []
    # The roles form with every box unticked, and the invitation submitted empty.
    page.get_by_role("checkbox", name="Physician").uncheck()
    page.get_by_role("button", name="Save roles").click()
    page.wait_for_load_state()
    expect(page.locator(".error-summary")).to_contain_text("Choose at least one role")
    _fits(page)
    failures += _violations(page)

    page.goto(base + reverse("staff:invite"))
    page.eval_on_selector_all("form", "forms => forms.forEach(f => f.noValidate = true)")
    page.get_by_role("button", name="Send invitation").click()
    page.wait_for_load_state()
    expect(page.locator(".error-summary")).to_contain_text("Choose a role")
    _fits(page)
    failures += _violations(page)

    # A refusal on a confirmation step: one's own account.
    page.goto(base + reverse("staff:deactivate", args=[admin.pk]))
    page.get_by_role("button", name="Deactivate").click()
    page.wait_for_load_state()
    expect(page.locator(".error-summary")).to_contain_text("your own account")
    failures += _violations(page)
    assert not failures, failures


def test_invite_and_deactivate_by_keyboard(admin_page, live_server):
    page = admin_page
    page.set_viewport_size(VIEWPORTS[0])
    page.goto(live_server.url + reverse("staff:invite"))
    page.get_by_label("First name").focus()
    page.keyboard.type("Kim")
    page.keyboard.press("Tab")
    page.keyboard.type("Lee")
    page.keyboard.press("Tab")
    page.keyboard.type("kim.lee@example.com")
    page.keyboard.press("Tab")  # username: left empty, derived from the e-mail
    page.keyboard.press("Tab")  # the first role
    page.keyboard.press("Space")
    page.get_by_role("button", name="Send invitation").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/staff/*/")
    expect(page.get_by_role("alert").first).to_contain_text("Invited Kim Lee")
    assert mail.outbox and mail.outbox[0].to == ["kim.lee@example.com"]

    page.get_by_role("link", name="Deactivate").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/deactivate/")
    page.get_by_role("button", name="Deactivate").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/staff/*/")
    expect(page.get_by_role("alert").first).to_contain_text("Kim Lee is deactivated")
    expect(page.get_by_role("button", name="Reactivate")).to_be_visible()
