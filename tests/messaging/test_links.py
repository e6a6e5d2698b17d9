"""Messages that carry a patient's link: the reminder's pre-visit check and the intake link.
The link is made when the message goes out: the token is in the e-mail and nowhere stored."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from messaging import content, services
from messaging.models import Kind, Message
from portal.models import PatientAccess, Purpose
from tests.factories import PatientFactory
from tests.messaging.test_delivery import reachable_patient
from tests.portal.helpers import LINK, born, open_link
from tests.scheduling.factories import make_session, screened_patient

pytestmark = pytest.mark.django_db


def _token(text: str) -> str:
    return LINK.search(text).group(0).rstrip("/").rsplit("/", 1)[1]


def test_the_reminder_carries_a_working_pre_visit_check(clinic, django_capture_on_commit_callbacks):
    patient = screened_patient(by=clinic.desk, patient__email="ada@example.org")
    services.contact_set(by=clinic.desk, patient=patient, channel="email", consent=True)
    session = make_session(clinic, patient=patient, start=timezone.now() + timedelta(hours=30))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_queue() == 1
    (email,) = mail.outbox
    token = _token(email.body)
    message = Message.objects.get(kind=Kind.REMINDER)
    assert token not in message.body and content.LINK in message.body
    access = PatientAccess.objects.get()
    assert access.purpose == Purpose.PRE_VISIT and access.session == session
    assert access.issued_by is None and access.expires_at == session.start
    client, _ = open_link(token)
    client.post(reverse("portal:verify"), born(patient))
    assert "Before your visit" in client.get(reverse("portal:pre-visit")).content.decode()


def test_the_front_desk_sends_the_intake_link(
    desk_client, front_desk_user, django_capture_on_commit_callbacks
):
    patient = reachable_patient()
    with django_capture_on_commit_callbacks(execute=True):
        response = desk_client.post(
            reverse("messaging:intake-link", args=[patient.pk]), follow=True
        )
    assert "Intake link queued" in response.content.decode()
    (email,) = mail.outbox
    assert email.to == ["ada@example.org"] and "date of birth" in email.body
    token = _token(email.body)
    assert token not in Message.objects.get(kind=Kind.INTAKE_LINK).body
    access = PatientAccess.objects.get(patient=patient)
    assert access.purpose == Purpose.INTAKE and access.issued_by == front_desk_user
    _, opened = open_link(token)
    assert opened.status_code == 302
    # A double click sends one.
    with django_capture_on_commit_callbacks(execute=True):
        desk_client.post(reverse("messaging:intake-link", args=[patient.pk]))
    assert len(mail.outbox) == 1


def test_no_intake_link_without_consent_and_the_desk_is_told_why(desk_client):
    patient = PatientFactory(email="bob@example.org")
    response = desk_client.post(reverse("messaging:intake-link", args=[patient.pk]), follow=True)
    assert "Not sent" in response.content.decode() and "QR code" in response.content.decode()
    assert not mail.outbox and not PatientAccess.objects.exists()


def test_the_qr_code_page_shows_the_link_once(desk_client):
    patient = PatientFactory()
    response = desk_client.post(reverse("portal:qr", args=[patient.pk]))
    body = response.content.decode()
    assert response.status_code == 200 and "<svg" in body
    token = _token(body)
    assert PatientAccess.objects.get().token_hash != token
    # Printing again makes a new link and closes the first.
    desk_client.post(reverse("portal:qr", args=[patient.pk]))
    _, opened = open_link(token)
    assert opened.status_code == 404


def test_only_the_front_desk_sends_links(physician_client, admin_client_):
    patient = reachable_patient()
    for client in (physician_client, admin_client_):
        for name in ("messaging:intake-link", "portal:qr", "portal:kiosk-start"):
            assert client.post(reverse(name, args=[patient.pk])).status_code == 403
    assert not mail.outbox and not PatientAccess.objects.exists()


def test_the_patient_page_lists_links_with_a_way_to_close_them(desk_client, front_desk_user):
    patient = reachable_patient()
    desk_client.post(reverse("portal:qr", args=[patient.pk]))
    page = desk_client.get(patient.get_absolute_url()).content.decode()
    assert "Patient's own answers" in page and "Close link" in page
    access = PatientAccess.objects.get()
    desk_client.post(reverse("portal:revoke", args=[access.pk]))
    access.refresh_from_db()
    assert access.state == "revoked"
