"""The reports area's pages at two sizes of data take the same number of queries, and a report's
cached figures are never older than the last committed write."""

from datetime import date

import pytest
from crispy_forms.utils import render_crispy_form
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.audit import log_access
from reports import audit_search, figures
from reports.models import FiguresVersion
from tests.reports import builders as b
from tests.reports.conftest import WEEK

pytestmark = pytest.mark.django_db

MAX_QUERIES = 15
PAGES = {
    "reports:sessions": WEEK,
    "reports:screenings": WEEK,
    "reports:reviews": WEEK,
    "reports:recall": {"lot": "KIT-7"},
    "reports:audit-log": {},
}


def _queries(client, name: str, *, cached: bool = False) -> list[str]:
    if not cached:
        cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(name), PAGES[name])
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def _more(week, n: int) -> None:
    """`n` more sessions, screenings, reviews and audit entries, with new rooms and devices."""
    s1 = week["sessions"]["s1"]
    doctor = week["providers"][0]
    for i in range(n):
        b.session(
            patient=s1.patient, stype=s1.session_type, provider=doctor, room=b.room(f"R{i}"),
            device=b.device(f"SN-M{i}"), start=b.at(date(2026, 11, 3), 8 + i),
            status="completed" if i % 2 else "cancelled", prp_kit_lot="KIT-7",
        )  # fmt: skip
        screening = b.screening(
            patient=s1.patient, procedure="prp", outcome="needs_review",
            reasons=[("anticoagulant", "review", "Blood thinners")],
            screened_at=b.at(date(2026, 11, 4), 9),
        )  # fmt: skip
        if i % 2:
            b.review(screening=screening, decided_at=b.at(date(2026, 11, 5), 9), by=doctor)
        log_access(s1.patient, by=doctor)


@pytest.mark.parametrize("name", PAGES)
def test_page_queries_do_not_grow_with_the_data(admin_client_, week, name):
    _queries(admin_client_, name)  # warm per-process caches (content types, templates)
    small = _queries(admin_client_, name)
    _more(week, 12)
    large = _queries(admin_client_, name)
    assert len(large) == len(small) <= MAX_QUERIES, large
    # Served from the cache, a report reads the version of the data and the filter form's lists.
    assert len(_queries(admin_client_, name, cached=True)) <= len(large)


def _cancelled(client) -> int:
    response = client.get(reverse("reports:sessions"), WEEK)
    return response.context["data"].totals["cancelled"]


def test_a_committed_write_shows_in_the_next_report(
    admin_client_, week, django_capture_on_commit_callbacks
):
    assert _cancelled(admin_client_) == 1
    keys = set(cache._cache)  # the local-memory cache: what the first request stored
    assert keys
    s1 = week["sessions"]["s1"]
    # An update keeps every id: only the version bumped after the commit tells the change.
    with django_capture_on_commit_callbacks(execute=True):
        s1.status = "cancelled"
        s1.cancel_reason = "Patient called"
        s1.save()
    assert _cancelled(admin_client_) == 2
    # The old entry was not deleted (another worker's cache could not be), only left behind.
    assert keys < set(cache._cache)


def test_a_write_rolled_back_leaves_the_figures(admin_client_, week):
    before = FiguresVersion.objects.get().changes
    s1 = week["sessions"]["s1"]
    s1.status, s1.cancel_reason = "cancelled", "Patient called"
    s1.save()  # the test's transaction never commits: no bump
    figures.changed()
    assert FiguresVersion.objects.get().changes == before


def test_each_report_is_cached_under_its_filters(admin_client_, week):
    admin_client_.get(reverse("reports:sessions"), WEEK)
    with CaptureQueriesContext(connection) as captured:
        response = admin_client_.get(reverse("reports:sessions"), WEEK)
    assert not [q for q in captured.captured_queries if "scheduling_treatmentsession" in q["sql"]
                and "reports_figuresversion" not in q["sql"]]  # fmt: skip
    other = admin_client_.get(reverse("reports:sessions"), {**WEEK, "room": week["rooms"][1].pk})
    assert other.context["data"].totals["booked"] != response.context["data"].totals["booked"]


def test_reviews_waiting_ages_are_of_the_request_not_of_the_cache(admin_client_, week):
    b.screening(
        patient=week["patients"][0], procedure="prp", outcome="needs_review",
        screened_at=b.at_now(),
    )  # fmt: skip
    first = admin_client_.get(reverse("reports:reviews"), WEEK).context["data"].open_items[0]
    second = admin_client_.get(reverse("reports:reviews"), WEEK).context["data"].open_items[0]
    assert second["age"] > first["age"]


def test_audit_log_count_stops_at_the_cap(admin_client_, week, monkeypatch):
    monkeypatch.setattr(audit_search, "COUNT_CAP", 3)
    for _ in range(8):
        log_access(week["patients"][0], by=week["providers"][0])
    response = admin_client_.get(reverse("reports:audit-log"))
    table = response.context["table"]
    assert table.paginator.count == 4 and table.paginator.capped
    assert "More than" in response.content.decode()
    # The search still finds every entry; only the page links stop.
    assert len(list(table.data)) > 8


def test_cached_figures_hold_no_password_hash(admin_client_, week):
    admin_client_.get(reverse("reports:sessions"), WEEK)
    staff = admin_client_.get(reverse("reports:sessions"), WEEK).context["data"].staff
    assert staff and all("password" not in person.__dict__ for person in staff)


@pytest.mark.parametrize("name", ["reports:sessions", "reports:screenings", "reports:recall"])
def test_a_committed_new_room_is_in_the_next_filter_form(
    admin_client_, week, name, django_capture_on_commit_callbacks
):
    """The filter forms are drawn once and cached: a committed write to what they list shows on
    the next request."""
    admin_client_.get(reverse(name), PAGES[name])
    assert "Room 9" not in admin_client_.get(reverse(name), PAGES[name]).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        b.room("Room 9")
    assert "Room 9" in admin_client_.get(reverse(name), PAGES[name]).content.decode()


def test_the_cached_filter_form_is_crispys_own(admin_client_, week):
    admin_client_.get(reverse("reports:screenings"), WEEK)
    response = admin_client_.get(reverse("reports:screenings"), WEEK)
    form = response.context["form"]
    assert response.context["form_html"] == render_crispy_form(form)
    assert str(response.context["form_html"]) in response.content.decode()


def test_a_filter_with_errors_is_drawn_afresh_and_not_cached(admin_client_, week):
    cache.clear()
    bad = {"date_from": "2026-11-08", "date_to": "2026-11-02"}
    html = admin_client_.get(reverse("reports:sessions"), bad).content.decode()
    assert "on or before" in html and "The filters need correcting" in html
    assert not cache._cache
    html = admin_client_.get(reverse("reports:sessions"), bad).content.decode()
    assert "on or before" in html


def test_version_is_the_orm_query_compiled_once(week):
    assert figures.version() == figures._version_query().get()
    FiguresVersion.objects.filter(pk=figures.ROW).update(changes=41)
    assert figures.version()[0] == 41
    assert figures.signalled(figures.version()) == (41,)
    FiguresVersion.objects.all().delete()
    assert figures.version() is None and figures.signalled(None) is None
