"""Reads of messages. Each takes the user: permission checks live here; the patient page that
shows them logs the patient's access."""

from django.core.exceptions import PermissionDenied

from intake import selectors as intake_selectors
from messaging import services
from messaging.models import ContactPreference, Message

VIEW = "messaging.view_message"
CHANGE_CONTACT = "messaging.change_contact"
LOG_SHOWN = 10


def _require(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


def patient_messages(*, user, patient) -> tuple[list[Message], int]:
    """The patient's latest messages (LOG_SHOWN of them) and how many there are in all."""
    _require(user, VIEW)
    messages = patient.messages.only(
        "kind", "channel", "state", "queued_at", "sent_at", "error", "session_id", "patient_id"
    )
    latest = list(messages.order_by("-queued_at", "-id")[:LOG_SHOWN])
    total = len(latest) if len(latest) < LOG_SHOWN else messages.count()
    return latest, total


def patient_contact(*, user, patient) -> ContactPreference:
    _require(user, VIEW)
    return services.contact_of(patient)


def contact_patient(*, user, pk: int):
    """The patient whose contact preference a form changes; logged when the page is drawn."""
    _require(user, CHANGE_CONTACT)
    return intake_selectors.patient_get(user=user, pk=pk, log=False)
