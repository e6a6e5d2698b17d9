"""The patient picker's search (issue 14): `intake.selectors.patient_search` and its POST-only
endpoint."""

from datetime import date

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.roles import CLINIC_ADMIN
from intake import selectors
from tests.factories import PatientFactory, UserFactory, login_client

pytestmark = pytest.mark.django_db

URL = "intake:patient-picker"


@pytest.fixture
def ada():
    return PatientFactory(
        first_name="Ada",
        last_name="Lovelace",
        mrn="F00012345",
        date_of_birth=date(1985, 12, 10),
        phone="+447700900123",
    )


def _accesses():
    return LogEntry.objects.filter(action=LogEntry.Action.ACCESS)


@pytest.mark.parametrize(
    "text",
    [
        "Lovelace",
        "lov",
        "ada love",
        "F00012345",
        "F0001234",
        "1985-12-10",
        "10/12/1985",
        "07700 900123",
        "+447700900123",
    ],
)
def test_finds_by_name_mrn_birth_date_and_phone(front_desk_user, ada, text):
    PatientFactory(first_name="Grace", last_name="Hopper", date_of_birth=date(1970, 1, 1))
    assert selectors.patient_search(user=front_desk_user, text=text) == [ada]


def test_archived_patients_are_not_offered(front_desk_user, ada):
    ada.archived_at, ada.archived_by = timezone.now(), front_desk_user
    ada.save()
    assert selectors.patient_search(user=front_desk_user, text="Lovelace") == []


def test_at_most_ten_and_nothing_for_one_character(front_desk_user):
    PatientFactory.create_batch(12, last_name="Smith")
    assert len(selectors.patient_search(user=front_desk_user, text="Smith")) == 10
    assert len(selectors.patient_search(user=front_desk_user, text="Smith", limit=3)) == 3
    assert selectors.patient_search(user=front_desk_user, text="S") == []
    assert selectors.patient_search(user=front_desk_user, text="  ") == []


def test_needs_view_patient(ada):
    admin = UserFactory(role=CLINIC_ADMIN)
    with pytest.raises(PermissionDenied):
        selectors.patient_search(user=admin, text="Lovelace")
    assert not _accesses().exists()


def test_each_patient_listed_is_logged_in_one_insert(front_desk_user):
    listed = PatientFactory.create_batch(3, last_name="Brown")
    with CaptureQueriesContext(connection) as queries:
        found = selectors.patient_search(user=front_desk_user, text="Brown")
    inserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1
    assert set(found) == set(listed)
    logged = _accesses().filter(actor=front_desk_user)
    assert sorted(int(e.object_pk) for e in logged) == sorted(p.pk for p in listed)


def test_endpoint_lists_options_for_a_post(desk_client, ada):
    response = desk_client.post(reverse(URL), {"q": "Lovelace"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="option"' in html
    assert f'data-value="{ada.pk}"' in html
    assert f'id="patient-option-{ada.pk}"' in html
    assert "Lovelace" in html
    assert _accesses().filter(object_pk=str(ada.pk)).count() == 1


def test_endpoint_lists_nothing_for_one_character(desk_client, ada):
    response = desk_client.post(reverse(URL), {"q": "L"})
    assert response.status_code == 200
    assert 'role="option"' not in response.content.decode()
    assert not _accesses().exists()


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_endpoint_answers_post_only(desk_client, ada, method):
    response = getattr(desk_client, method)(reverse(URL) + "?q=Lovelace")
    assert response.status_code == 405
    assert not _accesses().exists()


def test_endpoint_refuses_roles_without_view_patient(ada):
    for user in (UserFactory(role=CLINIC_ADMIN), UserFactory()):
        response = login_client(user).post(reverse(URL), {"q": "Lovelace"})
        assert response.status_code == 403
    assert not _accesses().exists()


def test_the_search_is_not_in_the_url(ada):
    """The picker posts to a fixed path: the text goes in the body, the URL carries nothing."""
    assert "?" not in reverse(URL)
    html = login_client(UserFactory(role="front_desk")).get(reverse("scheduling:today"))
    page = html.content.decode()
    assert f'hx-post="{reverse(URL)}"' in page
    assert 'hx-params="none"' in page
    assert "X-CSRFToken" in page
