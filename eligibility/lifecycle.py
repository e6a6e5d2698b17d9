"""The screening lifecycle (CLINICAL.md): what a patient's history of screenings and physician
decisions means on a given day.

One pure function, `assess`, decides; services load the history from the database and call it,
and nothing else in the app decides. No ORM, no request, no clock: the same history and day give
the same answer, so a hypothesis state machine can check it and any status can be explained.

The rules it encodes, numbered as in CLINICAL.md:
1. answers age from the moment they were given; a screening is valid `valid_days` (day 1 is the
   day of the answer) from its oldest answer;
2. a finding (an exclude or review answer) stands until it is over: a temporary one until a
   screening on or after its re-screen date no longer finds it, a lasting one until a physician
   lifts it; before then only a physician's *resolved on examination* or *entered in error*;
3. a clearance covers exactly the reasons and facts (answers, free-text details) it was decided
   on, until its date;
4. the newest physician decision on a reason wins; a decline stands across new screenings;
5. an unanswered question is a reason of its own, and an unanswered exclusion blocks;
6. every step asks this same question for its day (the services do);
8. a screening decided on an older rule set does not count;
9. an unknown age is a review reason (the rules give it);
10. same-day microneedling then LLLT needs a physician's sign-off in force.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from types import MappingProxyType

from eligibility import rules

# What a procedure's eligibility is on a day.
ELIGIBLE = "eligible"
CLEARED = "cleared"
NEEDS_REVIEW = "needs_review"
AWAITING_INFORMATION = "awaiting_information"
DECLINED = "declined"
INELIGIBLE = "ineligible"
NOT_SCREENED = "not_screened"
EXPIRED = "expired"
OK_STATUSES = frozenset({ELIGIBLE, CLEARED})

# Physician decisions.
CLEAR = "cleared"
DECLINE = "declined"
MORE_INFO = "more_info"
RESOLVED = "resolved"
ENTERED_IN_ERROR = "entered_in_error"
LIFTS = frozenset({RESOLVED, ENTERED_IN_ERROR})

MAX_VALID_DAYS = 30
MAX_LASTING_CLEARANCE_DAYS = 180
MAX_SIGNOFF_DAYS = 180
SIGNOFF_PROCEDURES = frozenset({rules.MICRONEEDLING, rules.LLLT})


@dataclass(frozen=True)
class Policy:
    """The clinic's settings the lifecycle reads, passed in so the function stays pure."""

    tz: tzinfo
    valid_days: int = MAX_VALID_DAYS
    rescreen_days: Mapping[str, int] = field(default_factory=dict)
    ruleset_version: str = rules.RULESET_VERSION

    def rescreen_for(self, code: str) -> int:
        condition = rules.CATALOGUE_BY_CODE[code]
        return self.rescreen_days.get(code, condition.rescreen_days or rules.DEFAULT_RESCREEN_DAYS)

    def day(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()


@dataclass(frozen=True)
class ScreeningRecord:
    """One stored screening of one procedure, as the lifecycle needs it."""

    id: int | None
    at: datetime
    procedure: str
    answers: Mapping[str, bool | None]
    answered_at: Mapping[str, datetime]
    reasons: tuple[rules.Reason, ...]
    ruleset_version: str
    derived: Mapping[str, object] = field(default_factory=dict)
    details: Mapping[str, str] = field(default_factory=dict)

    def answer_time(self, code: str) -> datetime:
        return self.answered_at.get(code, self.at)


@dataclass(frozen=True)
class DecisionRecord:
    """A physician's decision on some reasons of one procedure, with the facts it saw."""

    id: int | None
    at: datetime
    procedure: str
    kind: str
    codes: tuple[str, ...]
    facts: Mapping[str, object] = field(default_factory=dict)
    details: Mapping[str, str] = field(default_factory=dict)
    until: date | None = None
    by: str = ""


@dataclass(frozen=True)
class SignOffRecord:
    """A physician's sign-off for same-day microneedling then LLLT on the patient's plan."""

    id: int | None
    at: datetime
    until: date
    ended_at: datetime | None = None
    by: str = ""


@dataclass(frozen=True)
class History:
    screenings: tuple[ScreeningRecord, ...] = ()
    decisions: tuple[DecisionRecord, ...] = ()
    signoffs: tuple[SignOffRecord, ...] = ()


@dataclass(frozen=True)
class Finding:
    """An exclude or review answer that stands until the lifecycle says it is over."""

    code: str
    severity: str
    label: str
    source: str
    temporary: bool
    found_at: datetime
    last_seen_at: datetime
    rescreen_on: date | None  # from this day a screening that no longer finds it ends it

    def reason(self) -> rules.Reason:
        return rules.Reason(
            code=self.code,
            severity=self.severity,
            label=self.label,
            source=self.source,
            temporary=self.temporary,
        )


@dataclass(frozen=True)
class Block:
    """One thing that stops a procedure, in plain words, with what lifts it and from when."""

    reason: rules.Reason
    lifted_by: str
    lifts_on: date | None = None
    decision: DecisionRecord | None = None


@dataclass(frozen=True)
class Assessment:
    procedure: str
    status: str
    blocks: tuple[Block, ...] = ()
    cautions: tuple[rules.Reason, ...] = ()
    screening: ScreeningRecord | None = None
    valid_through: date | None = None
    cleared_until: date | None = None
    clearances: tuple[DecisionRecord, ...] = ()
    decision: DecisionRecord | None = None

    @property
    def ok(self) -> bool:
        return self.status in OK_STATUSES

    @property
    def reasons(self) -> tuple[rules.Reason, ...]:
        return tuple(b.reason for b in self.blocks) + self.cautions


@dataclass(frozen=True)
class SignOffAssessment:
    needed: bool
    signoff: SignOffRecord | None = None

    @property
    def ok(self) -> bool:
        return not self.needed or self.signoff is not None


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def day_words(value: date) -> str:
    """A date as people at the desk say it: 8 Dec 2026."""
    return f"{value.day} {value:%b %Y}"


def valid_through(
    answered_at: Mapping[str, datetime], reasons: Iterable[rules.Reason], policy: Policy
) -> date | None:
    """The last day a screening counts: `valid_days` from its oldest answer (that day is day 1),
    and never past the day before a temporary finding is due to be re-checked."""
    if not answered_at:
        return None
    oldest = min(policy.day(moment) for moment in answered_at.values())
    last = oldest + timedelta(days=policy.valid_days - 1)
    for reason in reasons:
        if reason.temporary and reason.code in rules.CATALOGUE_BY_CODE:
            answered = policy.day(answered_at.get(reason.code, max(answered_at.values())))
            last = min(last, answered + timedelta(days=policy.rescreen_for(reason.code) - 1))
    return last


def _sorted_events(screenings, decisions) -> list[tuple[datetime, int, object]]:
    # A decision made at the same instant as a screening was made on it: the screening first.
    events = [(s.at, 0, s) for s in screenings] + [(d.at, 1, d) for d in decisions]
    return sorted(events, key=lambda e: (e[0], e[1], e[2].id or 0))


def _positive_findings(screening: ScreeningRecord) -> Iterable[rules.Reason]:
    for reason in screening.reasons:
        if reason.severity in (rules.EXCLUDE, rules.REVIEW) and (
            reason.code in rules.CATALOGUE_BY_CODE
        ):
            yield reason


def open_findings(
    screenings: Iterable[ScreeningRecord], decisions: Iterable[DecisionRecord], policy: Policy
) -> dict[str, Finding]:
    """Replay one procedure's screenings and decisions in time order: the findings still open.

    A finding opens at the first answer that found it; a later "no" ends a temporary finding
    only when it was given on or after the re-screen date; a physician's lift ends any finding
    seen up to that moment, and answers given before the lift never re-open it.
    """
    found: dict[str, Finding] = {}
    lifted_at: dict[str, datetime] = {}
    for _, _, event in _sorted_events(screenings, decisions):
        if isinstance(event, DecisionRecord):
            if event.kind in LIFTS:
                for code in event.codes:
                    found.pop(code, None)
                    lifted_at[code] = event.at
            continue
        _open_found(found, lifted_at, event, policy)
        _close_said_no(found, event, policy)
    return found


def _open_found(
    found: dict[str, Finding],
    lifted_at: Mapping[str, datetime],
    screening: ScreeningRecord,
    policy: Policy,
) -> None:
    """Open each finding of the screening, or see it again, unless a lift came after the answer."""
    for reason in _positive_findings(screening):
        seen = screening.answer_time(reason.code)
        if reason.code in lifted_at and seen <= lifted_at[reason.code]:
            continue
        earlier = found.get(reason.code)
        if earlier is not None and seen <= earlier.last_seen_at:
            continue
        rescreen_on = None
        if reason.temporary:
            rescreen_on = policy.day(seen) + timedelta(days=policy.rescreen_for(reason.code))
        found[reason.code] = Finding(
            code=reason.code,
            severity=reason.severity,
            label=reason.label,
            source=reason.source,
            temporary=reason.temporary,
            found_at=earlier.found_at if earlier else seen,
            last_seen_at=seen,
            rescreen_on=rescreen_on,
        )


def _close_said_no(found: dict[str, Finding], screening: ScreeningRecord, policy: Policy) -> None:
    """A "no" given after a temporary finding was last seen, from its re-screen date, ends it."""
    for code, finding in list(found.items()):
        if screening.answers.get(code) is not False or not finding.temporary:
            continue
        said_no = screening.answer_time(code)
        if said_no > finding.last_seen_at and policy.day(said_no) >= finding.rescreen_on:
            del found[code]


def _newest_decisions(decisions: Iterable[DecisionRecord]) -> dict[str, DecisionRecord]:
    newest: dict[str, DecisionRecord] = {}
    for decision in sorted(decisions, key=lambda d: (d.at, d.id or 0)):
        for code in decision.codes:
            newest[code] = decision
    return newest


def current_facts(screening: ScreeningRecord) -> dict[str, object]:
    """What a decision on each reason of this screening is bound to: the answer behind it (None
    for an unanswered question), or the derived fact (the age) behind a derived reason."""
    facts: dict[str, object] = {}
    for reason in screening.reasons:
        code = rules.answered_code(reason.code)
        if code is not None:
            facts[reason.code] = screening.answers.get(code)
        else:
            facts[reason.code] = screening.derived.get("age")
    return facts


def _exclusion_block(finding: Finding) -> Block:
    if finding.temporary:
        lifted_by = (
            f"{upper_first(finding.label)}: stands until a check-in or intake from "
            f"{day_words(finding.rescreen_on)} no longer finds it, or a physician records it "
            "resolved on examination or entered in error."
        )
        return Block(finding.reason(), lifted_by, finding.rescreen_on)
    lifted_by = (
        f"{upper_first(finding.label)}: lasting; only a physician can lift it (resolved on "
        "examination or entered in error)."
    )
    return Block(finding.reason(), lifted_by)


def is_temporary_reason(code: str) -> bool:
    """A reason whose clearance lasts a screening's validity at most: a temporary condition,
    an unanswered question or a derived fact; a lasting condition's lasts 180 days at most."""
    condition = rules.CATALOGUE_BY_CODE.get(code)
    return condition is None or condition.temporary


def clearance_ends(decision: DecisionRecord, code: str, policy: Policy) -> date | None:
    """The last day a clearance counts for a reason: its date, within rule 3's caps (so one
    stored before the caps existed counts no longer than they allow)."""
    if decision.until is None:
        return None
    days = policy.valid_days - 1 if is_temporary_reason(code) else MAX_LASTING_CLEARANCE_DAYS
    return min(decision.until, policy.day(decision.at) + timedelta(days=days))


def _review_block(
    reason: rules.Reason,
    decision: DecisionRecord | None,
    latest: ScreeningRecord,
    on: date,
    policy: Policy,
) -> tuple[Block | None, str]:
    """None when a decision in force covers the reason; else the block and the status it gives."""
    label = upper_first(reason.label)
    if decision is not None and decision.kind == CLEAR:
        same_facts = (
            reason.code in decision.facts
            and decision.facts[reason.code] == current_facts(latest).get(reason.code)
            and dict(decision.details) == dict(latest.details)
        )
        ends = clearance_ends(decision, reason.code, policy)
        if same_facts and ends is not None and ends >= on:
            return None, CLEARED
        if not same_facts:
            decided = day_words(decision.at.date())
            why = f"{label}: the answers changed since the clearance of {decided}"
        else:
            why = f"{label}: the clearance ran out on {day_words(ends)}"
        return Block(reason, f"{why}; a physician must decide again.", decision=decision), (
            NEEDS_REVIEW
        )
    if decision is not None and decision.kind == MORE_INFO and decision.at >= latest.at:
        return Block(
            reason,
            f"{label}: the physician asked for more information; update the intake.",
            decision=decision,
        ), AWAITING_INFORMATION
    return Block(reason, f"{label}: a physician must review it."), NEEDS_REVIEW


@dataclass(frozen=True)
class _Case:
    """One screened procedure's history on a day, as the steps of `assess_procedure` read it."""

    procedure: str
    latest: ScreeningRecord
    findings: Mapping[str, Finding]
    newest: Mapping[str, DecisionRecord]  # the newest decision on each reason
    last_day: date | None  # the latest screening's `valid_through`
    on: date
    policy: Policy

    def verdict(self, status: str, blocks: Iterable[Block] = (), **fields) -> Assessment:
        """An assessment of the latest screening, with its cautions, whatever the status."""
        cautions = tuple(r for r in self.latest.reasons if r.severity == rules.CAUTION)
        return Assessment(
            self.procedure,
            status,
            tuple(blocks),
            cautions,
            screening=self.latest,
            valid_through=self.last_day,
            **fields,
        )


def assess_procedure(history: History, procedure: str, on: date, policy: Policy) -> Assessment:
    """The status of one procedure on `on`, why, and what lifts it and when.

    The first step that stops the procedure gives the status: an exclusion, then a decline,
    then a screening that no longer counts, then the reasons a physician must review.
    """
    screenings = sorted(
        (s for s in history.screenings if s.procedure == procedure), key=lambda s: (s.at, s.id or 0)
    )
    decisions = [d for d in history.decisions if d.procedure == procedure]
    if not screenings:
        return Assessment(procedure, NOT_SCREENED)
    latest = screenings[-1]
    case = _Case(
        procedure=procedure,
        latest=latest,
        findings=open_findings(screenings, decisions, policy),
        newest=_newest_decisions(decisions),
        last_day=valid_through(latest.answered_at, latest.reasons, policy),
        on=on,
        policy=policy,
    )
    for step in (_excluded, _declined, _expired):
        verdict = step(case)
        if verdict is not None:
            return verdict
    return _reviewed(case)


def _excluded(case: _Case) -> Assessment | None:
    """Open exclusions (rule 2) and unanswered exclusion questions (rule 5)."""
    blocks = [_exclusion_block(f) for f in case.findings.values() if f.severity == rules.EXCLUDE]
    blocks += [
        Block(r, f"{upper_first(r.label)}: answer the question; a physician cannot clear it.")
        for r in case.latest.reasons
        if r.severity == rules.EXCLUDE and r.code not in rules.CATALOGUE_BY_CODE
    ]
    return case.verdict(INELIGIBLE, blocks) if blocks else None


def _declined(case: _Case) -> Assessment | None:
    """A decline stands across new screenings (rule 4)."""
    declines = {code: d for code, d in case.newest.items() if d.kind == DECLINE}
    if not declines:
        return None
    decision = max(declines.values(), key=lambda d: (d.at, d.id or 0))
    blocks = [
        Block(
            _declined_reason(code, case.latest, case.findings),
            f"Declined by {decision.by or 'a physician'} on {day_words(decision.at.date())}; "
            "stands until a physician decides otherwise.",
            decision=decision,
        )
        for code in sorted(declines)
    ]
    return case.verdict(DECLINED, blocks, decision=decision)


def _expired(case: _Case) -> Assessment | None:
    """A screening on older rules (rule 8) or past its validity (rule 1) no longer counts."""
    if case.latest.ruleset_version != case.policy.ruleset_version:
        block = Block(
            rules.Reason("rules_changed", rules.REVIEW, "screened under earlier rules", ""),
            "The rules changed since this screening; re-screen (a new intake).",
        )
    elif case.last_day is None or case.last_day < case.on:
        block = Block(
            rules.Reason("expired", rules.REVIEW, "screening out of date", ""),
            f"The screening was valid through {day_words(case.last_day)}; take a new intake to "
            "re-screen."
            if case.last_day
            else "Take a new intake to re-screen.",
        )
    else:
        return None
    return case.verdict(EXPIRED, (block,))


def _reviewed(case: _Case) -> Assessment:
    """The review reasons: each cleared by a decision in force (rule 3), or a block."""
    reviews = _review_reasons(case.latest, case.findings)
    blocks, statuses, clearances = [], set(), []
    for reason in reviews:
        decision = case.newest.get(reason.code)
        block, status = _review_block(reason, decision, case.latest, case.on, case.policy)
        statuses.add(status)
        if block is None:
            clearances.append(decision)
        else:
            blocks.append(block)
    if blocks:
        status = NEEDS_REVIEW if NEEDS_REVIEW in statuses else AWAITING_INFORMATION
        return case.verdict(status, blocks)
    if clearances:
        return _cleared(case, reviews, clearances)
    return case.verdict(ELIGIBLE)


def _cleared(
    case: _Case, reviews: Iterable[rules.Reason], clearances: list[DecisionRecord]
) -> Assessment:
    """Every review reason cleared: cleared until the first of the clearances ends."""
    until = min(
        clearance_ends(case.newest[r.code], r.code, case.policy)
        for r in reviews
        if case.newest.get(r.code) in clearances
    )
    return case.verdict(
        CLEARED,
        cleared_until=until,
        clearances=tuple({c.id: c for c in clearances}.values()),
        decision=max(clearances, key=lambda d: (d.at, d.id or 0)),
    )


def _declined_reason(code: str, latest: ScreeningRecord, findings: Mapping[str, Finding]):
    if code in findings:
        return findings[code].reason()
    for reason in latest.reasons:
        if reason.code == code:
            return reason
    condition = rules.CATALOGUE_BY_CODE.get(code)
    label = condition.label if condition else code.replace("_", " ")
    return rules.Reason(code, rules.REVIEW, label, condition.source if condition else "")


def _review_reasons(latest: ScreeningRecord, findings: Mapping[str, Finding]) -> list[rules.Reason]:
    """Open review findings (however the newest answers read), and the latest screening's
    unanswered and derived review reasons, which hold only while they are still true."""
    reasons = {f.code: f.reason() for f in findings.values() if f.severity == rules.REVIEW}
    for reason in latest.reasons:
        if reason.severity == rules.REVIEW and reason.code not in rules.CATALOGUE_BY_CODE:
            reasons.setdefault(reason.code, reason)
    return list(reasons.values())


def assess_signoff(
    history: History, procedures: Iterable[str], on: date, now: datetime
) -> SignOffAssessment:
    """Same-day microneedling then LLLT needs a physician's sign-off in force on `on`."""
    if not set(procedures) >= SIGNOFF_PROCEDURES:
        return SignOffAssessment(needed=False)
    in_force = [
        s
        for s in history.signoffs
        if s.at <= now and s.until >= on and (s.ended_at is None or s.ended_at > now)
    ]
    newest = max(in_force, key=lambda s: (s.at, s.id or 0), default=None)
    return SignOffAssessment(needed=True, signoff=newest)


def assess(
    history: History, procedures: Iterable[str], on: date, policy: Policy, now: datetime
) -> tuple[tuple[Assessment, ...], SignOffAssessment]:
    """Every procedure of a session type, and the sign-off the combination needs."""
    procedures = tuple(procedures)
    return (
        tuple(assess_procedure(history, p, on, policy) for p in procedures),
        assess_signoff(history, procedures, on, now),
    )


STATUS_LABELS = MappingProxyType(
    {
        ELIGIBLE: "Eligible",
        CLEARED: "Cleared by physician",
        NEEDS_REVIEW: "Needs physician review",
        AWAITING_INFORMATION: "Physician asked for more information",
        DECLINED: "Declined by physician",
        INELIGIBLE: "Not eligible",
        NOT_SCREENED: "Not screened",
        EXPIRED: "Screening out of date",
    }
)
