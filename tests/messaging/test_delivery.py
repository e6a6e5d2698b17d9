"""A message is made once per key and sent at most once, whatever runs twice or stops midway
(messaging.services)."""

import smtplib
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from messaging import services, sms
from messaging.models import Kind, Message, State
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db


def reachable_patient(channel="email", **fields):
    """A patient who agreed to messages by `channel`."""
    patient = PatientFactory(email="ada@example.org", phone="+447700900123", **fields)
    services.contact_set(by=UserFactory(), patient=patient, channel=channel, consent=True)
    return patient


class Crash(BaseException):
    """The worker stopping dead: not an error any code catches."""


def _queue(patient, key="reminder:session:1", **kwargs):
    fields = {
        "kind": Kind.REMINDER,
        "subject": "Your appointment on Tuesday",
        "body": "See you on Tuesday at 10:00.",
        **kwargs,
    }
    return services.message_queue(key=key, patient=patient, **fields)


def test_a_key_makes_one_message_and_queues_it_once(django_capture_on_commit_callbacks):
    patient = reachable_patient()
    with django_capture_on_commit_callbacks(execute=True) as first:
        message, made = _queue(patient)
    with django_capture_on_commit_callbacks(execute=True) as second:
        again, made_again = _queue(patient, subject="Something else")
    assert (made, made_again) == (True, False)
    assert again.pk == message.pk and again.subject == "Your appointment on Tuesday"
    assert (len(first), len(second)) == (1, 0)
    # Tests run queued tasks at once: the one queued delivery sent it.
    assert [m.subject for m in mail.outbox] == ["Your appointment on Tuesday"]
    assert Message.objects.get().state == State.SENT


def test_a_delivery_run_twice_sends_once():
    message, _ = _queue(reachable_patient())
    assert services.message_deliver(message.pk) == State.SENT
    assert services.message_deliver(message.pk) == State.SENT
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.attempts == 1 and message.sent_at is not None


def test_a_failed_send_is_queued_again_then_fails_for_good():
    message, _ = _queue(reachable_patient())
    refused = smtplib.SMTPRecipientsRefused({"ada@example.org": (550, b"No such user")})
    with mock.patch("messaging.services.EmailMessage.send", side_effect=refused):
        for _ in range(services.MAX_ATTEMPTS - 1):
            with pytest.raises(services.DeliveryFailed):
                services.message_deliver(message.pk)
            message.refresh_from_db()
            assert message.state == State.QUEUED
        assert services.message_deliver(message.pk) == State.FAILED
    message.refresh_from_db()
    assert message.attempts == services.MAX_ATTEMPTS
    assert message.error.startswith("SMTPRecipientsRefused")
    # The log says why, never what the message said.
    assert "Tuesday" not in message.error
    assert mail.outbox == []
    # Failed is final: nothing sends it later.
    assert services.message_deliver(message.pk) == State.FAILED


def test_a_stop_between_sending_and_recording_never_sends_again():
    message, _ = _queue(reachable_patient())
    with mock.patch("messaging.services._record_sent", side_effect=Crash), pytest.raises(Crash):
        services.message_deliver(message.pk)
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.state == State.SENDING
    # Run again (a retried or duplicated task): it is not queued any more.
    assert services.message_deliver(message.pk) == State.SENDING
    assert len(mail.outbox) == 1
    # Too early to call it interrupted; after the claim timeout it is, and still not sent.
    assert services.messages_interrupted() == 0
    later = timezone.now() + services.CLAIM_TIMEOUT + timedelta(seconds=1)
    assert services.messages_interrupted(now=later) == 1
    message.refresh_from_db()
    assert message.state == State.INTERRUPTED
    assert services.message_deliver(message.pk) == State.INTERRUPTED
    assert len(mail.outbox) == 1


def test_a_text_message_goes_through_the_sms_backend(settings):
    settings.SMS_BACKEND = "messaging.sms.MemoryBackend"
    sms.outbox.clear()
    message, _ = _queue(reachable_patient(channel="sms"))
    assert message.channel == "sms" and message.to == "+447700900123"
    assert services.message_deliver(message.pk) == State.SENT
    assert [text.to for text in sms.outbox] == ["+447700900123"]
    assert mail.outbox == []


def test_a_message_ends_with_its_own_link_to_stop_messages(settings):
    settings.CLINIC_SITE_URL = "https://clinic.example.org"
    message, _ = _queue(reachable_patient())
    assert message.body.endswith(
        f"https://clinic.example.org/messages/stop/{message.unsubscribe_token}/"
    )


def test_no_message_without_consent_or_an_address():
    with pytest.raises(services.NotReachable):
        _queue(PatientFactory(email="ada@example.org"))
    assert Message.objects.count() == 0


def test_a_queued_message_is_not_sent_once_the_patient_opts_out():
    patient = reachable_patient()
    message, _ = _queue(patient)  # queued; the delivery runs when the transaction commits
    services.contact_set(by=UserFactory(), patient=patient, channel="none", consent=False)
    assert services.message_deliver(message.pk) == State.WITHDRAWN
    assert mail.outbox == []


def test_a_providers_bounce_shows_in_the_log(settings):
    """Through django-anymail: the provider's id is kept on sending, and its bounce event (the
    signal its webhook sends) marks the message bounced, with the normalised reason only."""
    from anymail.signals import AnymailTrackingEvent, tracking

    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    message, _ = _queue(reachable_patient())
    assert services.message_deliver(message.pk) == State.SENT
    message.refresh_from_db()
    assert message.provider_id != ""
    assert mail.outbox[0].anymail_test_params["metadata"] == {"follicle_message": str(message.pk)}
    event = AnymailTrackingEvent(
        event_type="bounced",
        message_id=message.provider_id,
        metadata={},
        reject_reason="bounced",
        mta_response="550 5.1.1 <ada@example.org>: no such user",
    )
    tracking.send(sender=object, event=event, esp_name="Test")
    message.refresh_from_db()
    assert message.state == State.BOUNCED
    assert message.error == "bounced: bounced"
    assert "ada@example.org" not in message.error


def test_other_provider_events_and_strangers_change_nothing():
    message, _ = _queue(reachable_patient())
    assert services.message_deliver(message.pk) == State.SENT
    ours = {"follicle_message": str(message.pk)}
    assert not services.message_bounced(
        event_type="delivered", metadata=ours, provider_id=None, reason=None
    )
    assert not services.message_bounced(
        event_type="bounced", metadata={}, provider_id="someone-else", reason="bounced"
    )
    assert services.message_bounced(
        event_type="rejected", metadata=ours, provider_id=None, reason="blocked"
    )
    message.refresh_from_db()
    assert (message.state, message.error) == (State.BOUNCED, "rejected: blocked")
