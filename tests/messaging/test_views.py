"""The front desk records how a patient may be contacted; the patient page shows it and the
message log; the patient's link stops messages, after asking."""

import pytest
from django.urls import reverse

from messaging import services
from messaging.models import ContactPreference, Kind
from tests.factories import PatientFactory
from tests.messaging.test_delivery import reachable_patient

pytestmark = pytest.mark.django_db


def _contact_url(patient) -> str:
    return reverse("messaging:contact-update", args=[patient.pk])


def test_the_desk_records_email_with_the_patients_consent(desk_client, front_desk_user):
    patient = PatientFactory(email="ada@example.org")
    response = desk_client.post(_contact_url(patient), {"channel": "email", "consent": "on"})
    assert response.status_code == 302
    contact = ContactPreference.objects.get(patient=patient)
    assert contact.channel == "email" and contact.consent_by == front_desk_user
    page = desk_client.get(patient.get_absolute_url()).content.decode()
    assert "By email; consent recorded" in page


def test_a_channel_without_consent_or_address_is_refused_and_nothing_saved(desk_client):
    patient = PatientFactory(email="")
    response = desk_client.post(_contact_url(patient), {"channel": "email", "consent": "on"})
    assert response.status_code == 200
    assert "has no email address" in response.content.decode()
    patient = PatientFactory(email="bob@example.org")
    response = desk_client.post(_contact_url(patient), {"channel": "email"})
    assert "Record the patient" in response.content.decode()
    assert not ContactPreference.objects.exists()


def test_sms_is_not_offered_without_a_provider(desk_client, settings):
    settings.SMS_BACKEND = ""
    html = desk_client.get(_contact_url(PatientFactory())).content.decode()
    assert 'value="email"' in html and 'value="sms"' not in html


def test_the_patient_page_lists_the_messages(desk_client, physician_client):
    patient = reachable_patient()
    services.message_queue(
        key="k1", patient=patient, kind=Kind.REMINDER, subject="Reminder", body="Hello"
    )
    for client in (desk_client, physician_client):
        html = client.get(patient.get_absolute_url()).content.decode()
        assert "Appointment reminder" in html and "Queued" in html
    # Only the desk changes the preference.
    assert "Contact preference</a>" in desk_client.get(patient.get_absolute_url()).content.decode()
    assert (
        "Contact preference</a>"
        not in physician_client.get(patient.get_absolute_url()).content.decode()
    )


def test_the_link_asks_then_stops_all_messages(client):
    patient = reachable_patient()
    message, _ = services.message_queue(
        key="k2", patient=patient, kind=Kind.REMINDER, subject="Reminder", body="Hello"
    )
    url = reverse("messaging:unsubscribe", args=[message.unsubscribe_token])
    page = client.get(url)
    assert page.status_code == 200 and "Stop messages" in page.content.decode()
    assert patient.first_name not in page.content.decode()
    assert (
        ContactPreference.objects.get(patient=patient).channel == "email"
    )  # asking changed nothing
    done = client.post(url)
    assert done.status_code == 200 and "no more messages" in done.content.decode()
    contact = ContactPreference.objects.get(patient=patient)
    assert contact.channel == "none" and contact.unsubscribed_at is not None
    assert services.reachable(type(patient).objects.get(pk=patient.pk)) is None


def test_an_unknown_link_is_not_found(client):
    url = reverse("messaging:unsubscribe", args=["not-a-token"])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
