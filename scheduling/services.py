"""Booking and running treatment sessions. Every write is checked, atomic and audited.

Booking asks `eligibility.services.eligibility_for` and nothing else about eligibility. The
overlap check runs inside the write transaction: SQLite's IMMEDIATE transactions serialise
writers, so check-then-insert cannot interleave; on PostgreSQL the exclusion constraints of
migration 0002 refuse the loser of a race, and its IntegrityError becomes the same message.
"""

# ruff: noqa: RUF001, RUF002 - time spans use en dashes
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone

from core.audit import actor
from eligibility import rules
from eligibility.lifecycle import upper_first
from eligibility.services import (
    Eligibility,
    eligibility_for,
    eligibility_on_days,
    screen_day_of,
)
from intake.models import Patient
from scheduling import times
from scheduling.consent import CURRENT as CONSENT_TEXTS
from scheduling.models import (
    RELEASED,
    ClosedDay,
    Consent,
    Device,
    EventKind,
    OpeningHours,
    ProviderHours,
    Room,
    SessionEvent,
    SessionType,
    Status,
    TreatmentSession,
)

RACE_LOST = "That time was taken by another booking a moment ago; choose another time."

TREATMENT_FIELDS = (
    "needle_depth_mm",
    "passes",
    "cartridge_lot",
    "prp_kit_lot",
    "prp_volume_ml",
    "lllt_minutes",
    "topicals",
    "notes",
    "post_care_given",
)


def _require(by, perm: str, what: str) -> None:
    if not by.has_perm(perm):
        raise PermissionDenied(f"You may not {what}.")


def provider_name(user: AbstractBaseUser) -> str:
    return user.get_full_name() or user.get_username()


def min_interval(procedure: str) -> timedelta:
    return timedelta(hours=settings.SCHEDULING_MIN_INTERVAL_HOURS[procedure])


def _sentence(text: str) -> str:
    return text.rstrip(". ") + "."


def _describe(gap: timedelta) -> str:
    if gap % timedelta(days=1) == timedelta(0):
        return f"{gap.days} days"
    return f"{int(gap.total_seconds() // 3600)} hours"


def _event(session: TreatmentSession, kind: str, by, **fields: Any) -> SessionEvent:
    event = SessionEvent(session=session, kind=kind, by=by, at=timezone.now(), **fields)
    event.full_clean()
    event.save()
    return event


# ---- the booking gates -------------------------------------------------------------------


def overlaps(
    *,
    start: datetime,
    end: datetime,
    patient: Patient,
    provider=None,
    room: Room | None = None,
    device: Device | None = None,
    exclude_pk: int | None = None,
) -> list[str]:
    """What is already taken in [start, end), in plain words ("Room 2 is booked 10:00–11:00")."""
    resources = Q(patient=patient)
    if provider is not None:
        resources |= Q(provider=provider)
    if room is not None:
        resources |= Q(room=room)
    if device is not None:
        resources |= Q(device=device)
    clashes = (
        TreatmentSession.objects.filter(resources, start__lt=end, end__gt=start)
        .exclude(status__in=RELEASED)
        .exclude(pk=exclude_pk)
        .select_related("provider", "room", "device")
    )
    problems = []
    for other in clashes:
        when = times.span(other.start, other.end)
        if other.patient_id == patient.pk:
            problems.append(f"The patient already has a session {when}.")
        if provider is not None and other.provider_id == provider.pk:
            problems.append(f"{provider_name(other.provider)} is booked {when}.")
        if room is not None and other.room_id == room.pk:
            problems.append(f"{other.room.name} is booked {when}.")
        if device is not None and other.device_id == device.pk:
            problems.append(f"{other.device.name} is booked {when}.")
    return problems


def _hours_problems(*, provider, start: datetime, end: datetime) -> list[str]:
    s, e = times.local(start), times.local(end)
    day = s.date()
    problems = []
    closed = ClosedDay.objects.filter(day=day).first()
    if closed is not None:
        why = f" ({closed.reason})" if closed.reason else ""
        return [f"The clinic is closed on {day:%a %d %b %Y}{why}."]
    if e.date() != day and e.time() != datetime.min.time():
        return ["A session must end on the day it starts."]
    opening = OpeningHours.objects.filter(weekday=day.weekday()).first()
    if opening is None:
        return [f"The clinic is closed on {day:%A}s."]
    if s.time() < opening.opens or e.date() != day or e.time() > opening.closes:
        problems.append(
            f"The clinic is open {opening.opens:%H:%M}–{opening.closes:%H:%M} on {day:%A}s; "
            f"{s:%H:%M}–{e:%H:%M} is outside that."
        )
    if provider is not None:
        shifts = ProviderHours.objects.filter(provider=provider, weekday=day.weekday())
        if not any(h.start <= s.time() and e.date() == day and e.time() <= h.end for h in shifts):
            hours = ", ".join(f"{h.start:%H:%M}–{h.end:%H:%M}" for h in shifts) or "not at all"
            problems.append(
                f"{provider_name(provider)} works {hours} on {day:%A}s; "
                f"{s:%H:%M}–{e:%H:%M} is outside that."
            )
    return problems


def _interval_problems(
    *, patient: Patient, session_type: SessionType, start: datetime, exclude_pk: int | None
) -> list[str]:
    problems = []
    widest = max(min_interval(p) for p in session_type.procedures)
    nearby = (
        TreatmentSession.objects.filter(
            patient=patient, start__gt=start - widest, start__lt=start + widest
        )
        .exclude(status__in=RELEASED)
        .exclude(pk=exclude_pk)
        .select_related("session_type")
        .order_by("start")
    )
    for procedure in session_type.procedures:
        gap = min_interval(procedure)
        for other in nearby:
            if other.session_type.includes(procedure) and abs(other.start - start) < gap:
                problems.append(
                    f"{upper_first(rules.PROCEDURE_LABELS[procedure])}: there is another "
                    f"session on {times.local(other.start):%a %d %b %H:%M}; the minimum gap is "
                    f"{_describe(gap)}."
                )
                break
    return problems


def missing_consents(patient: Patient, procedures: Iterable[str]) -> list[str]:
    signed = set(
        Consent.objects.filter(patient=patient, procedure__in=list(procedures)).values_list(
            "procedure", flat=True
        )
    )
    return [p for p in procedures if p not in signed]


@dataclass
class _Plan:
    provider: Any
    room: Room
    device: Device
    eligibility: Eligibility
    override_note: str


def _first_free(candidates, field: str, *, start, end, exclude_pk) -> Any | None:
    taken = set(
        TreatmentSession.objects.filter(start__lt=end, end__gt=start)
        .exclude(status__in=RELEASED)
        .exclude(pk=exclude_pk)
        .values_list(f"{field}_id", flat=True)
    )
    return next((c for c in candidates if c.pk not in taken), None)


def _plan(
    *,
    by,
    patient: Patient,
    session_type: SessionType,
    start: datetime,
    provider,
    room: Room | None,
    device: Device | None,
    override_note: str,
    exclude_pk: int | None = None,
) -> _Plan:
    """Check every gate; raise one ValidationError listing every reason the booking fails."""
    end = start + session_type.duration
    day = times.local(start).date()
    problems: list[str] = []
    if patient.is_archived:
        raise ValidationError("The patient's record is archived; restore it before booking.")
    if not session_type.active:
        raise ValidationError(f"{session_type.name} is no longer offered.")
    if start <= timezone.now():
        raise ValidationError("A session can only be booked in the future.")

    eligibility = eligibility_for(patient, session_type, on=day)
    if not eligibility.bookable:
        problems.append(f"Not bookable on {day:%d %b %Y}: {_sentence(eligibility.message())}")
    missing = missing_consents(patient, session_type.procedures)
    if missing:
        names = ", ".join(rules.PROCEDURE_LABELS[p] for p in missing)
        problems.append(f"No signed consent on file for {names}; take the consent first.")

    if provider is None:
        qualified = [
            p
            for p in session_type.providers.filter(is_active=True).order_by("last_name", "pk")
            if not _hours_problems(provider=p, start=start, end=end)
        ]
        provider = _first_free(qualified, "provider", start=start, end=end, exclude_pk=exclude_pk)
        if provider is None:
            problems.append("No qualified provider is free and working at that time.")
    elif not session_type.providers.filter(pk=provider.pk).exists():
        problems.append(f"{provider_name(provider)} is not listed to perform {session_type.name}.")
    problems += _hours_problems(provider=provider, start=start, end=end)

    if room is None:
        rooms = Room.objects.filter(kind=session_type.room_kind, active=True)
        room = _first_free(rooms, "room", start=start, end=end, exclude_pk=exclude_pk)
        if room is None:
            problems.append("No suitable room is free at that time.")
    elif room.kind != session_type.room_kind or not room.active:
        problems.append(
            f"{room.name} is not an available {session_type.get_room_kind_display().lower()}."
        )
    if device is None:
        devices = Device.objects.filter(kind=session_type.device_kind, active=True)
        device = _first_free(devices, "device", start=start, end=end, exclude_pk=exclude_pk)
        if device is None:
            problems.append(
                f"No {session_type.get_device_kind_display().lower()} is free at that time."
            )
    elif device.kind != session_type.device_kind or not device.active:
        problems.append(
            f"{device.name} is not an available {session_type.get_device_kind_display().lower()}."
        )

    override_note = (override_note or "").strip()
    too_close = _interval_problems(
        patient=patient, session_type=session_type, start=start, exclude_pk=exclude_pk
    )
    if too_close:
        if not by.has_perm("scheduling.override_interval"):
            problems += [f"{p} A physician can book inside it with a note." for p in too_close]
        elif not override_note:
            problems += [f"{p} To override it, write a note saying why." for p in too_close]
    else:
        override_note = ""

    problems += overlaps(
        start=start,
        end=end,
        patient=patient,
        provider=provider,
        room=room,
        device=device,
        exclude_pk=exclude_pk,
    )
    if problems:
        raise ValidationError(problems)
    return _Plan(provider, room, device, eligibility, override_note)


# PostgreSQL's deadlock_detected and serialization_failure: two bookings that each hold a row
# the other's exclusion check waits on; the database aborts one, which lost the race.
_RACE_SQLSTATES = {"40P01", "40001"}


def _is_race(exc: Exception) -> bool:
    """The loser of a race between two bookings: an exclusion violation, or a deadlock."""
    if isinstance(exc, IntegrityError):
        return True
    return getattr(exc.__cause__, "pgcode", None) in _RACE_SQLSTATES


def _race_lost(*, start, end, patient, provider, room, device, exclude_pk) -> ValidationError:
    """Turn a PostgreSQL exclusion violation into the message the service check would give."""
    problems = overlaps(
        start=start,
        end=end,
        patient=patient,
        provider=provider,
        room=room,
        device=device,
        exclude_pk=exclude_pk,
    )
    return ValidationError(problems or [RACE_LOST])


# ---- writes ----------------------------------------------------------------------------------


def session_book(
    *,
    by,
    patient: Patient,
    session_type: SessionType,
    start: datetime,
    provider=None,
    room: Room | None = None,
    device: Device | None = None,
    override_note: str = "",
    form_token: str | None = None,
) -> TreatmentSession:
    """Book a session if every gate passes; a provider, room or device left out is picked.

    The same `form_token` twice (double click, resubmit, two concurrent POSTs) returns the one
    session the first made.
    """
    _require(by, "scheduling.add_treatmentsession", "book sessions")
    form_token = form_token or None
    if form_token:
        existing = TreatmentSession.objects.filter(form_token=form_token).first()
        if existing is not None:
            return existing
    # A booking can lose a race on PostgreSQL to another one (an exclusion violation, or a
    # deadlock when both inserted before either checked). Planning again then sees the winner:
    # it picks another free resource, or refuses naming what is taken; a deadlock victim may
    # retry before the winner has committed, so each retry first waits a moment, a little
    # longer each time and jittered, for the winner to commit.
    attempts = 5
    for attempt in range(attempts):
        plan = None
        try:
            with transaction.atomic(), actor(by):
                if form_token:
                    existing = TreatmentSession.objects.filter(form_token=form_token).first()
                    if existing is not None:
                        return existing
                plan = _plan(
                    by=by,
                    patient=patient,
                    session_type=session_type,
                    start=start,
                    provider=provider,
                    room=room,
                    device=device,
                    override_note=override_note,
                )
                return _insert(
                    by=by,
                    patient=patient,
                    session_type=session_type,
                    start=start,
                    plan=plan,
                    form_token=form_token,
                )
        except (IntegrityError, OperationalError) as exc:
            if not _is_race(exc):
                raise
            if form_token:
                existing = TreatmentSession.objects.filter(form_token=form_token).first()
                if existing is not None:
                    return existing
            if plan is None:
                raise
            if attempt + 1 < attempts:
                time.sleep(random.uniform(0.02, 0.08) * (attempt + 1))
                continue
            raise _race_lost(
                start=start,
                end=start + session_type.duration,
                patient=patient,
                provider=plan.provider,
                room=plan.room,
                device=plan.device,
                exclude_pk=None,
            ) from exc
        except ValidationError:
            # The same form posted twice at once: the twin may have committed between the
            # token check and the plan, which then sees the patient's new session as a clash.
            existing = _booked_by_token(form_token)
            if existing is not None:
                return existing
            raise
    raise AssertionError("unreachable")


def _booked_by_token(form_token: str | None) -> TreatmentSession | None:
    if not form_token:
        return None
    return TreatmentSession.objects.filter(form_token=form_token).first()


def _insert(
    *, by, patient: Patient, session_type: SessionType, start: datetime, plan: _Plan, form_token
) -> TreatmentSession:
    session = TreatmentSession(
        patient=patient,
        session_type=session_type,
        provider=plan.provider,
        room=plan.room,
        device=plan.device,
        start=start,
        end=start + session_type.duration,
        status=Status.BOOKED,
        booked_at=timezone.now(),
        booked_by=by,
        interval_override_note=plan.override_note,
        interval_override_by=by if plan.override_note else None,
        form_token=form_token,
    )
    session.full_clean()
    session.save()
    session.screenings.set(plan.eligibility.screenings)
    session.reviews.set(plan.eligibility.reviews)
    detail = f"{session_type.name} with {provider_name(plan.provider)} in {plan.room.name}"
    if plan.override_note:
        detail += f"; minimum interval overridden: {plan.override_note}"
    _event(session, EventKind.BOOKED, by, to_start=start, detail=detail)
    return session


def session_reschedule(
    *,
    by,
    session: TreatmentSession,
    start: datetime,
    provider=None,
    room: Room | None = None,
    device: Device | None = None,
    override_note: str = "",
) -> TreatmentSession:
    """Move a booked session; the old time stays in its history. Unchanged resources are kept."""
    _require(by, "scheduling.change_treatmentsession", "move sessions")
    if session.status != Status.BOOKED:
        raise ValidationError(
            f"Only a booked session can be moved; this one is {session.get_status_display()}."
        )
    provider = provider or session.provider
    room = room or session.room
    device = device or session.device
    before = (session.start, session.provider, session.room, session.device)
    plan = None
    try:
        with transaction.atomic(), actor(by):
            plan = _plan(
                by=by,
                patient=session.patient,
                session_type=session.session_type,
                start=start,
                provider=provider,
                room=room,
                device=device,
                override_note=override_note,
                exclude_pk=session.pk,
            )
            session.start = start
            session.end = start + session.session_type.duration
            session.provider, session.room, session.device = provider, room, device
            session.blocked_reason = ""
            if plan.override_note:
                session.interval_override_note = plan.override_note
                session.interval_override_by = by
            session.full_clean()
            session.save()
            session.screenings.set(plan.eligibility.screenings)
            session.reviews.set(plan.eligibility.reviews)
            changes = [
                f"{label}: {old} → {new}"
                for label, old, new in (
                    ("provider", provider_name(before[1]), provider_name(provider)),
                    ("room", before[2].name, room.name),
                    ("device", before[3].name, device.name),
                )
                if old != new
            ]
            if plan.override_note:
                changes.append(f"minimum interval overridden: {plan.override_note}")
            _event(
                session,
                EventKind.RESCHEDULED,
                by,
                from_start=before[0],
                to_start=start,
                detail="; ".join(changes),
            )
    except (IntegrityError, OperationalError) as exc:
        if plan is None or not _is_race(exc):
            raise
        raise _race_lost(
            start=start,
            end=start + session.session_type.duration,
            patient=session.patient,
            provider=provider,
            room=room,
            device=device,
            exclude_pk=session.pk,
        ) from exc
    return session


def session_cancel(*, by, session: TreatmentSession, reason: str) -> TreatmentSession:
    _require(by, "scheduling.cancel_session", "cancel sessions")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the session is cancelled."})
    if session.status not in (Status.BOOKED, Status.CHECKED_IN):
        raise ValidationError(
            f"A session that is {session.get_status_display()} can't be cancelled."
        )
    with transaction.atomic(), actor(by):
        session.status = Status.CANCELLED
        session.cancel_reason = reason[:200]
        session.full_clean()
        session.save()
        _event(session, EventKind.CANCELLED, by, from_start=session.start, detail=reason)
    return session


def session_check_in(
    *, by, session: TreatmentSession, answers: dict[str, bool]
) -> TreatmentSession:
    """Re-ask the day-of scalp questions and re-screen; stop the session if it is not bookable.

    A stopped session stays booked with `blocked_reason` set, so the desk sees why; a screening
    that needs review is already in the physician's queue. A "no" given later does not undo a
    "yes" (the screening lifecycle): checking in again lets it through only once the finding is
    over or a physician has lifted or cleared it.
    """
    _require(by, "scheduling.check_in_session", "check patients in")
    if session.status != Status.BOOKED:
        raise ValidationError(f"This session is {session.get_status_display()}, not booked.")
    if times.local(session.start).date() != times.today():
        raise ValidationError("A patient can only be checked in on the day of the session.")
    if set(answers) != set(rules.DAY_OF_CODES) or not all(
        isinstance(v, bool) for v in answers.values()
    ):
        raise ValidationError("Answer every day-of question yes or no.")
    with transaction.atomic(), actor(by):
        screenings = screen_day_of(by=by, patient=session.patient, answers=answers)
        session.refresh_from_db(fields=["blocked_reason"])
        session.screenings.add(
            *(s for s in screenings if s.procedure in session.session_type.procedures)
        )
        eligibility = eligibility_for(session.patient, session.session_type, on=times.today())
        if eligibility.bookable:
            session.status = Status.CHECKED_IN
            session.blocked_reason = ""
            kind, detail = EventKind.CHECKED_IN, ""
        else:
            yes = [rules.CATALOGUE_BY_CODE[c].label for c, v in answers.items() if v]
            said = f"Said yes to: {', '.join(yes)}. " if yes else ""
            session.blocked_reason = f"{said}{_sentence(eligibility.message())}"
            kind, detail = EventKind.BLOCKED, session.blocked_reason
        session.full_clean()
        session.save()
        _event(session, kind, by, detail=detail)
    return session


def require_eligible(session: TreatmentSession, step: str) -> None:
    """Every step asks again (lifecycle rule 6): anything recorded since the last step (a new
    exclusion, a decline, an expired screening) stops this one with the reason."""
    eligibility = eligibility_for(
        session.patient, session.session_type, on=times.local(session.start).date()
    )
    if not eligibility.bookable:
        raise ValidationError(f"Cannot {step}: {_sentence(eligibility.message())}")


# Sessions still to happen, whose eligibility is re-checked when the patient's changes.
UPCOMING = (Status.BOOKED, Status.CHECKED_IN, Status.IN_TREATMENT)


def sessions_recheck(*, patient: Patient, by=None) -> list[TreatmentSession]:
    """Ask again for each of the patient's sessions from today on; a session that can no longer
    go ahead gets its reason ("needs attention"), one that can again loses it. Nothing is
    cancelled: the front desk decides. Returns the sessions whose state changed."""
    day_start, _ = times.day_bounds(times.today())
    sessions = list(
        TreatmentSession.objects.filter(patient=patient, status__in=UPCOMING, start__gte=day_start)
        .select_related("session_type")
        .order_by("start", "pk")
    )
    if not sessions:
        return []
    verdicts = eligibility_on_days(
        patient, [(s.session_type, times.local(s.start).date()) for s in sessions]
    )
    changed = []
    with transaction.atomic(), actor(by):
        for session, eligibility in zip(sessions, verdicts, strict=True):
            reason = "" if eligibility.bookable else _sentence(eligibility.message())
            unchanged = reason == session.blocked_reason or (
                reason and session.blocked_reason.endswith(reason)
            )
            if unchanged:
                continue
            session.blocked_reason = reason
            session.save(update_fields=["blocked_reason"])
            if by is not None:
                kind = EventKind.ATTENTION if reason else EventKind.CLEARED
                _event(session, kind, by, detail=reason)
            changed.append(session)
    return changed


def session_no_show(*, by, session: TreatmentSession) -> TreatmentSession:
    _require(by, "scheduling.check_in_session", "mark no-shows")
    if session.status != Status.BOOKED:
        raise ValidationError(f"This session is {session.get_status_display()}, not booked.")
    if session.start > timezone.now():
        raise ValidationError("A session can only be marked a no-show once its time has come.")
    with transaction.atomic(), actor(by):
        session.status = Status.NO_SHOW
        session.save()
        _event(session, EventKind.NO_SHOW, by)
    return session


def session_start(*, by, session: TreatmentSession) -> TreatmentSession:
    _require(by, "scheduling.chart_treatment", "start treatments")
    if session.status != Status.CHECKED_IN:
        raise ValidationError("Only a checked-in session can be started.")
    if times.local(session.start).date() != times.today():
        raise ValidationError("A treatment can only be started on the day of the session.")
    require_eligible(session, "start the treatment")
    with transaction.atomic(), actor(by):
        session.status = Status.IN_TREATMENT
        session.save()
        _event(session, EventKind.STARTED, by)
    return session


def treatment_record(*, by, session: TreatmentSession, **fields: Any) -> TreatmentSession:
    """Save the treatment record; the needle depth only by someone who may set it."""
    _require(by, "scheduling.chart_treatment", "chart treatments")
    unknown = set(fields) - set(TREATMENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown treatment fields: {', '.join(sorted(unknown))}")
    if session.status not in (Status.CHECKED_IN, Status.IN_TREATMENT):
        raise ValidationError("A treatment is recorded while the patient is checked in or treated.")
    depth = fields.get("needle_depth_mm", session.needle_depth_mm)
    if depth is not None:
        depth = Decimal(str(depth))
    if depth != session.needle_depth_mm and not by.has_perm("scheduling.set_needle_depth"):
        raise PermissionDenied("Only a physician may set the needle depth.")
    require_eligible(session, "chart this treatment")
    for name, value in fields.items():
        setattr(session, name, "" if value is None and name in _TEXT_FIELDS else value)
    session.charted_at = timezone.now()
    session.charted_by = by
    session.full_clean()
    with transaction.atomic(), actor(by):
        session.save()
        _event(session, EventKind.CHARTED, by)
    return session


_TEXT_FIELDS = {"cartridge_lot", "prp_kit_lot", "topicals", "notes"}


def record_gaps(session: TreatmentSession) -> list[str]:
    """What the treatment record still lacks for the procedures of this session."""
    gaps = []
    procedures = session.session_type.procedures
    if not session.is_charted:
        return ["No treatment record yet."]
    if rules.MICRONEEDLING in procedures:
        if session.needle_depth_mm is None:
            gaps.append("the needle depth")
        if not session.passes:
            gaps.append("the number of passes")
        if not session.cartridge_lot:
            gaps.append("the cartridge lot")
    if rules.PRP in procedures:
        if not session.prp_kit_lot:
            gaps.append("the PRP kit lot")
        if session.prp_volume_ml is None:
            gaps.append("the PRP volume")
    if rules.LLLT in procedures and not session.lllt_minutes:
        gaps.append("the LLLT minutes")
    if not session.post_care_given:
        gaps.append("that the post-care sheet was given")
    return [f"The treatment record needs {gap}." for gap in gaps]


def session_complete(*, by, session: TreatmentSession) -> TreatmentSession:
    _require(by, "scheduling.chart_treatment", "complete treatments")
    if session.status not in (Status.CHECKED_IN, Status.IN_TREATMENT):
        raise ValidationError("Only a checked-in or started session can be completed.")
    gaps = record_gaps(session)
    if gaps:
        raise ValidationError(gaps)
    require_eligible(session, "complete this session")
    with transaction.atomic(), actor(by):
        session.status = Status.COMPLETED
        session.completed_at = timezone.now()
        session.full_clean()
        session.save()
        _event(session, EventKind.COMPLETED, by)
    return session


def _same_name(typed: str, patient: Patient) -> bool:
    def norm(text: str) -> str:
        return " ".join(text.casefold().split())

    names = {norm(patient.full_name)}
    if patient.preferred_name:
        names.add(norm(f"{patient.preferred_name} {patient.last_name}"))
    return norm(typed) in names


def consent_sign(*, by, patient: Patient, procedure: str, typed_name: str, agreed: bool) -> Consent:
    """Record the patient's consent to a procedure on the current text, witnessed by `by`."""
    _require(by, "scheduling.add_consent", "take consents")
    if procedure not in CONSENT_TEXTS:
        raise ValidationError(f"Unknown procedure {procedure!r}.")
    if not agreed:
        raise ValidationError({"agreed": "The patient must tick that they agree."})
    if not _same_name(typed_name, patient):
        raise ValidationError(
            {"typed_name": "The typed name must be the patient's own first and last name."}
        )
    consent = Consent(
        patient=patient,
        procedure=procedure,
        text_version=CONSENT_TEXTS[procedure].version,
        typed_name=typed_name.strip(),
        agreed=True,
        witnessed_by=by,
        signed_at=timezone.now(),
    )
    consent.full_clean()
    with transaction.atomic(), actor(by):
        consent.save()
    return consent
