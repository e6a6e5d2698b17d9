"""No copy of patient data in a browser's or proxy's cache (issue 12, finding 8): every page,
fragment and download a logged-in user gets says `Cache-Control: no-store, private`."""

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from tests.factories import IntakeFactory

pytestmark = pytest.mark.django_db

NO_STORE = "no-store, private"


def test_patient_pages_are_not_stored(desk_client, physician_client):
    intake = IntakeFactory()
    patient = intake.patient
    for client, url in (
        (desk_client, reverse("dashboard")),
        (desk_client, reverse("intake:patient-list")),
        (desk_client, reverse("intake:patient-detail", args=[patient.pk])),
        (desk_client, reverse("intake:patient-update", args=[patient.pk])),
        (desk_client, reverse("intake:intake-detail", args=[patient.pk, intake.pk])),
        (physician_client, reverse("eligibility:review-queue")),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == NO_STORE, url


def test_refusals_are_not_stored_either(desk_client):
    response = desk_client.get(reverse("reports:audit-log"))
    assert response.status_code == 403
    assert response["Cache-Control"] == NO_STORE


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_are_not_stored(admin_client_, fmt):
    response = admin_client_.get(reverse("reports:export", args=["sessions", fmt]))
    assert response.status_code == 200
    if fmt == "csv":
        assert isinstance(response, StreamingHttpResponse)
    assert response["Cache-Control"] == NO_STORE


def test_audit_log_export_is_not_stored(admin_client_):
    response = admin_client_.get(reverse("reports:audit-log-export"))
    assert response.status_code == 200
    assert response["Cache-Control"] == NO_STORE


def test_a_view_that_sets_its_own_cache_control_keeps_it(admin_client_):
    # The admin marks its pages never_cache itself.
    response = admin_client_.get(reverse("admin:index"))
    assert "no-store" in response["Cache-Control"]
    assert "must-revalidate" in response["Cache-Control"]
