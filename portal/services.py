"""A patient's own answers: issuing and revoking their access, the birth-date check, the
intake they fill in page by page, and the pre-visit check.

The patient is never a user: everything they do goes through a `PatientAccess` that a staff
member (or the clinic's schedule) issued, and is checked here, not in the views.
"""

import hashlib
import secrets
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import actor
from eligibility import rules
from eligibility.models import ScreeningKind
from eligibility.services import screen_day_of
from intake import questionnaire
from intake.models import IntakeQuestionnaire, Patient, Source
from intake.services import intake_submit
from portal.models import Channel, PatientAccess, Purpose
from scheduling.models import TreatmentSession
from scheduling.selectors import UPCOMING
from scheduling.services import session_flag

ISSUE = "portal.issue_access"
LINK_LIFETIME = timedelta(hours=72)
# A tablet handed over at the desk: long enough for the questionnaire, not for the day.
KIOSK_LIFETIME = timedelta(hours=2)
MAX_TRIES = 5
# The clinician's assessment, never asked of the patient: carried from their last intake.
ASSESSED = ("scale", "grade", "fitzpatrick")


def _require(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


def token_hash(token: str) -> str:
    """SHA-256 of the token: 256 random bits need no slow hash, and the row alone opens nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


# ---- issuing ------------------------------------------------------------------------------


def _expiry(channel: str, session: TreatmentSession | None, now: datetime) -> datetime:
    if channel == Channel.KIOSK:
        return now + KIOSK_LIFETIME
    if session is not None:
        return min(now + LINK_LIFETIME, session.start)
    return now + LINK_LIFETIME


def access_issue(
    *,
    by,
    patient: Patient,
    purpose: str,
    channel: str = Channel.LINK,
    session: TreatmentSession | None = None,
) -> tuple[PatientAccess, str]:
    """A new access and its token (returned once, never stored). It replaces any open access
    of the patient for the same purpose (and session): one live link at a time. `by` None:
    the clinic's schedule (a reminder's pre-visit check)."""
    if by is not None:
        _require(by, ISSUE)
    if patient.is_archived:
        raise ValidationError("This patient's record is archived; restore it first.")
    if (purpose == Purpose.PRE_VISIT) != (session is not None):
        raise ValueError("A pre-visit check, and only it, is about one session.")
    if channel == Channel.KIOSK and purpose != Purpose.INTAKE:
        raise ValueError("The tablet is for the intake questionnaire.")
    now = timezone.now()
    token = secrets.token_urlsafe(32)
    with transaction.atomic(), actor(by):
        for old in _open(patient, purpose, session):
            _revoke(old, by, now)
        access = PatientAccess.objects.create(
            patient=patient,
            session=session,
            purpose=purpose,
            channel=channel,
            token_hash=token_hash(token),
            issued_at=now,
            issued_by=by,
            expires_at=_expiry(channel, session, now),
            # The staff member handing over the tablet has the patient in front of them.
            verified_at=now if channel == Channel.KIOSK else None,
        )
    return access, token


def _open(patient: Patient, purpose: str, session) -> list[PatientAccess]:
    now = timezone.now()
    return list(
        PatientAccess.objects.select_for_update().filter(
            patient=patient,
            purpose=purpose,
            session=session,
            completed_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=now,
        )
    )


def _revoke(access: PatientAccess, by, now: datetime) -> None:
    access.revoked_at = now
    access.revoked_by = by
    access.draft = {}
    access.save(update_fields=["revoked_at", "revoked_by", "draft"])


def access_revoke(*, by, access: PatientAccess) -> PatientAccess:
    """End a link or tablet session before its time; the answers so far are discarded."""
    _require(by, ISSUE)
    with transaction.atomic(), actor(by):
        access = PatientAccess.objects.select_for_update().get(pk=access.pk)
        if access.completed_at:
            raise ValidationError("The patient has already sent their answers.")
        if access.revoked_at is None:
            _revoke(access, by, timezone.now())
    return access


# ---- the patient's side -------------------------------------------------------------------


def access_by_token(token: str) -> PatientAccess | None:
    """The usable access the token opens, or None: unknown, expired, used, revoked or locked
    all look the same to whoever holds the token."""
    if not token or len(token) > 100:
        return None
    access = PatientAccess.objects.filter(token_hash=token_hash(token)).first()
    if access is None or not access.usable:
        return None
    if access.opened_at is None:
        PatientAccess.objects.filter(pk=access.pk).update(opened_at=timezone.now())
    return access


def access_current(pk: int | None) -> PatientAccess | None:
    """The access a browser session holds, while it can still be used."""
    if pk is None:
        return None
    access = PatientAccess.objects.select_related("patient", "session").filter(pk=pk).first()
    return access if access is not None and access.usable else None


class Check:
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"


def birth_date_check(*, access: PatientAccess, born: date) -> tuple[str, int]:
    """Compare the date the patient typed with the record; (result, tries left). The fifth
    wrong date locks the access for good: the clinic issues a new one."""
    with transaction.atomic():
        access = (
            PatientAccess.objects.select_for_update().select_related("patient").get(pk=access.pk)
        )
        if not access.usable:
            return Check.LOCKED, 0
        if access.verified_at is not None or born == access.patient.date_of_birth:
            access.verified_at = access.verified_at or timezone.now()
            access.save(update_fields=["verified_at"])
            return Check.OK, MAX_TRIES - access.failed_tries
        access.failed_tries += 1
        if access.failed_tries >= MAX_TRIES:
            access.locked_at = timezone.now()
        access.save(update_fields=["failed_tries", "locked_at"])
    left = MAX_TRIES - access.failed_tries
    return (Check.LOCKED if left <= 0 else Check.WRONG), left


def _locked_usable(access: PatientAccess, purpose: str) -> PatientAccess:
    locked = PatientAccess.objects.select_for_update().select_related("patient").get(pk=access.pk)
    if not locked.usable or locked.verified_at is None or locked.purpose != purpose:
        raise ValidationError("This link can no longer be used.")
    return locked


def draft_save(*, access: PatientAccess, step: str, data: dict[str, Any]) -> None:
    """Keep one page's answers, so the patient can go back, or come back, without retyping."""
    with transaction.atomic():
        locked = _locked_usable(access, Purpose.INTAKE)
        locked.draft = {**locked.draft, step: data}
        locked.save(update_fields=["draft"])
    access.draft = locked.draft


def drafts_expired_clear() -> int:
    """Drop the answers in progress of accesses that expired unfinished (the patient's data
    is kept only while they can still send it); how many."""
    return (
        PatientAccess.objects.filter(expires_at__lte=timezone.now(), completed_at__isnull=True)
        .exclude(draft={})
        .update(draft={})
    )


_SOURCE = {Channel.LINK: Source.LINK, Channel.KIOSK: Source.KIOSK}


def assessed_fields(patient: Patient) -> dict[str, str]:
    """The clinician's last assessment of the patient, carried into their own intake."""
    last = (
        IntakeQuestionnaire.objects.filter(patient=patient, superseded_by__isnull=True)
        .exclude(grade="")
        .order_by("-taken_at", "-id")
        .values(*ASSESSED)
        .first()
    )
    return last or dict.fromkeys(ASSESSED, "")


def intake_complete(*, access: PatientAccess, fields: dict[str, Any]) -> IntakeQuestionnaire:
    """Store the patient's own intake and screen it, as any intake is; the access is used up.
    Attributed to the staff member who issued the access, marked as the patient's."""
    with transaction.atomic():
        locked = _locked_usable(access, Purpose.INTAKE)
        fields = {**fields, **assessed_fields(locked.patient)}
        intake = intake_submit(
            by=locked.issued_by, patient=locked.patient, source=_SOURCE[locked.channel], **fields
        )
        locked.intake = intake
        locked.completed_at = timezone.now()
        locked.draft = {}
        locked.save(update_fields=["intake", "completed_at", "draft"])
    return intake


def day_of_questions() -> list[questionnaire.Question]:
    return [questionnaire.QUESTIONS_BY_CODE[code] for code in rules.DAY_OF_CODES]


def pre_visit_answer(*, access: PatientAccess, answers: dict[str, bool]) -> bool:
    """Record the patient's pre-visit answers; True when any is "yes". A "yes" is stored as a
    patient-reported day-of screening (it blocks as the lifecycle says) and puts the session
    on the front desk's list; a "no" is kept on the access only and lifts nothing: check-in
    asks again."""
    if set(answers) != set(rules.DAY_OF_CODES):
        raise ValueError("Every pre-visit question needs an answer.")
    with transaction.atomic():
        locked = _locked_usable(access, Purpose.PRE_VISIT)
        locked.answers = answers
        locked.completed_at = timezone.now()
        locked.save(update_fields=["answers", "completed_at"])
        said_yes = {code: True for code, value in answers.items() if value}
        if said_yes:
            screen_day_of(
                by=None, patient=locked.patient, answers=said_yes, kind=ScreeningKind.PRE_VISIT
            )
            _flag(locked.session, said_yes)
    return bool(said_yes)


def _flag(session: TreatmentSession, said_yes: dict[str, bool]) -> None:
    session.refresh_from_db()
    if session.status not in UPCOMING:
        return
    what = ", ".join(questionnaire.QUESTIONS_BY_CODE[code].label for code in said_yes)
    session_flag(
        session=session,
        reason=f"Pre-visit check: the patient reported {what}; call them to reschedule",
    )
