"""Where the consent form goes after signing: only back into this site (issue 12, finding 1:
every view that follows a `next` uses core.redirects.safe_next)."""

import pytest
from django.urls import reverse

from scheduling.consent import CURRENT
from scheduling.models import Consent
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def _sign(client, patient, next_url: str):
    return client.post(
        reverse("scheduling:consent-create", args=[patient.pk, "prp"]),
        {
            "typed_name": patient.full_name,
            "agreed": "on",
            "next": next_url,
            "text_version": CURRENT["prp"].version,
        },
    )


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:x"]
)
def test_a_next_off_the_site_goes_to_the_patient_instead(desk_client, next_url):
    """Issue 12, finding 1: the hand-written check let `/\\evil.example` through, which
    browsers follow to another host."""
    patient = PatientFactory()
    response = _sign(desk_client, patient, next_url)
    assert response.status_code == 302
    assert response.url == patient.get_absolute_url()
    assert Consent.objects.filter(patient=patient, procedure="prp").exists()


def test_a_next_on_the_site_is_followed(desk_client):
    patient = PatientFactory()
    back = reverse("scheduling:session-book") + f"?patient={patient.pk}"
    response = _sign(desk_client, patient, back)
    assert response.status_code == 302
    assert response.url == back
