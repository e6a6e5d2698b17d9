"""What the messages say: plain words, and no clinical detail beyond what the patient needs.
A reminder names the day, time and place, never the treatment; the post-care sheet is
CLINICAL.md's, for the procedures the session had. Every message ends with how to stop them
(added by messaging.services)."""

from django.conf import settings
from django.utils import timezone

from treatments import procedures as rules

# CLINICAL.md, "Post-care sheet", split by procedure; LLLT has none of its own.
AFTER = {
    rules.MICRONEEDLING: (
        "Redness and pinpoint bleeding are expected, and marks can show for 1 to 2 days; the "
        "tiny needle holes close within a few hours. Do not wash your hair for 24 hours, and "
        "do not use minoxidil or other treatments on your scalp for 24 hours unless your "
        "doctor says otherwise."
    ),
    rules.PRP: (
        "Do not wash your hair for 24 hours. Avoid saunas, hard exercise and strong sun for 1 "
        "to 3 days."
    ),
}


# Where a message's personal link goes. The link is made when the message is sent
# (messaging.services), so the token is in the message that went out and nowhere else.
LINK = "[link]"


def _when(moment) -> str:
    local = timezone.localtime(moment)
    return f"{local:%A} {local.day} {local:%B} at {local:%H:%M}"


def reminder(session) -> tuple[str, str]:
    subject = f"Your appointment at {settings.CLINIC_NAME}"
    body = (
        f"Hello {session.patient.preferred_name or session.patient.first_name},\n\n"
        f"This is a reminder of your appointment at {settings.CLINIC_NAME} on "
        f"{_when(session.start)}.\n\n"
        f"Address: {settings.CLINIC_ADDRESS}\n\n"
        "Before you come, please answer six quick questions about your scalp, so you do not "
        f"travel in for a treatment we cannot give that day: {LINK}\n\n"
        f"If you need to change or cancel it, please call us on {settings.CLINIC_PHONE}."
    )
    return subject, body


def intake_link(patient) -> tuple[str, str]:
    subject = f"Your questionnaire from {settings.CLINIC_NAME}"
    body = (
        f"Hello {patient.preferred_name or patient.first_name},\n\n"
        "Please fill in your questionnaire before your visit. It takes about ten minutes, and "
        f"you will be asked for your date of birth first:\n\n{LINK}\n\n"
        "The link works once, for 72 hours. If it has stopped working, call us on "
        f"{settings.CLINIC_PHONE} for a new one."
    )
    return subject, body


def has_post_care(procedures) -> bool:
    return any(p in AFTER for p in procedures)


def post_care(session, procedures) -> tuple[str, str]:
    advice = "\n\n".join(AFTER[p] for p in rules.PROCEDURES if p in procedures and p in AFTER)
    subject = f"After your visit to {settings.CLINIC_NAME}"
    body = (
        f"Hello {session.patient.preferred_name or session.patient.first_name},\n\n"
        f"Thank you for your visit today. How to look after your scalp:\n\n{advice}\n\n"
        f"Call us on {settings.CLINIC_PHONE} if you have redness that spreads, pus, a fever "
        "or pain that grows."
    )
    return subject, body


def rescreen_due(session) -> tuple[str, str]:
    subject = f"Before your appointment at {settings.CLINIC_NAME}"
    body = (
        f"Hello {session.patient.preferred_name or session.patient.first_name},\n\n"
        f"Before your appointment on {_when(session.start)} we need to go through your health "
        "questions with you again: your last answers are too old to rely on.\n\n"
        f"Please arrive 15 minutes early, or call us on {settings.CLINIC_PHONE} beforehand."
    )
    return subject, body
