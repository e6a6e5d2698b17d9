"""Contact preferences, and queueing and sending messages, each at most once.

A message is a row before it is anything else: `message_queue` makes it under its key (a
second call with the same key finds the first and queues nothing) and hands its id to the
queue when the transaction commits. `message_deliver`, run by the worker, then:

1. claims it: state `sending`, committed, only from `queued` (and only if the patient may still
   be reached that way: otherwise `withdrawn`);
2. sends it;
3. records the outcome: `sent`, or back to `queued` to be retried (with back-off) after an
   error, `failed` after the last attempt.

A delivery run twice (a task retried or enqueued again) finds the message no longer queued
and sends nothing. A worker that stops between 2 and 3 leaves it `sending`: it may have gone
out, so it is not sent again; `messages_interrupted` marks it `interrupted` for the message
log, where staff see it. The one case that sends nothing is a stop between 1 and 2; sending a
reminder twice is the worse failure.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.audit import actor
from eligibility.lifecycle import EXPIRED
from eligibility.services import eligibility_on_days
from messaging import content, sms
from messaging.models import ContactPreference, Kind, Message, State, Via, new_token
from portal.models import Purpose
from portal.services import ISSUE, access_issue
from scheduling.models import Status, TreatmentSession

MAX_ATTEMPTS = 5
# A claim older than this with no outcome recorded: the worker stopped mid-send.
CLAIM_TIMEOUT = timedelta(minutes=10)
# A reminder goes once a session is this close (the pre-visit check's 48 hours).
REMIND_WITHIN = timedelta(hours=48)
# Booked sessions this close are checked for a screening that will be out of date on the day.
RESCREEN_WITHIN = timedelta(days=7)
# An intake link asked for again this soon is the same request (a double click).
INTAKE_LINK_GAP = timedelta(minutes=1)
# Completed sessions this recent get their post-care sheet (a worker down for a day catches up).
POST_CARE_WITHIN = timedelta(days=2)


# ---- contact preferences ------------------------------------------------------------------


def contact_of(patient) -> ContactPreference:
    """The patient's preference; an unsaved "no messages" one if none was ever recorded."""
    try:
        return patient.contact
    except ContactPreference.DoesNotExist:
        return ContactPreference(patient=patient)


def address_for(patient, channel: str) -> str:
    if channel == Via.EMAIL:
        return patient.email or ""
    if channel == Via.SMS:
        return str(patient.phone) if patient.phone else ""
    return ""


def reachable(patient) -> tuple[str, str] | None:
    """(channel, address) if the clinic may message the patient now, else None."""
    contact = contact_of(patient)
    if contact.channel == Via.NONE or contact.consent_at is None:
        return None
    if contact.channel == Via.SMS and not sms.enabled():
        return None
    address = address_for(patient, contact.channel)
    return (contact.channel, address) if address else None


def contact_set(*, by, patient, channel: str, consent: bool) -> ContactPreference:
    """Record how the patient may be contacted; a channel needs the patient's consent, given
    now or earlier, and an address of that kind on the record."""
    contact = contact_of(patient)
    if channel != Via.NONE:
        if not address_for(patient, channel):
            what = "email address" if channel == Via.EMAIL else "mobile number"
            raise ValidationError(
                f"The patient's record has no {what}: add it under Edit details first.",
                code="no_address",
            )
        if channel == Via.SMS and not sms.enabled():
            raise ValidationError("No text-message provider is configured.", code="no_sms")
        if not consent and contact.consent_at is None:
            raise ValidationError(
                "Record the patient's consent to be contacted before choosing a channel.",
                code="no_consent",
            )
    now = timezone.now()
    with transaction.atomic(), actor(by):
        contact.channel = channel
        if channel != Via.NONE and consent and contact.consent_at is None:
            contact.consent_at, contact.consent_by = now, by
        if channel != Via.NONE:
            contact.unsubscribed_at = None
        contact.updated_at = now
        contact.save()
    return contact


def token_known(token: str) -> bool:
    return Message.objects.filter(unsubscribe_token=token).exists()


def unsubscribe(*, token: str) -> bool:
    """The patient's own link: no more messages of any kind. False for an unknown token."""
    message = Message.objects.select_related("patient").filter(unsubscribe_token=token).first()
    if message is None:
        return False
    contact = contact_of(message.patient)
    now = timezone.now()
    with transaction.atomic():
        contact.channel = Via.NONE
        contact.unsubscribed_at = now
        contact.updated_at = now
        contact.save()
    return True


# ---- queueing -----------------------------------------------------------------------------


class NotReachable(ValidationError):
    pass


def message_queue(
    *, key: str, patient, kind: str, subject: str, body: str, session=None, by=None
) -> tuple[Message, bool]:
    """The message under `key`, made and queued if there was none; (message, made now). Sent
    the way the patient chose, with the link to stop messages at its end; NotReachable when the
    patient may not be messaged."""
    from messaging import tasks

    existing = Message.objects.filter(key=key).first()
    if existing is not None:
        return existing, False
    way = reachable(patient)
    if way is None:
        raise NotReachable("The patient has not agreed to messages, or has no address for them.")
    channel, to = way
    token = new_token()
    with transaction.atomic():
        message, created = Message.objects.get_or_create(
            key=key,
            defaults={
                "patient": patient,
                "session": session,
                "kind": kind,
                "channel": channel,
                "to": to,
                "subject": subject,
                "body": f"{body}\n\n{_stop_line(token)}",
                "unsubscribe_token": token,
                "queued_by": by,
            },
        )
        if created:
            transaction.on_commit(lambda: tasks.deliver_message(message.pk))
    return message, created


def intake_link_queue(*, by, patient) -> Message:
    """E-mail (or text) the patient a link to fill in their intake at home. One a minute: a
    double click (or two staff at once: the key) sends one."""
    if not by.has_perm(ISSUE):
        raise PermissionDenied
    now = timezone.now()
    recent = Message.objects.filter(
        patient=patient, kind=Kind.INTAKE_LINK, queued_at__gte=now - INTAKE_LINK_GAP
    ).exclude(state__in=(State.FAILED, State.WITHDRAWN, State.BOUNCED))
    if (message := recent.order_by("-queued_at").first()) is not None:
        return message
    subject, body = content.intake_link(patient)
    message, _ = message_queue(
        key=f"{Kind.INTAKE_LINK}:patient:{patient.pk}:{now:%Y%m%dT%H%M}",
        patient=patient,
        kind=Kind.INTAKE_LINK,
        subject=subject,
        body=body,
        by=by,
    )
    return message


def _stop_line(token: str) -> str:
    url = settings.CLINIC_SITE_URL.rstrip("/") + reverse("messaging:unsubscribe", args=[token])
    return f"To stop messages from {settings.CLINIC_NAME}: {url}"


def reminders_queue(*, now=None) -> int:
    """Queue the reminder of every booked session within REMIND_WITHIN whose patient may be
    messaged; one per session and start time (a moved session is reminded of its new time)."""
    now = now or timezone.now()
    sessions = TreatmentSession.objects.filter(
        status=Status.BOOKED, start__gt=now, start__lte=now + REMIND_WITHIN
    ).select_related("patient")
    return _queue_each(sessions, Kind.REMINDER, lambda s: f"{s.pk}:{s.start:%Y%m%dT%H%M}",
                       content.reminder)  # fmt: skip


def post_care_queue(*, now=None) -> int:
    """Queue the post-care sheet of every session completed within POST_CARE_WITHIN that had
    microneedling or PRP, once per session."""
    now = now or timezone.now()
    sessions = TreatmentSession.objects.filter(
        status=Status.COMPLETED, completed_at__gte=now - POST_CARE_WITHIN
    ).select_related("patient", "session_type")
    sessions = [s for s in sessions if content.has_post_care(s.session_type.procedures)]
    return _queue_each(sessions, Kind.POST_CARE, lambda s: str(s.pk),
                       lambda s: content.post_care(s, s.session_type.procedures))  # fmt: skip


def rescreen_due_queue(*, now=None) -> int:
    """Tell each patient whose screening will be out of date on the day of a booked session
    within RESCREEN_WITHIN that it must be taken again; once per session. The patient's
    history is read once for all their sessions."""
    now = now or timezone.now()
    sessions = TreatmentSession.objects.filter(
        status=Status.BOOKED, start__gt=now, start__lte=now + RESCREEN_WITHIN
    ).select_related("patient", "session_type")
    by_patient: dict[int, list] = {}
    for session in sessions:
        by_patient.setdefault(session.patient_id, []).append(session)
    due = []
    for theirs in by_patient.values():
        if reachable(theirs[0].patient) is None:
            continue
        days = [(s.session_type, timezone.localtime(s.start).date()) for s in theirs]
        verdicts = eligibility_on_days(theirs[0].patient, days)
        due += [
            s
            for s, verdict in zip(theirs, verdicts, strict=True)
            if any(p.status == EXPIRED for p in verdict.procedures)
        ]
    return _queue_each(due, Kind.RESCREEN_DUE, lambda s: str(s.pk), content.rescreen_due)


def _queue_each(sessions, kind: str, key_of, compose) -> int:
    """Queue `kind` for each session not messaged yet whose patient may be messaged."""
    made = 0
    for session in sessions:
        key = f"{kind}:session:{key_of(session)}"
        if Message.objects.filter(key=key).exists():
            continue
        subject, body = compose(session)
        try:
            _, created = message_queue(
                key=key, patient=session.patient, kind=kind, subject=subject, body=body,
                session=session,
            )  # fmt: skip
        except NotReachable:
            continue
        made += created
    return made


# ---- sending ------------------------------------------------------------------------------


class DeliveryFailed(Exception):
    """A send failed and the message is queued again: the task retries later."""


def message_deliver(pk: int, *, now=None) -> str:
    """Send message `pk` if it is queued, at most once; its state afterwards."""
    message = _claim(pk, now or timezone.now())
    if message is None:
        return Message.objects.filter(pk=pk).values_list("state", flat=True).first() or ""
    try:
        _send(message)
    except Exception as exc:
        _record_failure(message, exc)
        if message.state == State.QUEUED:
            raise DeliveryFailed(message.error) from exc
        return message.state
    _record_sent(message)
    return message.state


def _claim(pk: int, now) -> Message | None:
    with transaction.atomic():
        message = (
            Message.objects.select_for_update()
            .select_related("patient")
            .filter(pk=pk, state=State.QUEUED)
            .first()
        )
        if message is None:
            return None
        if reachable(message.patient) != (message.channel, message.to):
            message.state = State.WITHDRAWN
            message.save(update_fields=["state"])
            return None
        message.state = State.SENDING
        message.attempts += 1
        message.claimed_at = now
        message.save(update_fields=["state", "attempts", "claimed_at"])
    return message


def _with_link(message: Message) -> str:
    """The body with its personal link made now (an intake link, or the reminder's pre-visit
    check): the token goes out in this message and is stored nowhere."""
    if content.LINK not in message.body:
        return message.body
    if message.kind == Kind.REMINDER:
        _, token = access_issue(
            by=None, patient=message.patient, purpose=Purpose.PRE_VISIT, session=message.session
        )
    else:
        _, token = access_issue(
            by=message.queued_by, patient=message.patient, purpose=Purpose.INTAKE
        )
    url = settings.CLINIC_SITE_URL.rstrip("/") + reverse("portal:open", args=[token])
    return message.body.replace(content.LINK, url)


def _send(message: Message) -> None:
    body = _with_link(message)
    if message.channel == Via.SMS:
        sms.send(message.to, body)
        return
    email = EmailMessage(message.subject, body, to=[message.to])
    # Read by django-anymail's back-ends (and handed back with the provider's events); the
    # others ignore it.
    email.metadata = {METADATA_KEY: str(message.pk)}
    email.send()
    status = getattr(email, "anymail_status", None)
    if status is not None and status.message_id is not None:
        message.provider_id = str(status.message_id)


def _record_sent(message: Message) -> None:
    message.state = State.SENT
    message.sent_at = timezone.now()
    message.error = ""
    message.save(update_fields=["state", "sent_at", "error", "provider_id"])


METADATA_KEY = "follicle_message"
BOUNCES = ("bounced", "rejected", "failed")


def message_bounced(*, event_type: str, metadata: dict, provider_id, reason: str | None) -> bool:
    """A provider's event that the message did not arrive: the log says bounced, and why in
    the provider's normalised words (never the provider's full response, which may quote the
    address). False for an event of another kind or a message not ours."""
    if event_type not in BOUNCES:
        return False
    pk = (metadata or {}).get(METADATA_KEY)
    found = Message.objects.filter(pk=int(pk)) if str(pk or "").isdigit() else None
    if found is None and provider_id not in (None, ""):
        found = Message.objects.filter(provider_id=str(provider_id))
    if found is None:
        return False
    error = f"{event_type}: {reason or 'no reason given'}"[:300]
    return bool(found.update(state=State.BOUNCED, error=error))


def _record_failure(message: Message, exc: Exception) -> None:
    message.state = State.QUEUED if message.attempts < MAX_ATTEMPTS else State.FAILED
    message.error = f"{type(exc).__name__}: {exc}"[:300]
    message.save(update_fields=["state", "error"])


def messages_interrupted(*, now=None) -> int:
    """Mark messages claimed longer ago than CLAIM_TIMEOUT with no outcome `interrupted`; how
    many. They are not sent again: whether they went out is unknown."""
    before = (now or timezone.now()) - CLAIM_TIMEOUT
    stale = Message.objects.filter(state=State.SENDING, claimed_at__lt=before)
    return stale.update(state=State.INTERRUPTED, error="The worker stopped while sending.")
