"""What the dashboards' faster paths must keep (issue 15): the desk's arrival rows, written in
Python rather than by template includes, escape what they draw and keep every cell; the admin's
week, counted in one aggregate, agrees with the sessions report day by day; and each role's
page costs the same queries for a quiet day as for a busy one."""

from datetime import time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboard import selectors
from eligibility import rules
from reports import queries
from reports.forms import ReportFilters
from scheduling import times
from scheduling.models import Status
from tests.factories import PatientFactory
from tests.scheduling.factories import LLLT, MN, PRP, make_session, on_day, screened_patient

pytestmark = pytest.mark.django_db

URL = reverse("dashboard")
MAX_QUERIES = 15


def queries_for(client) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(URL).status_code == 200
    return len(context.captured_queries)


def test_arrival_rows_escape_names_and_keep_every_cell(desk_client, clinic):
    patient = screened_patient(
        by=clinic.desk,
        consent=False,
        patient__first_name='"Ann"',
        patient__last_name="<script>alert(1)</script>",
    )
    clinic.rooms["Room 1"].name = 'Room "<b>1</b>"'
    clinic.rooms["Room 1"].save()
    session = make_session(
        clinic, patient=patient, start=on_day(0, 9), blocked_reason="<i>On warfarin</i>."
    )
    page = desk_client.get(URL).content.decode()
    for raw in ("<script>alert(1)</script>", "<b>1</b>", "<i>On warfarin</i>"):
        assert raw not in page
    last = "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert f"<td>{last}, &quot;Ann&quot; " in page
    assert "Room &quot;&lt;b&gt;1&lt;/b&gt;&quot;" in page
    assert "Needs attention: &lt;i&gt;On warfarin&lt;/i&gt;." in page
    label = rules.PROCEDURE_LABELS[rules.MICRONEEDLING]
    assert f"Consent missing: {label}" in page and f"Missing: {label}</span>" in page
    local = times.local(session.start)
    assert f'<time datetime="{local.isoformat()}">{local:%H:%M}</time>' in page
    check_in = reverse("scheduling:session-check-in", args=[session.pk])
    assert (
        f'href="{check_in}">Check in again<span class="visually-hidden"> {last}, '
        f"{local:%H:%M}</span></a>"
    ) in page
    assert f'href="{session.get_absolute_url()}"' in page


def test_admin_week_agrees_with_the_sessions_report(admin_user, clinic):
    monday = times.today() - timedelta(days=times.today().weekday())
    for offset, clock, type_name, status in (
        (0, time(21), MN, Status.BOOKED),
        (0, time(22, 30), PRP, Status.CANCELLED),
        (2, time(22, 30), MN, Status.COMPLETED),
        (6, time(0, 15), LLLT, Status.NO_SHOW),
        (7, time(0, 15), MN, Status.BOOKED),  # next Monday: not this week
    ):
        session = make_session(
            clinic,
            patient=PatientFactory(),
            start=times.at(monday + timedelta(days=offset), clock),
            type_name=type_name,
        )
        session.status = status
        session.cancel_reason = "Unwell" if status == Status.CANCELLED else ""
        session.charted_at = session.end if status == Status.COMPLETED else None
        session.save()
    panel = selectors.admin_panel(user=admin_user)
    filters = ReportFilters(date_from=monday, date_to=monday + timedelta(days=6), by="day")
    report = queries.sessions_report(filters).by_period
    assert [(d.booked, d.completed, d.cancelled) for d in panel.week] == [
        (r["booked"], r["completed"], r["cancelled"]) for r in report
    ]
    assert [d.booked for d in panel.week] == [2, 0, 1, 0, 0, 0, 1]


@pytest.mark.parametrize("role", ["desk", "physician", "admin"])
def test_each_dashboard_is_flat_from_a_quiet_day_to_a_busy_one(
    role, desk_client, physician_client, admin_client_, clinic
):
    client = {"desk": desk_client, "physician": physician_client, "admin": admin_client_}[role]

    def today(n: int, after: int = 0) -> None:
        for i in range(after, after + n):
            make_session(
                clinic,
                patient=PatientFactory(),
                start=on_day(0, 1) + timedelta(minutes=50 * i),
                blocked_reason="Not eligible today." if i % 3 == 0 else "",
                status=Status.CHECKED_IN if i % 4 == 1 else Status.BOOKED,
            )

    today(2)
    client.get(URL)  # warm the caches (content types, permissions)
    quiet = queries_for(client)
    today(20, after=2)
    assert queries_for(client) == quiet <= MAX_QUERIES
