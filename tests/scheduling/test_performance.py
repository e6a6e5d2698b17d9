"""The scheduling pages cost the same number of queries however many sessions there are
(issue 15): each page is loaded with a little data, then with ten times as much, and must run
the same statements both times."""

from datetime import time, timedelta

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scheduling import selectors, times
from tests.factories import PatientFactory, SessionEventFactory
from tests.plans import plan
from tests.scheduling.factories import MN, PRP, make_session, on_day, screened_patient

pytestmark = pytest.mark.django_db

MAX_QUERIES = 15


def queries_for(client, url: str, params=None) -> list[str]:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url, params).status_code == 200
    return [q["sql"] for q in context.captured_queries]


def in_one_room(clinic, n: int, *, day: int, after: int = 0, type_name=MN, **fields) -> list:
    """`n` sessions on `day`, one patient each, one after another from 01:00, the first `after`
    slots left out (none overlap: PostgreSQL's constraints refuse that)."""
    length = timedelta(minutes=clinic.types[type_name].duration_minutes)
    assert (after + n) * length <= timedelta(hours=23), "more than fits in a day"
    return [
        make_session(
            clinic,
            patient=PatientFactory(),
            start=on_day(day, 1) + length * i,
            type_name=type_name,
            **fields,
        )
        for i in range(after, after + n)
    ]


def flat(client, url: str, grow, params=None) -> list[str]:
    """The statements of `url` (after a first load warms the caches), the same before and after
    `grow()` adds data; returns them."""
    client.get(url, params)
    small = queries_for(client, url, params)
    grow()
    large = queries_for(client, url, params)
    assert len(large) == len(small), large
    return large


@pytest.mark.parametrize("by", ["room", "provider"])
def test_day_view_is_flat_and_logs_every_session_in_one_insert(desk_client, clinic, by):
    url = reverse("scheduling:day", args=[times.today() + timedelta(days=2)]) + f"?by={by}"
    in_one_room(clinic, 3, day=2)
    large = flat(desk_client, url, lambda: in_one_room(clinic, 27, day=2, after=3))
    assert len(large) <= MAX_QUERIES
    assert sum(sql.startswith("INSERT") for sql in large) == 1
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count() >= 30


def test_needs_attention_is_flat_past_a_page(desk_client, clinic):
    url = reverse("scheduling:attention")

    def blocked(n: int, *, day: int) -> None:
        in_one_room(clinic, n, day=day, blocked_reason="Not eligible today.")

    def grow() -> None:
        # More than a page: the page, its count and its log stay one statement each.
        blocked(20, day=2)
        blocked(selectors.ATTENTION_PAGE_SIZE - 10, day=3)

    blocked(2, day=1)
    large = flat(desk_client, url, grow)
    assert len(large) <= MAX_QUERIES


def test_session_page_is_flat_in_its_history_and_the_days_bookings(desk_client, clinic):
    session = make_session(clinic, patient=PatientFactory(), start=on_day(1, 22))
    SessionEventFactory(session=session)

    def grow() -> None:
        for _ in range(20):
            SessionEventFactory(session=session, kind="rescheduled", detail="Moved")
        in_one_room(clinic, 20, day=1)

    large = flat(desk_client, session.get_absolute_url(), grow)
    assert len(large) <= MAX_QUERIES


def test_free_slots_for_a_patient_are_flat_in_the_sessions_of_the_window(desk_client, clinic):
    """A patient and a session type: the search reads the fortnight's sessions in one query,
    however many there are; the count is above the pages' 15 because the search needs the
    patient's eligibility (three), the candidates (three), the calendar (three) and the
    form's three lists besides the fixed cost of a signed-in request."""
    patient = screened_patient(by=clinic.desk)
    url = reverse("scheduling:free-slots")
    params = {
        "patient": patient.pk,
        "session_type": clinic.types[PRP].pk,
        "day": (times.today() + timedelta(days=1)).isoformat(),
    }
    in_one_room(clinic, 2, day=3, type_name=PRP)

    def grow() -> None:
        for day in (3, 4, 5):
            in_one_room(clinic, 10, day=day, after=2, type_name=PRP)

    response = desk_client.get(url, params)
    assert response.context["slots"]
    large = flat(desk_client, url, grow, params)
    assert len(large) <= FREE_SLOTS_MAX_QUERIES


FREE_SLOTS_MAX_QUERIES = 22


def test_free_slots_skip_what_each_day_has_taken(clinic):
    """The search goes a day at a time through that day's sessions only: a slot taken on one
    day (the clinic's one centrifuge) is still offered at the same time on the next."""
    first = times.today() + timedelta(days=1)
    taken = make_session(
        clinic, patient=PatientFactory(), start=times.at(first, time(8)), type_name=PRP
    )
    slots = selectors.free_slots(session_type=clinic.types[PRP], day=first, limit=200, days=1)
    starts = {slot.start for slot in slots}
    assert taken.start not in starts
    assert times.at(first, time(9)) in starts
    assert times.at(first + timedelta(days=1), time(8)) in starts


def test_the_needs_attention_list_reads_the_index_of_blocked_sessions(desk_client, clinic):
    """Its count is on the desk's dashboard: it reads the partial index that holds only blocked
    sessions, not every upcoming session."""
    in_one_room(clinic, 3, day=1)
    rows = selectors.sessions_needing_attention(user=clinic.desk)
    assert "session_blocked_start_idx" in plan(rows)
