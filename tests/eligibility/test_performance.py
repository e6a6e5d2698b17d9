"""The review queue's cost does not grow with the queue: a COUNT and one page of rows, the
columns the page shows, and one bulk insert for the access log."""

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.roles import FRONT_DESK
from eligibility import selectors
from eligibility.views import QUEUE_PAGE_SIZE
from tests.factories import PatientFactory, UserFactory, submit_intake
from tests.plans import plan

pytestmark = pytest.mark.django_db

MAX_QUERIES = 15


def _waiting(desk, n: int) -> None:
    """`n` patients whose intake needs a physician (two procedures each)."""
    for _ in range(n):
        submit_intake(desk, PatientFactory(), "anticoagulant")


def _queries(client) -> tuple[list[str], str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("eligibility:review-queue"))
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries], response.content.decode()


def test_queue_queries_do_not_grow_with_the_queue(physician_client, physician_user):
    desk = UserFactory(username="desk-perf", role=FRONT_DESK)
    _waiting(desk, 2)
    physician_client.get(reverse("eligibility:review-queue"))  # warm per-process caches
    small, html = _queries(physician_client)
    assert "4 screenings waiting" in html
    _waiting(desk, QUEUE_PAGE_SIZE)
    large, html = _queries(physician_client)
    assert f"{2 * (QUEUE_PAGE_SIZE + 2)} screenings waiting" in html
    assert len(large) == len(small) <= MAX_QUERIES, large
    # One page is read, however long the queue, and its patients logged in one insert.
    inserts = [sql for sql in large if sql.startswith('INSERT INTO "auditlog_logentry"')]
    assert len(inserts) == 1
    shown = LogEntry.objects.filter(actor=physician_user, action=LogEntry.Action.ACCESS)
    assert shown.exists()


def test_queue_reads_one_page_and_few_columns(physician_user, django_assert_max_num_queries):
    desk = UserFactory(username="desk-perf", role=FRONT_DESK)
    _waiting(desk, 3)
    queue = selectors.review_queue(user=physician_user)
    with django_assert_max_num_queries(2):
        assert len(queue) == 6
        page = queue[0:QUEUE_PAGE_SIZE]
    assert len(page) == 6
    # The answers and derived values (JSON) stay in the database: only what a row shows.
    assert {"answers", "answered_at", "details", "derived"} <= page[0].get_deferred_fields()
    with django_assert_max_num_queries(0):
        for screening in page:
            assert screening.patient.mrn and screening.blocking_reasons and screening.kind


def test_the_queue_is_read_from_its_covering_partial_index(physician_user):
    """The queue's count, on every physician's dashboard, reads the queue's own index (whose
    columns hold every filter of the queue), not the screenings table."""
    queue = selectors.review_queue(user=physician_user).queryset
    assert "screening_queue_covering_idx" in plan(queue)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's extended statistics")
def test_postgres_knows_how_the_queues_columns_go_together():
    """Migration 0007's statistics are there: without them the planner takes the queue's
    conditions as independent, expects a tenth of the rows and sorts them all for one page
    (about 4 ms at clinic scale instead of 1.4)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_statistic_ext WHERE stxname = 'screening_queue_stats'")
        assert cursor.fetchone() is not None
