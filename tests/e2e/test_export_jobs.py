"""An admin asks for a 20,000-row XLSX export: the job runs on a real Huey consumer, the page's
progress bar moves (htmx), and the file downloads and opens with the right row count."""

import time

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from core.roles import CLINIC_ADMIN
from reports import exports
from tests.factories import UserFactory
from tests.reports.test_memory import RANGE, _make_sessions

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = 20_000


@pytest.fixture
def consumer(tmp_path):
    """A real consumer (one worker thread) on a SQLite queue of its own, for the whole test."""
    from huey.consumer import Consumer
    from huey.contrib.djhuey import HUEY
    from huey.storage import SqliteStorage

    default = HUEY.storage
    HUEY.immediate = False
    HUEY.storage = SqliteStorage(name="e2e", filename=str(tmp_path / "queue.sqlite3"))
    worker = Consumer(HUEY, workers=1, periodic=False, initial_delay=0.05, max_delay=0.2,
                      check_worker_health=False)  # fmt: skip
    worker.start()
    yield worker
    worker.stop(graceful=True)
    HUEY.storage = default
    HUEY.immediate = True


@pytest.fixture
def paced(monkeypatch):
    """The rows at a pace a person can watch (a tenth of a second per thousand), so the test
    sees the bar between its ends on any machine."""
    real = exports.REPORTS["sessions"]

    def rows(filters, *, by=None):
        for i, row in enumerate(real.rows(filters, by=by)):
            if i % 1000 == 0:
                time.sleep(0.1)
            yield row

    monkeypatch.setitem(
        exports.REPORTS,
        "sessions",
        exports.ReportExport(real.name, real.title, real.columns, rows, real.count),
    )


def test_a_20000_row_xlsx_export_shows_progress_and_downloads(
    page: Page, live_server, log_in, consumer, paced, tmp_path, shot
):
    admin = UserFactory(username="alex", first_name="Alex", role=CLINIC_ADMIN, is_staff=True)
    _make_sessions(ROWS)
    log_in(page, admin, second_factor=True)
    query = "&".join(f"{k}={v}" for k, v in RANGE.items())
    page.goto(f"{live_server.url}/reports/sessions/export.xlsx?{query}")
    expect(page.get_by_text(f"{ROWS:,} rows".replace(",", ""))).to_be_visible()
    page.get_by_role("button", name="Write the export").click()
    expect(page.locator("#export-progress")).to_be_visible()
    seen = set()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        value, ready = page.evaluate(
            """() => [document.querySelector('#export-bar')?.value ?? null,
                      !!document.querySelector('#export-download')]"""
        )
        if value is not None:
            seen.add(int(value))
        if ready:
            break
        page.wait_for_timeout(200)
    moving = {value for value in seen if 0 < value < ROWS}
    assert len(moving) >= 2, f"the bar did not move: {sorted(seen)}"
    shot(page, "28-export-ready")
    with page.expect_download() as download:
        page.locator("#export-download").click()
    path = tmp_path / "sessions.xlsx"
    download.value.save_as(path)
    book = load_workbook(path, read_only=True)
    assert sum(1 for _ in book.active.iter_rows(values_only=True)) == ROWS + 1
