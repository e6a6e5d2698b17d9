"""The role dashboards (issue 14): each role sees its own panel and no other, the desk can
check a patient in from it, every patient listed is in the access log, and the page costs the
same number of queries for two sessions today as for twenty."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.roles import PHYSICIAN
from dashboard import selectors
from eligibility import rules
from scheduling.models import Status
from tests.factories import PatientFactory, UserFactory, login_client
from tests.scheduling.factories import (
    LLLT,
    MN,
    PRP,
    make_provider,
    make_session,
    on_day,
    screened_patient,
    sign_all,
)

pytestmark = pytest.mark.django_db

URL = reverse("dashboard")
MAX_QUERIES = 15


def html(client) -> str:
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def check_in_url(session) -> str:
    return reverse("scheduling:session-check-in", args=[session.pk])


def sessions_today(clinic, n: int, *, after: int = 0, provider=None, type_name=MN) -> list:
    """`n` sessions today, one patient each, one after another in 50-minute slots from 01:00,
    the first `after` slots left out (none overlap: PostgreSQL's constraints refuse that)."""
    return [
        make_session(
            clinic,
            patient=PatientFactory(),
            start=on_day(0, 1) + timedelta(minutes=50 * i),
            type_name=type_name,
            **({"provider": provider} if provider else {}),
        )
        for i in range(after, after + n)
    ]


def accessed(user) -> set[str]:
    return set(
        LogEntry.objects.filter(
            action=LogEntry.Action.ACCESS, actor=user, content_type__model="patient"
        ).values_list("object_pk", flat=True)
    )


def queries_for(client) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(URL).status_code == 200
    return len(context.captured_queries)


# ---- who sees what ---------------------------------------------------------------------------


def test_front_desk_sees_arrivals_and_no_other_panel(desk_client, clinic):
    page = html(desk_client)
    assert 'id="arrivals"' in page and 'id="attention-count"' in page
    assert 'id="week"' not in page and 'id="reviews"' not in page and 'id="to-chart"' not in page
    assert "No sessions today." in page


def test_physician_sees_their_panels_and_no_other(physician_client, clinic):
    page = html(physician_client)
    assert 'id="reviews"' in page and 'id="today"' in page and 'id="to-chart"' in page
    assert 'id="arrivals"' not in page and 'id="week"' not in page


def test_admin_sees_the_week_and_the_reports(admin_client_, clinic):
    page = html(admin_client_)
    assert 'id="week"' in page
    assert 'id="arrivals"' not in page and 'id="reviews"' not in page
    assert reverse("reports:sessions") + "?date_from=" in page
    assert reverse("reports:export", args=["sessions", "csv"]) in page
    assert reverse("reports:index") in page and reverse("reports:audit-log") in page


def test_a_user_in_no_group_gets_the_page_without_a_panel(clinic):
    page = html(login_client(UserFactory()))
    for panel in ("arrivals", "reviews", "today", "to-chart", "week"):
        assert f'id="{panel}"' not in page


def test_anonymous_is_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_panels_refuse_a_role_they_are_not_for(front_desk_user, physician_user, admin_user):
    from django.core.exceptions import PermissionDenied

    for panel, user in (
        (selectors.front_desk_panel, admin_user),
        (selectors.physician_panel, front_desk_user),
        (selectors.admin_panel, physician_user),
    ):
        with pytest.raises(PermissionDenied):
            panel(user=user)


# ---- front desk ------------------------------------------------------------------------------


def test_arrivals_in_time_order_with_eligibility_and_consent(desk_client, clinic):
    ready = screened_patient(by=clinic.desk, patient__last_name="Ready")
    unsigned = screened_patient(by=clinic.desk, consent=False, patient__last_name="Unsigned")
    blocked = screened_patient(by=clinic.desk, patient__last_name="Blocked")
    make_session(clinic, patient=unsigned, start=on_day(0, 11), type_name=PRP)
    make_session(clinic, patient=ready, start=on_day(0, 9))
    make_session(
        clinic, patient=blocked, start=on_day(0, 14), blocked_reason="Now on anticoagulants."
    )
    tomorrow = make_session(clinic, patient=ready, start=on_day(1, 9))
    page = html(desk_client)
    assert page.index("<td>Ready,") < page.index("<td>Unsigned,") < page.index("<td>Blocked,")
    assert page.count("<td>Ready,") == 1 and tomorrow.get_absolute_url() not in page
    assert "Needs attention: Now on anticoagulants." in page
    assert f"Missing: {rules.PROCEDURE_LABELS['prp']}" in page
    assert "Can go ahead" in page and "On file" in page
    assert '<span class="fw-semibold text-body" id="attention-count">1</span>' in page


def test_check_in_link_only_for_booked_sessions_today(desk_client, clinic):
    booked, checked_in, cancelled = sessions_today(clinic, 3)
    checked_in.status = Status.CHECKED_IN
    checked_in.save()
    cancelled.status, cancelled.cancel_reason = Status.CANCELLED, "Asked to move it"
    cancelled.save()
    tomorrow = make_session(clinic, patient=PatientFactory(), start=on_day(1, 10))
    page = html(desk_client)
    assert check_in_url(booked) in page
    for session in (checked_in, cancelled, tomorrow):
        assert check_in_url(session) not in page
    assert cancelled.patient.last_name not in page


def test_desk_access_log_names_every_patient_listed(desk_client, front_desk_user, clinic):
    sessions = sessions_today(clinic, 3)
    later = make_session(clinic, patient=PatientFactory(), start=on_day(3, 10))
    html(desk_client)
    assert accessed(front_desk_user) == {str(s.patient_id) for s in sessions}
    assert str(later.patient_id) not in accessed(front_desk_user)


def test_desk_query_count_is_flat(desk_client, clinic):
    sessions_today(clinic, 2)
    desk_client.get(URL)  # warm the caches (content types, permissions)
    two = queries_for(desk_client)
    sessions_today(clinic, 18, after=2)
    sign_all(PatientFactory(), by=clinic.desk)
    twenty = queries_for(desk_client)
    assert twenty == two <= MAX_QUERIES
    print(f"\nfront desk dashboard: {two} queries")


# ---- physician -------------------------------------------------------------------------------


def test_physician_lists_only_their_sessions(physician_client, physician_user, clinic):
    other = make_provider("otherdoc", types=clinic.types.values())
    mine = make_session(clinic, patient=PatientFactory(last_name="Mine"), start=on_day(0, 9))
    make_session(
        clinic,
        patient=PatientFactory(last_name="Theirs"),
        start=on_day(0, 9),
        provider=other,
        room=clinic.rooms["Room 2"],
        device=clinic.devices["Pen B"],
    )
    to_chart = make_session(
        clinic,
        patient=PatientFactory(last_name="Charting"),
        start=on_day(-1, 9),
        status=Status.IN_TREATMENT,
    )
    page = html(physician_client)
    assert "Mine" in page and "Charting" in page and "Theirs" not in page
    assert mine.get_absolute_url() in page and to_chart.get_absolute_url() in page
    assert "/check-in/" not in page
    assert accessed(physician_user) == {str(mine.patient_id), str(to_chart.patient_id)}


def test_physician_sees_reviews_waiting_with_the_oldest_age(physician_client, clinic):
    assert "Nothing waiting for review." in html(physician_client)
    screened_patient(by=clinic.desk, yes=("anticoagulant",))
    panel = selectors.physician_panel(user=clinic.doctor)
    assert panel.waiting >= 1 and panel.oldest_since is not None
    page = html(physician_client)
    assert f'id="reviews-waiting">{panel.waiting}</span> waiting; the oldest for' in page
    assert reverse("eligibility:review-queue") in page


def test_physician_query_count_is_flat(physician_client, physician_user, clinic):
    sessions_today(clinic, 2, provider=physician_user)
    physician_client.get(URL)
    two = queries_for(physician_client)
    sessions_today(clinic, 18, after=2, provider=physician_user, type_name=LLLT)
    twenty = queries_for(physician_client)
    assert twenty == two <= MAX_QUERIES
    print(f"\nphysician dashboard: {two} queries")


# ---- clinic admin ----------------------------------------------------------------------------


def test_admin_week_counts_per_day(admin_user, clinic):
    from scheduling import times

    today = times.today()
    sessions = sessions_today(clinic, 3)
    sessions[1].status = Status.COMPLETED
    sessions[1].charted_at = sessions[1].end
    sessions[1].save()
    sessions[2].status, sessions[2].cancel_reason = Status.CANCELLED, "Unwell"
    sessions[2].save()
    panel = selectors.admin_panel(user=admin_user)
    assert panel.week[0].day.weekday() == 0 and len(panel.week) == 7
    (row,) = [row for row in panel.week if row.day == today]
    assert (row.booked, row.completed, row.cancelled) == (3, 1, 1)
    assert sum(r.booked for r in panel.week) == 3


def test_admin_query_count_is_flat_and_logs_no_patient(admin_client_, admin_user, clinic):
    sessions_today(clinic, 2)
    admin_client_.get(URL)
    two = queries_for(admin_client_)
    sessions_today(clinic, 18, after=2, type_name=LLLT)
    assert queries_for(admin_client_) == two <= MAX_QUERIES
    assert not accessed(admin_user)
    print(f"\nadmin dashboard: {two} queries")


def test_physician_role_marker_is_the_review_permission():
    """The dashboard picks the panel by core.roles.role_of; a physician must not be read as
    front desk (they share the session permissions)."""
    from core.roles import role_of

    assert role_of(UserFactory(role=PHYSICIAN)) == PHYSICIAN
