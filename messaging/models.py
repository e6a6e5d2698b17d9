"""What the clinic sends a patient, one row per message, kept as the message log; and how each
patient wants to be reached."""

import secrets

from django.db import models
from django.utils import timezone

from core.models import staff_member
from intake.models import Patient
from scheduling.models import TreatmentSession


class Kind(models.TextChoices):
    REMINDER = "reminder", "Appointment reminder"
    POST_CARE = "post_care", "Post-care sheet"
    RESCREEN_DUE = "rescreen_due", "Re-screen due"
    INTAKE_LINK = "intake_link", "Intake link"


class Via(models.TextChoices):
    """How a patient may be reached; a message goes by one of the channels, never by none."""

    NONE = "none", "No messages"
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"


CHANNELS = [(value, label) for value, label in Via.choices if value != Via.NONE]


class State(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    # Claimed for sending, then the worker stopped before it recorded the outcome: it may have
    # gone out, so it is never sent again on its own (messaging.services).
    INTERRUPTED = "interrupted", "Interrupted"
    BOUNCED = "bounced", "Bounced"
    # Queued, then the patient withdrew consent or changed how to be reached: not sent.
    WITHDRAWN = "withdrawn", "Not sent (contact changed)"


def new_token() -> str:
    return secrets.token_urlsafe(24)


_new_token = new_token  # the name migration 0001 refers to


class ContactPreference(models.Model):
    """How the clinic may reach a patient. No message goes out without a channel and a recorded
    consent; the patient's unsubscribe link sets the channel to none."""

    patient = models.OneToOneField(Patient, on_delete=models.PROTECT, related_name="contact")
    channel = models.CharField(max_length=10, choices=Via.choices, default=Via.NONE)
    consent_at = models.DateTimeField(null=True, blank=True, editable=False)
    consent_by = staff_member()
    unsubscribed_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        permissions = [("change_contact", "Can record how a patient may be contacted")]

    def __str__(self) -> str:
        return f"Contact by {self.get_channel_display().lower()}"


class Message(models.Model):
    """One message to a patient. `key` names what it is about (e.g. the reminder of session
    42): a second message under the same key is never made, so a task run twice, or a worker
    restarted, sends nothing twice."""

    key = models.CharField(max_length=100, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="messages")
    session = models.ForeignKey(
        TreatmentSession,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=CHANNELS, default=Via.EMAIL)
    to = models.CharField(max_length=254)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    state = models.CharField(max_length=12, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Why the last attempt failed: the error's kind and the mail server's words, never the
    # message itself.
    error = models.CharField(max_length=300, blank=True)
    queued_at = models.DateTimeField(default=timezone.now, editable=False)
    # None: queued by the clinic's schedule (a periodic task), not by a person.
    queued_by = staff_member()
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The e-mail provider's id of the sent message (django-anymail), to match its events.
    provider_id = models.CharField(max_length=200, blank=True, editable=False)
    # The message's own unsubscribe link (messaging:unsubscribe): random, names no one, and only
    # ever turns messages off.
    unsubscribe_token = models.CharField(
        max_length=40, unique=True, default=new_token, editable=False
    )

    class Meta:
        ordering = ["-queued_at", "-id"]
        indexes = [
            models.Index(fields=["patient", "-queued_at"], name="message_patient_idx"),
            models.Index(
                fields=["claimed_at"],
                condition=models.Q(state="sending"),
                name="message_sending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_state_display().lower()})"
