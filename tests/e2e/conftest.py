"""Browser tests: Playwright drives Debian's Chromium against a live server.

Playwright's browser download does not work here (and is not wanted in CI): the browser is
/usr/bin/chromium, installed with apt by .ci/run when it is missing.
"""

import os
from pathlib import Path

import pytest

from demo.management.commands.demo_totp import current_code, give_demo_device
from tests.factories import PASSWORD

CHROMIUM = os.environ.get("FOLLICLE_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="session", autouse=True)
def _orm_beside_playwright():
    """Playwright's sync API runs an event loop in the test's thread; the test's own ORM
    set-up (and the database flush after each test) is synchronous and safe there, so
    Django's async guard is lifted while browser tests run."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (make test-e2e does)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def shot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take


@pytest.fixture
def log_in(live_server):
    def _log_in(page, user, *, second_factor: bool = False) -> None:
        device = give_demo_device(user) if second_factor else None
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        if device is not None:
            page.wait_for_url("**/account/two-factor/")
            page.fill("#id_token", current_code(device))
            page.click("#submit-id-verify")
        page.wait_for_url(f"{live_server.url}/")

    return _log_in
