"""The overdue list costs the same number of queries however many plans there are, and logs
its page in one insert; the patient page's course card costs two queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses import services
from tests.courses.helpers import completed, plan
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

PAGE_BUDGET = 15
OVERDUE = reverse("courses:overdue")


def _queries(client, url: str, params=None) -> list[str]:
    client.get(url, params)  # the session's once-a-minute save is not counted
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def _overdue_patients(clinic, n: int, *, first: int = 0) -> None:
    """`n` patients each due some weeks ago; their sessions an hour apart (one provider)."""
    for i in range(first, first + n):
        patient = PatientFactory()
        plan(clinic, patient, starts_ago=60)
        completed(clinic, patient, days_ago=45 + i // 12, hour=8 + i % 12)


@pytest.mark.parametrize("params", [None, {"phase": "course", "overdue_days": "3"}])
def test_the_overdue_list_is_flat_from_a_few_plans_to_more_than_a_page(desk_client, clinic, params):
    _overdue_patients(clinic, 3)
    few = _queries(desk_client, OVERDUE, params)
    _overdue_patients(clinic, 40, first=3)
    many = _queries(desk_client, OVERDUE, params)
    assert len(many) == len(few)
    assert len(many) <= PAGE_BUDGET
    assert len([sql for sql in many if sql.startswith("INSERT")]) == 1


def _course_queries(sqls: list[str]) -> list[str]:
    return [sql for sql in sqls if '"courses_' in sql]


def test_the_patient_card_adds_two_queries_however_much_it_shows(physician_client, clinic):
    patient = PatientFactory()
    url = patient.get_absolute_url()
    empty = _queries(physician_client, url)
    for type_name in ("Microneedling", "PRP"):
        plan(clinic, patient, starts_ago=200, type_name=type_name)
    for days_ago in range(180, 0, -20):
        session = completed(clinic, patient, days_ago=days_ago)
        services.outcome_record(
            by=clinic.doctor, session=session, scale="norwood", grade="III", patient_assessment=1
        )
    full = _queries(physician_client, url)
    assert len(full) == len(empty)
    assert len(_course_queries(full)) == 2
