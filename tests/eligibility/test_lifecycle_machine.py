"""Issue 11's "How we will know": random sequences of the front desk's, the physician's and the
clinic's actions, through the services (not views), with invariants checked after every step.

The machine keeps its own account of what happened (tests.eligibility.machine_support, written
from CLINICAL.md) and never asks eligibility.lifecycle. A step the app refuses (ValidationError)
is always acceptable; the machine fails only when something goes ahead that must not:
- a session step (booking, check-in, start, charting, completion) while, for one of its
  procedures, an exclusion stands (a yes not lifted since by a physician's resolved / entered in
  error, nor ended by a "no" given from its re-screen date on), a decline is the newest decision
  on a code, a review finding has no clearance in force, or the patient is under 18 uncleared;
- a step for a day more than 29 days after the oldest answer behind the screening (on that
  day's count the answer's day is day 1; a start counts from the day it really happens);
- same-day microneedling then LLLT without a physician's sign-off in force;
- a PhysicianReview not recorded here by a physician, or without its audit-log entry; a front
  desk decision or a decision on a code decidable_codes does not offer that is not refused;
- a session that can no longer go ahead, after a write that changed eligibility, without its
  "needs attention" reason.
"""

import os
from collections import Counter
from contextlib import ExitStack
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from unittest import mock

import hypothesis
import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from core.roles import FRONT_DESK, PHYSICIAN
from eligibility import rules, services
from eligibility.models import PhysicianReview, PlanSignOff, Screening
from intake import services as intake_services
from scheduling import services as scheduling
from scheduling import times
from scheduling.models import Status, TreatmentSession
from tests.eligibility.machine_support import CATALOGUE, Clock, Oracle, SignOff, clinic_day
from tests.factories import INTAKE_HISTORY, PatientFactory, UserFactory
from tests.scheduling.factories import LLLT, MN, MN_LLLT, PRP, PRP_MN, make_clinic, sign_all

pytestmark = pytest.mark.django_db

DAY_OF = rules.DAY_OF_CODES
# The codes this machine is about: review ones first (hypothesis leans to the first), the day-of
# exclusions, and a lasting exclusion.
FOCUS = ("anticoagulant", "keloid_tendency", "nsaid_recent", *DAY_OF, "bleeding_disorder")
ALL_CODES = tuple(c.code for c in rules.CATALOGUE)
# Codes a physician might try to decide on, offered or not.
DECIDABLE_TRIES = (*ALL_CODES, rules.UNDER_18, rules.AGE_UNKNOWN)
DECISIONS = ("cleared", "declined", "more_info", "resolved", "entered_in_error")
START = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)  # a Monday morning in the clinic
MAX_SESSIONS = 6
LIVE = (Status.BOOKED, Status.CHECKED_IN, Status.IN_TREATMENT)
CHART = {
    rules.MICRONEEDLING: {"needle_depth_mm": Decimal("1.5"), "passes": 3, "cartridge_lot": "C1"},
    rules.PRP: {"prp_kit_lot": "K1", "prp_volume_ml": Decimal("4.0")},
    rules.LLLT: {"lllt_minutes": 20},
}

SESSION_TYPE_NAMES = st.sampled_from([MN, PRP, PRP_MN, LLLT]) | st.just(MN_LLLT)
# Half the intakes are all "no"; a yes is more often one of the codes that matter here. Most
# check-ins are all "no".
yes_codes = st.just([]) | st.lists(
    st.sampled_from(FOCUS) | st.sampled_from(ALL_CODES), min_size=1, max_size=2, unique=True
)
day_of_yes = st.just([]) | st.just([]) | st.lists(st.sampled_from(DAY_OF), max_size=2, unique=True)

CLOCK = Clock(START)
# What the runs did, printed at the end (pytest -s): steps that went ahead, refusals.
STATS: Counter = Counter()


class LifecycleMachine(RuleBasedStateMachine):
    """One patient, one clinic (set up once per test), the clock from START."""

    clinic = None  # tests.scheduling.factories.Clinic, set by the test

    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self._stack = ExitStack()
        CLOCK.now = START
        STATS["examples"] += 1
        self.desk, self.doctor = self.clinic.desk, self.clinic.doctor
        self.patient = PatientFactory(
            created_by=self.desk,
            phone="",
            date_of_birth=self._birth_date(40),
        )
        sign_all(self.patient, by=self.desk)
        self.oracle = Oracle()
        self.sessions: dict[int, dict] = {}  # pk -> status, day, procedures, charted
        self.review_pks: set[int] = set()
        self.checked_reviews: set[int] = set()
        self.bumps = 0
        self.changed = False  # an eligibility-changing write happened in this step

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)
        self._stack.close()

    # ---- helpers ----

    def _birth_date(self, years: int):
        """A month past a birthday: the age holds all run long (at most a year of clock)."""
        return CLOCK.today() - timedelta(days=round(years * 365.25) + 30)

    def _session(self, pk: int) -> TreatmentSession:
        return TreatmentSession.objects.select_related("session_type", "patient").get(pk=pk)

    def _pick(self, statuses, index: int) -> int:
        """A session in one of `statuses`; rather not a booked one whose day has gone by (its
        check-in is refused), but a checked-in one from an earlier day is fair game."""
        pks = [pk for pk, s in sorted(self.sessions.items()) if s["status"] in statuses]
        due = [
            pk
            for pk in pks
            if self.sessions[pk]["status"] != Status.BOOKED
            or self.sessions[pk]["day"] >= CLOCK.today()
        ]
        return (due or pks)[index % len(due or pks)]

    def _went_ahead(self, step: str, pk: int, day) -> None:
        procedures = self.sessions[pk]["procedures"]
        why = self.oracle.blocks(procedures, day, CLOCK.now)
        STATS[f"went ahead: {step}"] += 1
        assert not why, (
            f"{step} of session {pk} ({'+'.join(procedures)}) on {day} went ahead: {why}"
        )

    def _has(self, *statuses) -> bool:
        return any(s["status"] in statuses for s in self.sessions.values())

    # ---- the front desk ----

    @initialize(
        yes=st.just([]) | yes_codes,
        medications=st.sampled_from(["", "", "warfarin 5 mg"]),
        type_name=SESSION_TYPE_NAMES,
        hour=st.integers(11, 17),
    )
    def first_visit(self, yes, medications, type_name, hour) -> None:
        """Every run starts with an intake and an attempt to book a session for the day."""
        self.intake(yes, medications)
        self.book(type_name, 0, hour, by_doctor=False)

    @rule(yes=yes_codes, medications=st.sampled_from(["", "", "warfarin 5 mg"]))
    def intake(self, yes, medications) -> None:
        CLOCK.tick()
        STATS["intakes"] += 1
        answers = {code: code in yes for code in ALL_CODES}
        intake_services.intake_submit(
            by=self.desk,
            patient=self.patient,
            **INTAKE_HISTORY,
            treatments={"minoxidil": "past"},
            medications=medications,
            answers=answers,
        )
        self.oracle.answered(CLOCK.now, answers)
        self.oracle.medications = medications
        self.oracle.screened = True
        self.changed = True

    @precondition(lambda self: self.oracle.screened)
    @rule(yes=day_of_yes, subset=st.booleans())
    def day_of_answers(self, yes, subset) -> None:
        CLOCK.tick()
        codes = yes if subset and yes else DAY_OF
        answers = {code: code in yes for code in codes}
        services.screen_day_of(by=self.desk, patient=self.patient, answers=answers)
        self.oracle.answered(CLOCK.now, answers)
        self.changed = True

    @rule(minor=st.sampled_from([False, False, True]))
    def birth_date_edit(self, minor) -> None:
        CLOCK.tick()
        intake_services.patient_update(
            by=self.desk, patient=self.patient, date_of_birth=self._birth_date(16 if minor else 40)
        )
        self.oracle.minor = minor
        self.changed = True

    @precondition(lambda self: len(self.sessions) < MAX_SESSIONS)
    @rule(
        type_name=SESSION_TYPE_NAMES,
        days_ahead=st.integers(0, 3),
        hour=st.integers(11, 17),
        by_doctor=st.booleans(),
    )
    def book(self, type_name, days_ahead, hour, by_doctor) -> None:
        CLOCK.tick()
        session_type = self.clinic.types[type_name]
        day = CLOCK.today() + timedelta(days=days_ahead)
        try:
            session = scheduling.session_book(
                by=self.doctor if by_doctor else self.desk,
                patient=self.patient,
                session_type=session_type,
                start=times.at(day, time(hour)),
                override_note="Physician's call (machine)." if by_doctor else "",
            )
        except ValidationError:
            STATS["refused: book"] += 1
            return
        self.sessions[session.pk] = {
            "status": Status.BOOKED,
            "day": day,
            "procedures": session_type.procedures,
            "charted": False,
        }
        self._went_ahead("booking", session.pk, day)

    @precondition(lambda self: self._has(*LIVE))
    @rule()
    def next_patient_in(self) -> None:
        """The earliest live session goes through every step it can, the patient answering
        "no" at check-in."""
        self._steps(self._pick(LIVE, 0), 4, [], shortcut=False)

    @precondition(lambda self: self._has(*LIVE))
    @rule(
        how=st.fixed_dictionaries(
            {
                "index": st.integers(0, MAX_SESSIONS),
                "steps": st.integers(1, 4),
                "yes": day_of_yes,
                "shortcut": st.booleans(),
            }
        )
    )
    def session_steps(self, how) -> None:
        """The next `steps` steps of a live session: check-in, start, charting, completion; each
        one checked as it goes ahead. With `shortcut`, one is skipped: charting before the
        start, or completing before charting (which the app must refuse). One argument, so
        hypothesis does not rank the rule last."""
        self._steps(self._pick(LIVE, how["index"]), how["steps"], how["yes"], how["shortcut"])

    def _steps(self, pk: int, steps: int, yes, shortcut: bool) -> None:
        for _ in range(steps):
            status, charted = self.sessions[pk]["status"], self.sessions[pk]["charted"]
            if status == Status.BOOKED:
                self._check_in(pk, yes)
            elif status == Status.CHECKED_IN and not shortcut:
                self._start(pk)
            elif (
                status in LIVE and not charted and not (shortcut and status == Status.IN_TREATMENT)
            ):
                self._chart(pk)
            elif status in LIVE:
                self._complete(pk)
            if self.sessions[pk]["status"] == status and charted == self.sessions[pk]["charted"]:
                return  # refused: the desk stops here

    def _check_in(self, pk: int, yes) -> None:
        """The patient comes in on the session's day (the clock moves on to it if need be)."""
        day = self.sessions[pk]["day"]
        if day > CLOCK.today():
            CLOCK.now = datetime.combine(day, START.timetz())
        CLOCK.tick()
        answers = {code: code in yes for code in DAY_OF}
        try:
            session = scheduling.session_check_in(
                by=self.desk, session=self._session(pk), answers=answers
            )
        except ValidationError:
            STATS["refused: check-in (not its day)"] += 1
            assert day < CLOCK.today()
            return
        self.oracle.answered(CLOCK.now, answers)
        self.changed = True
        if session.status == Status.CHECKED_IN:
            self.sessions[pk]["status"] = Status.CHECKED_IN
            self._went_ahead("check-in", pk, CLOCK.today())
        else:
            STATS["refused: check-in (blocked)"] += 1

    def _physician_step(self, step: str, service, pk: int, **fields) -> bool:
        """The physician's `service` on session `pk`; False, counted, when the app refuses."""
        CLOCK.tick()
        try:
            service(by=self.doctor, session=self._session(pk), **fields)
        except ValidationError:
            STATS[f"refused: {step}"] += 1
            return False
        return True

    def _start(self, pk: int) -> None:
        if self._physician_step("start", scheduling.session_start, pk):
            self.sessions[pk]["status"] = Status.IN_TREATMENT
            # The treatment begins now, whatever day it was booked for.
            self._went_ahead("start", pk, max(CLOCK.today(), self.sessions[pk]["day"]))

    def _chart(self, pk: int) -> None:
        fields = {"post_care_given": True}
        for procedure in self.sessions[pk]["procedures"]:
            fields.update(CHART[procedure])
        if self._physician_step("charting", scheduling.treatment_record, pk, **fields):
            self.sessions[pk]["charted"] = True
            self._went_ahead("charting", pk, self.sessions[pk]["day"])

    def _complete(self, pk: int) -> None:
        if self._physician_step("completion", scheduling.session_complete, pk):
            self.sessions[pk]["status"] = Status.COMPLETED
            self._went_ahead("completion", pk, self.sessions[pk]["day"])

    # ---- the physician ----

    @precondition(lambda self: self.oracle.screened)
    @rule(decision=st.sampled_from(["cleared", "declined"]))
    def physician_works_the_queue(self, decision) -> None:
        """The commonest queue action: clear (or decline) whatever each procedure has open."""
        CLOCK.tick()
        for procedure in rules.PROCEDURES:
            offered = services.decidable_codes(self.patient, procedure, decision)
            if offered:
                self._decide(procedure, decision, offered, None)

    @precondition(lambda self: self.oracle.screened)
    @rule(
        decision=st.sampled_from(DECISIONS),
        how=st.fixed_dictionaries(
            {
                "first": st.sampled_from(rules.PROCEDURES),
                "offered_only": st.sampled_from([True, True, False]),
                "every_offered": st.booleans(),
                "index": st.integers(0, len(DECIDABLE_TRIES)),
                "until_days": st.none() | st.integers(0, 40),
            }
        ),
    )
    def physician_decides(self, decision, how) -> None:
        """From the queue: the first procedure (from `first` on) with something to decide,
        of this kind if there is one (else the next kind that has); or, without `offered_only`,
        a code that decidable_codes does not offer, which must be refused."""
        CLOCK.tick()
        first, offered_only, index = how["first"], how["offered_only"], how["index"]
        every_offered, until_days = how["every_offered"], how["until_days"]
        procedure, offered = first, services.decidable_codes(self.patient, first, decision)
        if offered_only and not offered:
            for kind, p in _rotations(decision, first):
                offered = services.decidable_codes(self.patient, p, kind)
                if offered:
                    decision, procedure = kind, p
                    break
        until = None if until_days is None else CLOCK.today() + timedelta(days=until_days)
        if offered_only and offered:
            codes = offered if every_offered else [offered[index % len(offered)]]
            self._decide(procedure, decision, codes, until)
            return
        others = [c for c in DECIDABLE_TRIES if c not in offered]
        code = others[index % len(others)]
        with pytest.raises(ValidationError):
            self._record_decision(procedure, decision, codes=[code], cleared_until=until)
        STATS["decision on a code not offered: refused"] += 1

    def _record_decision(
        self,
        procedure: str,
        decision: str,
        *,
        by=None,
        note="Seen by the physician (machine).",
        **more,
    ):
        """`decision_record` for the patient, by the physician unless `by` says otherwise."""
        return services.decision_record(
            by=by or self.doctor,
            patient=self.patient,
            procedure=procedure,
            decision=decision,
            note=note,
            **more,
        )

    def _decide(self, procedure: str, decision: str, codes, until) -> None:
        try:
            reviews = self._record_decision(procedure, decision, codes=codes, cleared_until=until)
        except ValidationError:
            STATS["refused: physician's decision"] += 1
            return
        for review in reviews:
            self.review_pks.add(review.pk)
            self.oracle.decided(
                CLOCK.now, review.procedure, review.decision, review.codes, review.cleared_until
            )
        STATS[f"decision recorded: {decision}"] += 1
        self.changed = True

    @precondition(lambda self: self.oracle.screened)
    @rule(decision=st.sampled_from(DECISIONS), procedure=st.sampled_from(rules.PROCEDURES))
    def front_desk_tries_to_decide(self, decision, procedure) -> None:
        CLOCK.tick()
        with pytest.raises(ValidationError):
            self._record_decision(
                procedure, decision, by=self.desk, note="The patient says it is gone."
            )
        screening = (
            Screening.objects.filter(patient=self.patient, procedure=procedure)
            .order_by("-screened_at", "-id")
            .first()
        )
        with pytest.raises(ValidationError):
            services.review_decide(
                by=self.desk, screening=screening, decision=decision, note="It is gone."
            )

    @rule(until_days=st.none() | st.integers(0, 30), end=st.booleans())
    def sign_off(self, until_days, end) -> None:
        """Sign off same-day microneedling then LLLT, or end the sign-off in force."""
        CLOCK.tick()
        running = [pk for pk, s in self.oracle.signoffs.items() if s.ended_at is None]
        if end and running:
            signoff = PlanSignOff.objects.get(pk=running[0])
            services.signoff_end(by=self.doctor, signoff=signoff, note="Plan changed (machine).")
            self.oracle.signoffs[signoff.pk] = SignOff(signoff.signed_at, signoff.until, CLOCK.now)
        else:
            until = None if until_days is None else CLOCK.today() + timedelta(days=until_days)
            signoff = services.signoff_record(
                by=self.doctor, patient=self.patient, note="Plan agreed (machine).", until=until
            )
            self.oracle.signoffs[signoff.pk] = SignOff(CLOCK.now, signoff.until)
        self.changed = True

    # ---- the clinic and the calendar ----

    @rule(days=st.integers(1, 20))
    def days_pass(self, days) -> None:
        STATS["days passed"] += days
        CLOCK.now = datetime.combine(CLOCK.now.date() + timedelta(days=days), START.timetz())

    @precondition(lambda self: self.bumps < 2)
    @rule()
    def rules_change(self) -> None:
        CLOCK.tick()
        STATS["rule-version bumps"] += 1
        self.bumps += 1
        version = f"{rules.RULESET_VERSION.split('+')[0]}+m{self.bumps}"
        self._stack.enter_context(mock.patch.object(rules, "RULESET_VERSION", version))
        services.screen_rules_updated()
        self.changed = True

    # ---- invariants ----

    @invariant()
    def sessions_move_only_through_the_services_checked_here(self) -> None:
        STATS["invariant checks"] += 1
        stored = dict(
            TreatmentSession.objects.filter(patient=self.patient).values_list("pk", "status")
        )
        assert stored == {pk: s["status"] for pk, s in self.sessions.items()}

    @invariant()
    def only_physicians_decide_and_every_decision_is_audited(self) -> None:
        reviews = list(
            PhysicianReview.objects.filter(patient=self.patient)
            .exclude(pk__in=self.checked_reviews)
            .select_related("decided_by")
        )
        assert {r.pk for r in reviews} <= self.review_pks, "a decision nobody recorded here"
        if not reviews:
            return
        logged = set(
            LogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(PhysicianReview),
                object_pk__in=[str(r.pk) for r in reviews],
                action=LogEntry.Action.CREATE,
            ).values_list("object_pk", flat=True)
        )
        for review in reviews:
            assert review.decided_by.has_perm("eligibility.review_screening"), review.decided_by
            assert str(review.pk) in logged, f"decision {review.pk} is not in the audit log"
            self.checked_reviews.add(review.pk)

    @invariant()
    def sessions_that_cannot_go_ahead_need_attention(self) -> None:
        if not self.changed:
            return
        self.changed = False
        day_start, _ = times.day_bounds(CLOCK.today())
        upcoming = TreatmentSession.objects.filter(
            patient=self.patient, status__in=scheduling.UPCOMING, start__gte=day_start
        ).values_list("pk", "blocked_reason")
        for pk, blocked_reason in upcoming:
            s = self.sessions[pk]
            why = self.oracle.blocks(s["procedures"], s["day"], CLOCK.now)
            assert blocked_reason or not why, f"session {pk} needs attention ({why}) but is clear"


def _rotations(decision: str, procedure: str):
    """Every (decision, procedure) pair, starting from the given ones."""
    d, p = DECISIONS.index(decision), rules.PROCEDURES.index(procedure)
    for kind in DECISIONS[d:] + DECISIONS[:d]:
        for other in rules.PROCEDURES[p:] + rules.PROCEDURES[:p]:
            yield kind, other


def _patch_clock(stack: ExitStack) -> None:
    """`timezone.now` and every model default that captured it read the machine's clock."""
    original = timezone.now
    stack.enter_context(mock.patch("django.utils.timezone.now", CLOCK))
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if getattr(f, "default", None) is original:
                stack.enter_context(mock.patch.object(f, "_get_default", CLOCK))


def test_screening_lifecycle_state_machine(db):
    assert set(CATALOGUE) == set(ALL_CODES), "machine_support's catalogue is out of date"
    assert clinic_day(START) == START.date()
    LifecycleMachine.clinic = make_clinic(
        desk=UserFactory(role=FRONT_DESK), doctor=UserFactory(role=PHYSICIAN)
    )
    with ExitStack() as stack:
        _patch_clock(stack)
        STATS.clear()
        run_state_machine_as_test(
            LifecycleMachine,
            settings=hypothesis.settings(
                # MACHINE_EXAMPLES: fewer for a quick local run; CI runs the 300.
                max_examples=int(os.environ.get("MACHINE_EXAMPLES", 300)),
                stateful_step_count=15,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            ),
        )
    print(", ".join(f"{k}: {v}" for k, v in sorted(STATS.items())))
