"""Booking and running treatment sessions. Every write is checked, atomic and audited.

Booking asks `eligibility.services.eligibility_for` and nothing else about eligibility, and
`scheduling.rules` everything about the slot (hours, intervals, clashes, which provider, room
and device): this module reads what those need, asks, and writes. The check runs inside the
write transaction: SQLite's IMMEDIATE transactions serialise writers, so check-then-insert
cannot interleave; on PostgreSQL the exclusion constraints of migration 0002 refuse the loser
of a race, which `scheduling.retry` tries again and, failing that, gives the same message.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.audit import actor
from eligibility import rules
from eligibility.services import (
    Eligibility,
    eligibility_for,
    eligibility_on_days,
    refusal,
    screen_day_of,
)
from intake.models import Patient
from scheduling import retry, selectors, times
from scheduling import rules as booking
from scheduling.consent import CURRENT as CONSENT_TEXTS
from scheduling.models import (
    Addendum,
    Consent,
    Device,
    EventKind,
    Room,
    SessionEvent,
    Status,
    TreatmentSession,
)
from scheduling.selectors import UPCOMING, provider_name
from treatments.models import SessionType

T = TypeVar("T")

RACE_LOST = "That time was taken by another booking a moment ago; choose another time."

# Refusal codes (eligibility.services.refusal): the kind of step that fixes a refusal, which
# scheduling.refusals links for the user. Params are ids and days, never names.
NOT_ELIGIBLE = "not_eligible"  # patient, holds (eligibility.services.Hold)
NO_CONSENT = "no_consent"  # patient, procedures
INTERVAL = "interval"  # patient, session_type, day: inside a minimum gap
SLOT = "slot"  # patient, session_type, day: hours, clashes, no free provider, room or device
ARCHIVED = "archived"  # patient
WRONG_DAY = "wrong_day"  # session: checked in on another day than its own
RECORD_GAPS = "record_gaps"  # session: the treatment record lacks something

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


def _sentence(text: str) -> str:
    return text.rstrip(". ") + "."


def _event(session: TreatmentSession, kind: str, by, **fields: Any) -> SessionEvent:
    event = SessionEvent(session=session, kind=kind, by=by, at=timezone.now(), **fields)
    event.full_clean()
    event.save()
    return event


# ---- the booking gates -------------------------------------------------------------------


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


@dataclass
class _Request:
    """The slot one write wants, planned anew by each attempt; `exclude_pk` is the session
    being moved (it does not clash with itself), `plan` the latest attempt's once made."""

    by: Any
    patient: Patient
    session_type: SessionType
    start: datetime
    provider: Any = None
    room: Room | None = None
    device: Device | None = None
    override_note: str = ""
    exclude_pk: int | None = None
    plan: _Plan | None = None

    @property
    def end(self) -> datetime:
        return self.start + self.session_type.duration


def _plan(request: _Request) -> _Plan:
    """Check every gate; raise one ValidationError listing every reason the booking fails."""
    patient, session_type = request.patient, request.session_type
    refused = booking.refusal(
        archived=patient.is_archived,
        offered=session_type.active,
        type_name=session_type.name,
        start=request.start,
        now=timezone.now(),
    )
    if refused:
        if patient.is_archived:
            raise refusal(refused, ARCHIVED, patient=patient.pk)
        raise ValidationError(refused)
    day = times.local(request.start).date()
    eligibility = eligibility_for(patient, session_type, on=day)
    problems = _patient_problems(request, eligibility, day)
    listed = selectors.listed_providers(session_type)
    rooms = [] if request.room else selectors.rooms_for(session_type)
    devices = [] if request.device else selectors.devices_for(session_type)
    ask, clinic = _ask(request, listed), _clinic(request, listed, rooms, devices)
    plan = booking.plan(ask, clinic)
    problems += _slot_problems(request, plan.problems, _interval_problems(ask, clinic))
    if problems:
        raise ValidationError(problems)
    return _Plan(
        provider=request.provider or selectors.instance_of(plan.provider, listed),
        room=request.room or selectors.instance_of(plan.room, rooms),
        device=request.device or selectors.instance_of(plan.device, devices),
        eligibility=eligibility,
        override_note=plan.override_note,
    )


def _patient_problems(
    request: _Request, eligibility: Eligibility, day: date
) -> list[ValidationError]:
    problems = []
    patient = request.patient
    if not eligibility.bookable:
        problems.append(_not_eligible(f"Not bookable on {day:%d %b %Y}", eligibility, patient))
    missing = missing_consents(patient, request.session_type.procedures)
    if missing:
        names = ", ".join(rules.PROCEDURE_LABELS[p] for p in missing)
        problems.append(
            refusal(
                f"No signed consent on file for {names}; take the consent first.",
                NO_CONSENT,
                patient=patient.pk,
                procedures=tuple(missing),
            )
        )
    return problems


def _not_eligible(lead: str, eligibility: Eligibility, patient: Patient) -> ValidationError:
    """`lead`, then why the patient is not eligible; its params say what stops it."""
    return refusal(
        f"{lead}: {_sentence(eligibility.message())}",
        NOT_ELIGIBLE,
        patient=patient.pk,
        holds=eligibility.holds(),
    )


def _interval_problems(ask: booking.Ask, clinic: booking.Clinic) -> tuple[str, ...]:
    """The minimum gaps the slot does not keep, as `booking.plan` words them (before it says
    who may override)."""
    return tuple(
        booking.interval_problems(
            clinic.booked,
            patient=ask.patient,
            procedures=ask.kind.procedures,
            start=ask.start,
            min_gaps=clinic.min_gaps,
            zone=clinic.zone,
        )
    )


def _slot_problems(
    request: _Request, problems: Iterable[str], too_close: tuple[str, ...] = ()
) -> list[ValidationError]:
    """What is wrong with the slot, as refusals: a minimum gap not kept (a physician may
    override it) or the slot itself (hours, clashes, nothing free: another time fixes it)."""
    where = {
        "patient": request.patient.pk,
        "session_type": request.session_type.pk,
        "day": times.local(request.start).date().isoformat(),
    }
    return [
        refusal(problem, INTERVAL if problem.startswith(too_close) else SLOT, **where)
        for problem in problems
    ]


def _ask(request: _Request, listed: list) -> booking.Ask:
    session_type = request.session_type
    kind = booking.SessionKind(
        name=session_type.name,
        procedures=session_type.procedures,
        qualified=frozenset(p.pk for p in listed),
        room_kind=session_type.room_kind,
        room_label=session_type.get_room_kind_display().lower(),
        device_kind=session_type.device_kind,
        device_label=session_type.get_device_kind_display().lower(),
    )
    return booking.Ask(
        start=request.start,
        end=request.end,
        patient=request.patient.pk,
        kind=kind,
        provider=selectors.as_provider(request.provider) if request.provider else None,
        room=selectors.as_resource(request.room) if request.room else None,
        device=selectors.as_resource(request.device) if request.device else None,
        override_note=request.override_note,
        may_override=request.by.has_perm("scheduling.override_interval"),
    )


def _clinic(request: _Request, listed: list, rooms: list, devices: list) -> booking.Clinic:
    """The clinic around the slot in a few reads: its day's hours, the candidates for what the
    request leaves open, and the live sessions that overlap it or are the patient's within
    the widest minimum gap of its start."""
    gaps = selectors.min_gaps()
    widest = booking.widest_gap(request.session_type.procedures, gaps)
    window = Q(start__lt=request.end, end__gt=request.start) | Q(
        patient=request.patient,
        start__gt=request.start - widest,
        start__lt=request.start + widest,
    )
    people = [request.provider] if request.provider else [p for p in listed if p.is_active]
    day = times.local(request.start).date()
    return selectors.booking_clinic(
        calendar=selectors.calendar(day, day, providers=[p.pk for p in people]),
        booked=selectors.live_sessions(window, exclude_pk=request.exclude_pk),
        providers=[] if request.provider else people,
        rooms=rooms,
        devices=devices,
        min_gaps=gaps,
    )


def _race_lost(request: _Request, plan: _Plan) -> ValidationError:
    """Turn a lost race into the message the service check would give: what took the slot."""
    overlapping = Q(start__lt=request.end, end__gt=request.start)
    problems = booking.clashes(
        selectors.live_sessions(overlapping, exclude_pk=request.exclude_pk),
        start=request.start,
        end=request.end,
        patient=request.patient.pk,
        provider=selectors.as_provider(plan.provider),
        room=selectors.as_resource(plan.room),
        device=selectors.as_resource(plan.device),
        zone=times.zone(),
        today=times.today(),
    )
    return ValidationError(_slot_problems(request, problems or [RACE_LOST]))


def _write_racing(
    request: _Request, attempt: Callable[[], T], *, recover: Callable[[], T | None] = lambda: None
) -> T:
    """Run `attempt` under the shared retry. When every try loses, what `recover` finds is the
    outcome (a twin's booking), else the slot's taker is named; a loss before any plan is
    raised as it is."""

    def lost(exc: Exception) -> T:
        found = recover()
        if found is not None:
            return found
        if request.plan is None:
            raise exc
        raise _race_lost(request, request.plan) from exc

    return retry.retry_races(attempt, lost=lost)


def _decided_on(session: TreatmentSession, plan: _Plan) -> None:
    """What the booking was decided on: the screenings and clearances of that moment."""
    session.screenings.set(plan.eligibility.screenings)
    session.reviews.set(plan.eligibility.reviews)


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
    request = _Request(by, patient, session_type, start, provider, room, device, override_note)

    def attempt() -> TreatmentSession:
        request.plan = None
        with transaction.atomic(), actor(by):
            existing = _booked_by_token(form_token)
            if existing is not None:
                return existing
            request.plan = _plan(request)
            return _insert(request=request, plan=request.plan, form_token=form_token)

    try:
        return _write_racing(request, attempt, recover=lambda: _booked_by_token(form_token))
    except ValidationError:
        # The same form posted twice at once: the twin may have committed between the
        # token check and the plan, which then sees the patient's new session as a clash.
        existing = _booked_by_token(form_token)
        if existing is not None:
            return existing
        raise


def _booked_by_token(form_token: str | None) -> TreatmentSession | None:
    if not form_token:
        return None
    return TreatmentSession.objects.filter(form_token=form_token).first()


def _still_offered(request: _Request, plan: _Plan) -> None:
    """Lock the room, device and session type the plan chose, and refuse if an admin took one
    out of use since it was planned. A deactivation locks the same row and then counts the
    sessions ahead, so of a booking and a deactivation at once, one waits and sees the other."""
    chosen = (
        (Room, plan.room),
        (Device, plan.device),
        (SessionType, request.session_type),
    )
    gone = [
        record.name
        for model, record in chosen
        if not model.objects.select_for_update().filter(pk=record.pk, active=True).exists()
    ]
    if gone:
        raise ValidationError(
            f"{' and '.join(gone)} was taken out of use a moment ago; nothing was booked. "
            "Choose another slot."
        )


def _insert(*, request: _Request, plan: _Plan, form_token: str | None) -> TreatmentSession:
    _still_offered(request, plan)
    session = TreatmentSession(
        patient=request.patient,
        session_type=request.session_type,
        provider=plan.provider,
        room=plan.room,
        device=plan.device,
        start=request.start,
        end=request.end,
        status=Status.BOOKED,
        booked_at=timezone.now(),
        booked_by=request.by,
        interval_override_note=plan.override_note,
        interval_override_by=request.by if plan.override_note else None,
        form_token=form_token,
    )
    session.full_clean()
    session.save()
    _decided_on(session, plan)
    detail = f"{request.session_type.name} with {provider_name(plan.provider)} in {plan.room.name}"
    if plan.override_note:
        detail += f"; minimum interval overridden: {plan.override_note}"
    _event(session, EventKind.BOOKED, request.by, to_start=request.start, detail=detail)
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
    request = _Request(
        by,
        session.patient,
        session.session_type,
        start,
        provider or session.provider,
        room or session.room,
        device or session.device,
        override_note,
        exclude_pk=session.pk,
    )
    before = (session.start, _resource_names(session))

    def attempt() -> TreatmentSession:
        request.plan = None
        with transaction.atomic(), actor(by):
            request.plan = _plan(request)
            return _move(session, request=request, plan=request.plan, before=before)

    return _write_racing(request, attempt)


def _resource_names(session: TreatmentSession) -> dict[str, str]:
    return {
        "provider": provider_name(session.provider),
        "room": session.room.name,
        "device": session.device.name,
    }


def _changes(was: dict[str, str], session: TreatmentSession, override_note: str) -> str:
    """What a move changed besides the time ("room: Room 1 → Room 2"), and any override."""
    now = _resource_names(session)
    changes = [f"{label}: {old} → {now[label]}" for label, old in was.items() if old != now[label]]
    if override_note:
        changes.append(f"minimum interval overridden: {override_note}")
    return "; ".join(changes)


def _move(
    session: TreatmentSession,
    *,
    request: _Request,
    plan: _Plan,
    before: tuple[datetime, dict[str, str]],
) -> TreatmentSession:
    """Write the move and its history: `before` is the start and resources it moves from."""
    _still_offered(request, plan)
    session.start, session.end = request.start, request.end
    session.provider, session.room, session.device = plan.provider, plan.room, plan.device
    session.blocked_reason = ""
    if plan.override_note:
        session.interval_override_note = plan.override_note
        session.interval_override_by = request.by
    session.full_clean()
    session.save()
    _decided_on(session, plan)
    detail = _changes(before[1], session, plan.override_note)
    _event(
        session,
        EventKind.RESCHEDULED,
        request.by,
        from_start=before[0],
        to_start=request.start,
        detail=detail,
    )
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

    The session returned carries `stopped_by`: None, or the refusal that stopped it (its words,
    and what would lift it as params), for the page to show with the steps that fix it.
    """
    _require(by, "scheduling.check_in_session", "check patients in")
    if session.status != Status.BOOKED:
        raise ValidationError(f"This session is {session.get_status_display()}, not booked.")
    if times.local(session.start).date() != times.today():
        raise refusal(
            "A patient can only be checked in on the day of the session.",
            WRONG_DAY,
            session=session.pk,
        )
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
        session.stopped_by = None
        if eligibility.bookable:
            session.status = Status.CHECKED_IN
            session.blocked_reason = ""
            kind, detail = EventKind.CHECKED_IN, ""
        else:
            yes = [rules.CATALOGUE_BY_CODE[c].label for c, v in answers.items() if v]
            said = f"Said yes to: {', '.join(yes)}. " if yes else ""
            session.blocked_reason = f"{said}{_sentence(eligibility.message())}"
            session.stopped_by = refusal(
                f"Stopped at check-in. Not checked in: {session.blocked_reason}",
                NOT_ELIGIBLE,
                patient=session.patient_id,
                holds=eligibility.holds(),
            )
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
        raise _not_eligible(f"Cannot {step}", eligibility, session.patient)


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


def session_flag(*, session: TreatmentSession, reason: str) -> None:
    """Put a booked session on the front desk's "needs attention" list for something the
    patient told us (the pre-visit check), ahead of any eligibility reason already there. It
    stays until the desk moves, cancels or checks in the session, or the patient's eligibility
    is decided again."""
    with transaction.atomic():
        locked = TreatmentSession.objects.select_for_update().get(pk=session.pk)
        if locked.status not in UPCOMING or locked.blocked_reason.startswith(reason):
            return
        locked.blocked_reason = f"{_sentence(reason)} {locked.blocked_reason}".strip()
        locked.save(update_fields=["blocked_reason"])


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


def addendum_write(*, by, session: TreatmentSession, reason: str, text: str) -> Addendum:
    """Correct or add to a completed treatment record: the record stays as it was signed, and
    the addendum (who, when, why, what) stands under it, final once written."""
    _require(by, "scheduling.add_addendum", "write addenda")
    if session.status != Status.COMPLETED:
        raise ValidationError(
            "Only a completed record takes addenda; until then, correct the record itself."
        )
    reason, text = reason.strip(), text.strip()
    if not reason or not text:
        raise ValidationError("An addendum needs a reason and its text.")
    with transaction.atomic(), actor(by):
        addendum = Addendum(session=session, reason=reason, text=text, written_by=by)
        addendum.full_clean()
        addendum.save()
    return addendum


def session_complete(*, by, session: TreatmentSession) -> TreatmentSession:
    _require(by, "scheduling.chart_treatment", "complete treatments")
    if session.status not in (Status.CHECKED_IN, Status.IN_TREATMENT):
        raise ValidationError("Only a checked-in or started session can be completed.")
    gaps = record_gaps(session)
    if gaps:
        raise ValidationError([refusal(gap, RECORD_GAPS, session=session.pk) for gap in gaps])
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


def consent_sign(
    *,
    by,
    patient: Patient,
    procedure: str,
    typed_name: str,
    agreed: bool,
    shown_version: str | None = None,
) -> Consent:
    """Record the patient's consent to a procedure on the current text, witnessed by `by`.

    `shown_version` is the version the page showed the patient: if an admin published a new
    one meanwhile, the consent is refused rather than recorded on a text the patient never read.
    """
    _require(by, "scheduling.add_consent", "take consents")
    text = CONSENT_TEXTS.get(procedure)
    if text is None:
        raise ValidationError(f"Unknown procedure {procedure!r}.")
    if shown_version is not None and shown_version != text.version:
        raise ValidationError(
            "The consent text was updated while this page was open. Nothing was recorded: "
            "please let the patient read the new version, shown here, and sign again."
        )
    if not agreed:
        raise ValidationError({"agreed": "The patient must tick that they agree."})
    if not _same_name(typed_name, patient):
        raise ValidationError(
            {"typed_name": "The typed name must be the patient's own first and last name."}
        )
    consent = Consent(
        patient=patient,
        procedure=procedure,
        text_version=text.version,
        typed_name=typed_name.strip(),
        agreed=True,
        witnessed_by=by,
        signed_at=timezone.now(),
    )
    consent.full_clean()
    with transaction.atomic(), actor(by):
        consent.save()
    return consent
