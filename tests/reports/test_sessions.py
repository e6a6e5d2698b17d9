"""The sessions report's figures against the hand-built week (tests/reports/conftest.py)."""

import re
from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports import queries
from reports.forms import ReportFilterForm
from tests.reports import builders as b
from tests.reports.conftest import WEEK

pytestmark = pytest.mark.django_db


def _filters(**extra):
    form = ReportFilterForm({**WEEK, **extra})
    assert form.is_valid(), form.errors
    return form.filters()


def _counts(row):
    return (row["booked"], row["completed"], row["cancelled"], row["no_show"])


def test_totals_and_no_show_rate(week):
    report = queries.sessions_report(_filters())
    assert _counts(report.totals) == (6, 2, 1, 1)
    assert report.totals["no_show_rate"] == pytest.approx(1 / 5)


def test_by_day_fills_quiet_days(week):
    report = queries.sessions_report(_filters(by="day"))
    by_day = {row["label"]: _counts(row) for row in report.by_period}
    assert list(by_day) == [date(2026, 11, d) for d in range(2, 9)]
    assert by_day[date(2026, 11, 2)] == (2, 2, 0, 0)
    assert by_day[date(2026, 11, 3)] == (1, 0, 1, 0)
    assert by_day[date(2026, 11, 4)] == (2, 0, 0, 1)
    assert by_day[date(2026, 11, 5)] == (0, 0, 0, 0)
    assert by_day[date(2026, 11, 8)] == (1, 0, 0, 0)


@pytest.mark.parametrize(
    ("by", "label"), [("week", date(2026, 11, 2)), ("month", date(2026, 11, 1))]
)
def test_by_week_and_month(week, by, label):
    report = queries.sessions_report(_filters(by=by))
    assert [(row["label"], _counts(row)) for row in report.by_period] == [(label, (6, 2, 1, 1))]


def test_by_procedure_counts_combined_types_under_each(week):
    report = queries.sessions_report(_filters())
    by_procedure = {row["label"]: _counts(row) for row in report.by_procedure}
    assert by_procedure == {
        "Microneedling": (3, 1, 1, 0),
        "PRP": (2, 2, 0, 0),
        "Laser (LLLT)": (3, 0, 0, 1),
    }


def test_by_provider_and_room(week):
    report = queries.sessions_report(_filters())
    assert {row["label"]: _counts(row) for row in report.by_provider} == {
        "Anna Alder": (4, 2, 0, 0),
        "Ben Birch": (2, 0, 1, 1),
    }
    assert {row["label"]: _counts(row) for row in report.by_room} == {
        "Room 1": (3, 2, 0, 0),
        "Room 2": (3, 0, 1, 1),
    }


def test_utilisation_of_rooms_and_devices(week):
    report = queries.sessions_report(_filters())
    rooms = {u.name: (u.booked_minutes, u.open_minutes) for u in report.rooms}
    assert rooms == {"Room 1": (165, 1920), "Room 2": (60, 1920)}
    devices = {u.name: u.booked_minutes for u in report.devices}
    assert devices == {
        "Device SN-100 (SN-100)": 90,
        "Device SN-200 (SN-200)": 75,
        "Device SN-300 (SN-300)": 60,
    }
    assert next(u for u in report.rooms if u.name == "Room 1").rate == pytest.approx(165 / 1920)


def test_filters_narrow_every_figure(week):
    assert _counts(queries.sessions_report(_filters(procedure="prp")).totals) == (2, 2, 0, 0)
    assert _counts(queries.sessions_report(_filters(status="completed")).totals) == (2, 2, 0, 0)
    _, ben = week["providers"]
    assert queries.sessions_report(_filters(provider=ben.pk)).totals["booked"] == 2
    r1, _ = week["rooms"]
    assert queries.sessions_report(_filters(room=r1.pk)).totals["booked"] == 3
    lllt = week["types"]["lllt"]
    assert queries.sessions_report(_filters(session_type=lllt.pk)).totals["booked"] == 2


def test_page_shows_chart_and_table(admin_client_, week):
    response = admin_client_.get(reverse("reports:sessions"), {**WEEK, "procedure": "prp"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html and 'role="img"' in html
    assert "Download CSV" in html and "procedure=prp" in html
    assert "Anna Alder" in html


def test_defaults_to_the_last_30_days(admin_client_):
    from django.utils import timezone

    response = admin_client_.get(reverse("reports:sessions"))
    form = response.context["form"]
    today = timezone.localdate()
    assert form.cleaned_data["date_to"] == today
    assert (today - form.cleaned_data["date_from"]).days == 29


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "2026-11-30", "date_to": "2026-11-01"},
        {"date_from": "not-a-date"},
        {"date_from": "2999-99-99"},
        {"provider": "abc"},
        {"room": "999999"},
        {"status": "exploded"},
        {"by": "century"},
        {"procedure": "<script>"},
        {"date_from": "1900-01-01", "date_to": "2026-01-01"},
    ],
)
def test_invalid_filters_give_a_message_not_a_500(admin_client_, params):
    response = admin_client_.get(reverse("reports:sessions"), params)
    assert response.status_code == 200
    assert "need correcting" in response.content.decode()
    export = admin_client_.get(reverse("reports:export", args=["sessions", "csv"]), params)
    assert export.status_code == 400
    assert "nothing was exported" in export.content.decode()


def test_a_long_range_by_day_is_grouped_by_week(admin_client_, week):
    response = admin_client_.get(
        reverse("reports:sessions"), {"date_from": "2025-01-01", "date_to": "2026-12-31"}
    )
    assert response.status_code == 200
    assert response.context["by"] == "week"


def test_chart_labels_are_escaped(week):
    from reports.charts import Series, bar_chart

    svg = str(bar_chart(title="T<", labels=["<script>alert(1)</script>"], series=[
        Series('"Booked"', [3], "#000"),
    ]))  # fmt: skip
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "&quot;Booked&quot;" in svg and "style" not in svg


def test_chart_title_and_labels_with_quotes_stay_inside_their_attribute_and_text():
    from reports.charts import Series, bar_chart

    svg = str(
        bar_chart(
            title='Rooms "A" <b>',
            labels=['Room "1"', "<script>alert(1)</script>"],
            series=[Series("Booked", [1, 2], '"><script>')],
        )
    )
    assert 'aria-label="Rooms &quot;A&quot; &lt;b&gt;"' in svg
    assert "<title>Rooms &quot;A&quot; &lt;b&gt;</title>" in svg
    assert "<title>Room &quot;1&quot;: Booked 1</title>" in svg
    assert ">&lt;script&gt;alert(1)&lt;/script&gt;</text>" in svg
    assert 'fill="&quot;&gt;&lt;script&gt;"' in svg
    assert "<script>" not in svg and "<b>" not in svg


def test_report_page_escapes_a_room_named_like_markup(admin_client_, week):
    room = week["sessions"]["s1"].room
    room.name = '<script>alert("room")</script>'
    room.save()
    html = admin_client_.get(reverse("reports:sessions"), WEEK).content.decode()
    assert '<script>alert("room")</script>' not in html
    assert "&lt;script&gt;alert(&quot;room&quot;)&lt;/script&gt;" in html


def test_nav_links_by_permission(admin_client_, desk_client, physician_client):
    admin_html = admin_client_.get(reverse("dashboard")).content.decode()
    assert reverse("reports:index") in admin_html and reverse("reports:audit-log") in admin_html
    for client in (desk_client, physician_client):
        html = client.get(reverse("dashboard")).content.decode()
        assert reverse("reports:index") not in html and reverse("reports:audit-log") not in html


# The page's own queries: periods, the grouped counts, session types, staff, rooms, devices,
# and opening hours with the closed days (the filter form lists the types, staff and rooms
# the report read). Flat, however many sessions are in the range. The page adds one: the
# version of the data its cached figures are keyed on (reports.figures).
OWN_QUERIES = 7
# What every page reads before the view runs: session, user, two-factor device, permissions.
FRAMEWORK = ("django_session", "otp_", "auth_permission", "auth_group", '"auth_user"."id" = ')


def _page_queries(client, params) -> list[str]:
    """The queries of the page computing its figures (not from the cache)."""
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("reports:sessions"), params)
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def _own(sqls: list[str]) -> list[str]:
    return [sql for sql in sqls if not any(table in sql for table in FRAMEWORK)]


@pytest.mark.parametrize("by", ["day", "week", "month"])
def test_page_queries_do_not_grow_with_the_sessions(admin_client_, week, by):
    params = {**WEEK, "by": by}
    admin_client_.get(reverse("reports:sessions"), params)  # warm per-process caches
    small = _page_queries(admin_client_, params)
    s1 = week["sessions"]["s1"]
    for hour in range(8):  # eight more sessions, in new rooms and on new devices
        b.session(
            patient=s1.patient,
            stype=s1.session_type,
            provider=s1.provider,
            room=b.room(f"Extra room {hour}"),
            device=b.device(f"SN-X{hour}"),
            start=b.at(date(2026, 11, 3), 9 + hour),
            status="cancelled" if hour % 2 else "booked",
        )
    large = _page_queries(admin_client_, params)
    assert len(large) == len(small)
    assert len(_own(large)) <= OWN_QUERIES + 1, _own(large)
    html = admin_client_.get(reverse("reports:sessions"), params).content.decode()
    assert "Extra room 7" in html


def test_figures_take_a_fixed_number_of_queries(week, django_assert_max_num_queries):
    with django_assert_max_num_queries(OWN_QUERIES):
        queries.sessions_report(_filters())


def test_count_tables_escape_labels_and_round_the_rate():
    from reports.charts import count_table

    row = {"label": "<b>x</b>", "booked": 3, "completed": 0, "cancelled": 0, "no_show": 2}
    html = count_table([{**row, "no_show_rate": 2 / 3}], heading="<i>")
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>" not in html and "&lt;i&gt;" in html
    assert '<td class="text-end">67 %</td>' in html
    assert "No sessions." in count_table([], heading="Room")
    by_day = count_table(
        [{**row, "label": date(2026, 11, 2), "no_show_rate": None}],
        heading="Day",
        date_format="D j M Y",
    )
    assert "Mon 2 Nov 2026" in by_day and "\N{EN DASH}" in by_day


def test_utilisation_tables_escape_names_and_say_when_empty():
    from reports.charts import utilisation_table

    html = utilisation_table(
        [queries.Utilisation("<b>Room</b>", 1500, 1920), queries.Utilisation("Idle", 0, 0)],
        heading="<i>",
        empty="No rooms.",
    )
    assert "&lt;b&gt;Room&lt;/b&gt;" in html and "<b>" not in html and "&lt;i&gt;" in html
    cells = re.findall(r"<td[^>]*>(.*?)</td>", html)
    assert cells == ["1500", "1920", "78.1 %", "0", "0", "\N{EN DASH}"]
    assert "No rooms." in utilisation_table([], heading="Room", empty="No rooms.")


def test_utilisation_on_the_page(admin_client_, week):
    html = admin_client_.get(reverse("reports:sessions"), WEEK).content.decode()
    html = html.split("Utilisation</h2>", 1)[1]
    room_1 = re.search(r'>Room 1</th><td class="text-end">(\d+)</td><td class="text-end">(\d+)</td>'
                       r'<td class="text-end">([^<]+)</td>', html)  # fmt: skip
    assert room_1.groups() == ("165", "1920", "8.6 %")
