"""The front desk's "Needs attention" list (CLINICAL.md, screening lifecycle 7): booked sessions
that can no longer go ahead are listed, never silently cancelled, and say why."""

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from eligibility import rules
from eligibility.models import Decision
from eligibility.services import screen_intake
from scheduling.models import Status, TreatmentSession
from tests.factories import IntakeFactory, all_no
from tests.scheduling.factories import (
    LLLT,
    MN_LLLT,
    make_session,
    on_day,
    screened_patient,
)

pytestmark = pytest.mark.django_db

URL = reverse("scheduling:attention")
REASON = "Microneedling: not eligible (scalp acne)."


def needing_attention(clinic, count: int, *, first_day: int = 1):
    """`count` sessions on consecutive days (nothing overlaps), each with a reason."""
    patient = screened_patient(by=clinic.desk)
    return [
        make_session(
            clinic,
            patient=patient,
            start=on_day(first_day + n, 10),
            blocked_reason=f"{REASON} #{n:02d}",
        )
        for n in range(count)
    ]


def test_desk_sees_each_session_with_time_patient_type_reason_and_link(desk_client, clinic):
    later, sooner = needing_attention(clinic, 1, first_day=3) + needing_attention(clinic, 1)
    response = desk_client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "2 sessions, soonest first." in page
    for session in (sooner, later):
        assert f"{session.patient.last_name}, {session.patient.first_name}" in page
        assert session.patient.mrn in page
        assert f"Needs attention: {session.blocked_reason}" in page
        assert f'href="{session.get_absolute_url()}"' in page
    assert f"{sooner.start:%-d %b %Y}" in page
    assert "Microneedling" in page
    assert page.index(sooner.patient.mrn) < page.index(later.patient.mrn)


@pytest.mark.parametrize(
    ("when", "status", "reason", "listed"),
    [
        pytest.param((1, 10), Status.BOOKED, "booked", True, id="booked"),
        pytest.param((2, 10), Status.CHECKED_IN, "checked in", True, id="checked-in"),
        pytest.param((3, 10), Status.IN_TREATMENT, "in treatment", True, id="in-treatment"),
        pytest.param((0, 0, 30), Status.BOOKED, "today", True, id="today"),
        pytest.param((4, 10), Status.BOOKED, "", False, id="no-reason"),
        pytest.param((5, 10), Status.CANCELLED, "cancelled", False, id="cancelled"),
        pytest.param((6, 10), Status.NO_SHOW, "no-show", False, id="no-show"),
        pytest.param((-1, 10), Status.BOOKED, "yesterday", False, id="yesterday"),
    ],
)
def test_only_upcoming_live_sessions_with_a_reason_are_listed(
    desk_client, clinic, when, status, reason, listed
):
    """`when`: days ahead, hour (and minute) of the session."""
    session = make_session(
        clinic,
        patient=screened_patient(by=clinic.desk),
        start=on_day(*when),
        status=status,
        blocked_reason=reason,
        cancel_reason="Patient called." if status == Status.CANCELLED else "",
    )
    page = desk_client.get(URL).content.decode()
    assert (session.get_absolute_url() in page) is listed


def test_nothing_to_do_says_so(desk_client, clinic):
    needing_attention(clinic, 1, first_day=-2)  # past: not listed
    assert "Nothing needs attention" in desk_client.get(URL).content.decode()


def test_physician_may_look_admin_and_anonymous_may_not(physician_client, admin_client_, client):
    assert physician_client.get(URL).status_code == 200
    assert admin_client_.get(URL).status_code == 403
    anonymous = client.get(URL)
    assert anonymous.status_code == 302 and anonymous.url.startswith(reverse("login"))


def test_the_sessions_shown_are_in_the_access_log(desk_client, clinic, front_desk_user):
    sessions = needing_attention(clinic, 3)
    desk_client.get(URL)
    logged = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(TreatmentSession),
        action=LogEntry.Action.ACCESS,
        actor=front_desk_user,
    )
    assert sorted(int(pk) for pk in logged.values_list("object_pk", flat=True)) == sorted(
        s.pk for s in sessions
    )


def test_pages_of_25(desk_client, clinic, front_desk_user):
    sessions = needing_attention(clinic, 27)
    first = desk_client.get(URL).content.decode()
    assert "27 sessions" in first and "Page 1 of 2" in first
    assert sessions[24].get_absolute_url() in first
    assert sessions[25].get_absolute_url() not in first
    second = desk_client.get(URL, {"page": 2}).content.decode()
    assert sessions[25].get_absolute_url() in second and sessions[26].get_absolute_url() in second
    assert sessions[0].get_absolute_url() not in second
    assert "Page 2 of 2" in desk_client.get(URL, {"page": "99"}).content.decode()
    logged = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=front_desk_user)
    assert logged.count() == 25 + 2 + 2


def test_query_count_does_not_grow_with_the_list(desk_client, clinic, django_assert_num_queries):
    needing_attention(clinic, 2)
    desk_client.get(URL)  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as two:
        desk_client.get(URL)
    needing_attention(clinic, 18, first_day=10)
    with django_assert_num_queries(len(two.captured_queries)):
        page = desk_client.get(URL).content.decode()
    assert "20 sessions" in page


def test_query_count_is_small(desk_client, clinic, django_assert_max_num_queries):
    needing_attention(clinic, 20)
    desk_client.get(URL)
    with django_assert_max_num_queries(10):
        response = desk_client.get(URL)
    assert response.status_code == 200
    assert "20 sessions" in response.content.decode()


def test_nav_link_and_dashboard_card_for_who_may_see_sessions(desk_client, admin_client_):
    desk = desk_client.get(reverse("dashboard")).content.decode()
    assert desk.count(f'href="{URL}"') == 2  # the menu and the card
    admin = admin_client_.get(reverse("dashboard")).content.decode()
    assert URL not in admin


def test_session_pages_say_needs_attention(desk_client, clinic):
    patient = screened_patient(by=clinic.desk)
    session = make_session(clinic, patient=patient, blocked_reason=REASON)
    detail = desk_client.get(session.get_absolute_url()).content.decode()
    assert f"Needs attention:</span> {REASON}" in detail
    assert "Stopped at check-in</p>" not in detail
    check_in = desk_client.get(reverse("scheduling:session-check-in", args=[session.pk]))
    assert f"Needs attention: {REASON}" in check_in.content.decode()


def test_a_new_finding_lists_the_booked_session_until_a_physician_lifts_it(
    desk_client, physician_client, clinic
):
    """A new intake finds scalp acne: the booked session needs attention (not cancelled); the
    physician records it resolved on examination and it leaves the list."""
    patient = screened_patient(by=clinic.desk)
    session = make_session(clinic, patient=patient, start=on_day(2, 10))
    assert session.get_absolute_url() not in desk_client.get(URL).content.decode()

    intake = IntakeFactory(patient=patient, answers=all_no(scalp_acne=True))
    screen_intake(by=clinic.desk, intake=intake)
    session.refresh_from_db()
    assert session.status == Status.BOOKED and "scalp acne" in session.blocked_reason.lower()
    page = desk_client.get(URL).content.decode()
    assert session.get_absolute_url() in page and "scalp acne" in page.lower()

    response = physician_client.post(
        reverse("eligibility:decide", args=[patient.pk, rules.MICRONEEDLING]),
        {"decision": Decision.RESOLVED, "codes": ["scalp_acne"], "note": "Examined: clear."},
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.blocked_reason == ""
    assert session.get_absolute_url() not in desk_client.get(URL).content.decode()


def test_an_ended_sign_off_lists_the_same_day_session(desk_client, physician_client, clinic):
    patient = screened_patient(by=clinic.desk)
    physician_client.post(
        reverse("eligibility:signoff-record", args=[patient.pk]), {"note": "Plan agreed."}
    )
    session = make_session(clinic, patient=patient, start=on_day(3, 10), type_name=MN_LLLT)
    other = make_session(clinic, patient=patient, start=on_day(4, 10), type_name=LLLT)
    signoff = patient.signoffs.get()
    physician_client.post(
        reverse("eligibility:signoff-end", args=[signoff.pk]), {"note": "Plan changed."}
    )
    session.refresh_from_db()
    assert "sign-off" in session.blocked_reason
    page = desk_client.get(URL).content.decode()
    assert session.get_absolute_url() in page
    assert other.get_absolute_url() not in page
