"""The screening lifecycle (CLINICAL.md, ten rules) as a pure function: histories built by hand
with explicit times, no database, no clock. One or more tests per rule, named after it."""

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from eligibility import lifecycle, rules
from eligibility.lifecycle import (
    AWAITING_INFORMATION,
    CLEAR,
    CLEARED,
    DECLINE,
    DECLINED,
    ELIGIBLE,
    ENTERED_IN_ERROR,
    EXPIRED,
    INELIGIBLE,
    MORE_INFO,
    NEEDS_REVIEW,
    NOT_SCREENED,
    RESOLVED,
    DecisionRecord,
    History,
    Policy,
    ScreeningRecord,
    SignOffRecord,
)

MN, PRP, LLLT = rules.MICRONEEDLING, rules.PRP, rules.LLLT
POLICY = Policy(tz=UTC)
DAY0 = date(2026, 3, 1)
ADULT = 40


def day(n: int) -> date:
    return DAY0 + timedelta(days=n)


def moment(n: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day(n), time(hour, minute), tzinfo=UTC)


def answers_with(yes=(), unanswered=()) -> dict[str, bool | None]:
    answers: dict[str, bool | None] = dict.fromkeys(rules.CATALOGUE_BY_CODE, False)
    answers.update(dict.fromkeys(yes, True))
    answers.update(dict.fromkeys(unanswered, None))
    return answers


_ids = iter(range(1, 10**6))


def screening(
    procedure: str,
    at: datetime,
    *,
    yes=(),
    unanswered=(),
    age: int | None = ADULT,
    answered_at: dict[str, datetime] | None = None,
    version: str = rules.RULESET_VERSION,
    details: dict[str, str] | None = None,
) -> ScreeningRecord:
    """One procedure's screening as the services store it: every answer timed at `at` unless
    `answered_at` says otherwise (a check-in renews only the day-of answers)."""
    answers = answers_with(yes, unanswered)
    outcome = rules.evaluate(answers, procedure, age=age)
    times = dict.fromkeys(answers, at) | (answered_at or {})
    return ScreeningRecord(
        id=next(_ids),
        at=at,
        procedure=procedure,
        answers=answers,
        answered_at=times,
        reasons=outcome.reasons,
        ruleset_version=version,
        derived={"age": age},
        details=details or {},
    )


def check_in(previous: ScreeningRecord, at: datetime, **day_of: bool) -> ScreeningRecord:
    """A day-of re-screen: the previous answers as old as they were, the day-of ones now."""
    answers = dict(previous.answers) | day_of
    outcome = rules.evaluate(answers, previous.procedure, age=previous.derived.get("age"))
    return ScreeningRecord(
        id=next(_ids),
        at=at,
        procedure=previous.procedure,
        answers=answers,
        answered_at=dict(previous.answered_at) | dict.fromkeys(day_of, at),
        reasons=outcome.reasons,
        ruleset_version=previous.ruleset_version,
        derived=previous.derived,
        details=previous.details,
    )


def decision(
    kind: str,
    on: ScreeningRecord,
    at: datetime,
    codes,
    *,
    until: date | None = None,
) -> DecisionRecord:
    """A physician's decision on `codes`, bound to the facts of the screening it was taken on."""
    facts = lifecycle.current_facts(on)
    return DecisionRecord(
        id=next(_ids),
        at=at,
        procedure=on.procedure,
        kind=kind,
        codes=tuple(codes),
        facts={c: facts.get(c) for c in codes},
        details=dict(on.details),
        until=until,
        by="Dr Test",
    )


def assess(*events, on: date, procedure: str | None = None, policy: Policy = POLICY):
    screenings = tuple(e for e in events if isinstance(e, ScreeningRecord))
    decisions = tuple(e for e in events if isinstance(e, DecisionRecord))
    procedure = procedure or screenings[0].procedure
    history = History(screenings=screenings, decisions=decisions)
    return lifecycle.assess_procedure(history, procedure, on, policy)


def codes(assessment) -> list[str]:
    return [b.reason.code for b in assessment.blocks]


def test_no_screening_is_not_screened():
    assert lifecycle.assess_procedure(History(), MN, day(0), POLICY).status == NOT_SCREENED


# ---- 1. Answers age ------------------------------------------------------------------------


def test_rule_1_valid_for_30_days_counting_the_answer_day():
    # Answered 1 March: valid through 30 March, out of date on 31 March.
    intake = screening(MN, moment(0))
    assert lifecycle.valid_through(intake.answered_at, intake.reasons, POLICY) == date(2026, 3, 30)
    assert assess(intake, on=date(2026, 3, 30)).status == ELIGIBLE
    late = assess(intake, on=date(2026, 3, 31))
    assert late.status == EXPIRED
    assert late.valid_through == date(2026, 3, 30)
    assert codes(late) == ["expired"]


def test_rule_1_a_check_in_renews_only_the_day_of_answers():
    intake = screening(MN, moment(0))
    day_of = check_in(intake, moment(20), **dict.fromkeys(rules.DAY_OF_CODES, False))
    assert set(day_of.answered_at) == set(rules.CATALOGUE_BY_CODE)
    # Validity still runs from the oldest answer, the intake's.
    assert assess(intake, day_of, on=day(29)).status == ELIGIBLE
    assert assess(intake, day_of, on=day(29)).valid_through == day(29)
    assert assess(intake, day_of, on=day(30)).status == EXPIRED


def test_rule_1_the_answer_day_is_the_clinics_day():
    # 23:30 UTC on 1 March is already 2 March in a zone an hour ahead.
    late_evening = datetime.combine(day(0), time(23, 30), tzinfo=UTC)
    intake = screening(MN, late_evening)
    ahead = Policy(tz=timezone(timedelta(hours=1)))
    assert lifecycle.valid_through(intake.answered_at, (), POLICY) == day(29)
    assert lifecycle.valid_through(intake.answered_at, (), ahead) == day(30)


def test_rule_1_fewer_valid_days_by_setting():
    intake = screening(MN, moment(0))
    short = Policy(tz=UTC, valid_days=10)
    assert assess(intake, on=day(9), policy=short).status == ELIGIBLE
    assert assess(intake, on=day(10), policy=short).status == EXPIRED


def test_rule_1_a_temporary_finding_caps_validity_before_its_rescreen_date():
    sunburn = screening(MN, moment(0), yes=["recent_sunburn"])
    assert lifecycle.valid_through(sunburn.answered_at, sunburn.reasons, POLICY) == day(13)
    nsaid = screening(PRP, moment(0), yes=["nsaid_recent"])
    assert lifecycle.valid_through(nsaid.answered_at, nsaid.reasons, POLICY) == day(6)


# ---- 2. An exclusion stands until it is over -----------------------------------------------


def test_rule_2_a_later_no_before_the_rescreen_date_changes_nothing():
    intake = screening(MN, moment(0))
    yes = check_in(intake, moment(0, 10, 5), scalp_acne=True)
    no = check_in(yes, moment(0, 10, 7), scalp_acne=False)
    new_intake = screening(MN, moment(0, 11))
    for history in ((intake, yes, no), (intake, yes, no, new_intake)):
        verdict = assess(*history, on=day(0))
        assert verdict.status == INELIGIBLE
        assert codes(verdict) == ["scalp_acne"]
        assert verdict.blocks[0].lifts_on == day(14)
    # Still on day 13, with a fresh intake that says no.
    assert assess(intake, yes, screening(MN, moment(13)), on=day(13)).status == INELIGIBLE


def test_rule_2_a_no_on_or_after_the_rescreen_date_ends_a_temporary_exclusion():
    acne = screening(MN, moment(0), yes=["scalp_acne"])
    assert assess(acne, screening(MN, moment(14)), on=day(14)).status == ELIGIBLE
    # A screening from then on that still finds it renews the finding from its own day.
    still = screening(MN, moment(14), yes=["scalp_acne"])
    verdict = assess(acne, still, screening(MN, moment(20)), on=day(20))
    assert verdict.status == INELIGIBLE
    assert verdict.blocks[0].lifts_on == day(28)


def test_rule_2_the_rescreen_days_follow_the_code_and_the_setting():
    nsaid = screening(PRP, moment(0), yes=["nsaid_recent"])
    assert assess(nsaid, screening(PRP, moment(6)), on=day(6)).status == NEEDS_REVIEW
    assert assess(nsaid, screening(PRP, moment(7)), on=day(7)).status == ELIGIBLE
    acne = screening(MN, moment(0), yes=["scalp_acne"])
    five = Policy(tz=UTC, rescreen_days={"scalp_acne": 5})
    assert assess(acne, on=day(0), policy=five).blocks[0].lifts_on == day(5)
    assert assess(acne, screening(MN, moment(5)), on=day(5), policy=five).status == ELIGIBLE


def test_rule_2_a_lasting_exclusion_holds_until_a_physician_lifts_it():
    bleeding = screening(PRP, moment(0), yes=["bleeding_disorder"])
    later = screening(PRP, moment(100))
    verdict = assess(bleeding, later, on=day(100))
    assert verdict.status == INELIGIBLE
    assert verdict.blocks[0].lifts_on is None
    assert "only a physician can lift it" in verdict.blocks[0].lifted_by


@pytest.mark.parametrize("kind", [RESOLVED, ENTERED_IN_ERROR])
def test_rule_2_a_physician_lift_ends_a_finding_and_older_answers_never_reopen_it(kind):
    intake = screening(MN, moment(0))
    yes = check_in(intake, moment(0, 10, 5), scalp_acne=True)
    lift = decision(kind, yes, moment(0, 10, 30), ["scalp_acne"])
    assert assess(intake, yes, lift, on=day(0)).status == ELIGIBLE
    # A check-in carrying the same (older) yes forward does not reopen it ...
    carried = check_in(yes, moment(0, 11), scalp_wound=False)
    assert carried.answers["scalp_acne"] is True
    assert assess(intake, yes, lift, carried, on=day(0)).status == ELIGIBLE
    # ... a new yes does.
    again = check_in(carried, moment(0, 12), scalp_acne=True)
    assert assess(intake, yes, lift, carried, again, on=day(0)).status == INELIGIBLE


def test_rule_2_a_clearance_or_a_no_never_lifts_an_exclusion():
    acne = screening(MN, moment(0), yes=["scalp_acne"])
    clear = decision(CLEAR, acne, moment(0, 11), ["scalp_acne"], until=day(5))
    assert assess(acne, clear, on=day(1)).status == INELIGIBLE


def test_rule_2_a_review_finding_also_stands_across_a_newer_no():
    thinners = screening(PRP, moment(0), yes=["anticoagulant"])
    verdict = assess(thinners, screening(PRP, moment(1)), on=day(1))
    assert verdict.status == NEEDS_REVIEW
    assert codes(verdict) == ["anticoagulant"]


# ---- 3. Decisions bind to facts ----------------------------------------------------------


def test_rule_3_a_clearance_covers_its_reason_until_its_date():
    thinners = screening(PRP, moment(0), yes=["anticoagulant"])
    clear = decision(CLEAR, thinners, moment(0, 11), ["anticoagulant"], until=day(10))
    verdict = assess(thinners, clear, on=day(10))
    assert verdict.status == CLEARED
    assert verdict.cleared_until == day(10)
    assert verdict.clearances == (clear,)
    ran_out = assess(thinners, clear, on=day(11))
    assert ran_out.status == NEEDS_REVIEW
    assert "ran out" in ran_out.blocks[0].lifted_by


def test_rule_3_a_clearance_carries_to_a_new_screening_with_the_same_facts():
    thinners = screening(PRP, moment(0), yes=["anticoagulant"], details={"medications": "apixaban"})
    clear = decision(CLEAR, thinners, moment(0, 11), ["anticoagulant"], until=day(100))
    again = screening(PRP, moment(20), yes=["anticoagulant"], details={"medications": "apixaban"})
    assert assess(thinners, clear, again, on=day(20)).status == CLEARED


def test_rule_3_changed_free_text_needs_a_new_decision():
    thinners = screening(PRP, moment(0), yes=["anticoagulant"], details={"medications": "apixaban"})
    clear = decision(CLEAR, thinners, moment(0, 11), ["anticoagulant"], until=day(100))
    changed = screening(PRP, moment(20), yes=["anticoagulant"], details={"medications": "warfarin"})
    verdict = assess(thinners, clear, changed, on=day(20))
    assert verdict.status == NEEDS_REVIEW
    assert "answers changed" in verdict.blocks[0].lifted_by


def test_rule_3_a_changed_answer_behind_a_cleared_reason_needs_a_new_decision():
    thinners = screening(PRP, moment(0), yes=["anticoagulant"])
    clear = decision(CLEAR, thinners, moment(0, 11), ["anticoagulant"], until=day(100))
    # The finding stands (lasting), but the answer behind it is now "no": not what was cleared.
    stopped = screening(PRP, moment(20))
    assert assess(thinners, clear, stopped, on=day(20)).status == NEEDS_REVIEW


def test_rule_3_a_clearance_covers_only_the_procedure_it_names():
    mn = screening(MN, moment(0), yes=["anticoagulant"])
    prp = screening(PRP, moment(0), yes=["anticoagulant"])
    clear = decision(CLEAR, prp, moment(0, 11), ["anticoagulant"], until=day(10))
    assert assess(mn, prp, clear, on=day(1), procedure=PRP).status == CLEARED
    assert assess(mn, prp, clear, on=day(1), procedure=MN).status == NEEDS_REVIEW


def test_rule_3_a_clearance_covers_only_the_reasons_it_names():
    both = screening(MN, moment(0), yes=["anticoagulant", "keloid_tendency"])
    clear = decision(CLEAR, both, moment(0, 11), ["anticoagulant"], until=day(10))
    verdict = assess(both, clear, on=day(1))
    assert verdict.status == NEEDS_REVIEW
    assert codes(verdict) == ["keloid_tendency"]


def test_rule_3_an_under_18_clearance_binds_to_the_age():
    minor = screening(MN, moment(0), age=16)
    clear = decision(CLEAR, minor, moment(0, 11), ["under_18"], until=day(20))
    assert assess(minor, clear, on=day(1)).status == CLEARED
    corrected = screening(MN, moment(2), age=15)
    assert assess(minor, clear, corrected, on=day(2)).status == NEEDS_REVIEW


def test_rule_3_a_stored_clearance_never_lasts_longer_than_the_rule_allows():
    # Clearances stored before the caps (the old form allowed a year) count only as long as
    # rule 3 allows: a temporary reason at most a screening's validity, a lasting one 180 days.
    sunburn = screening(MN, moment(0), yes=["recent_sunburn"])
    year = decision(CLEAR, sunburn, moment(0, 11), ["recent_sunburn"], until=day(366))
    again = screening(MN, moment(35), yes=["recent_sunburn"])
    assert assess(sunburn, year, again, on=day(35)).status == NEEDS_REVIEW
    thinners = screening(PRP, moment(0), yes=["anticoagulant"])
    long = decision(CLEAR, thinners, moment(0, 11), ["anticoagulant"], until=day(400))
    later = screening(PRP, moment(250), yes=["anticoagulant"])
    assert assess(thinners, long, later, on=day(250)).status == NEEDS_REVIEW


# ---- 4. The newest decision wins; a decline stands -----------------------------------------


def test_rule_4_a_decline_stands_across_new_screenings():
    thinners = screening(PRP, moment(0), yes=["anticoagulant"])
    decline = decision(DECLINE, thinners, moment(0, 11), ["anticoagulant"])
    same = screening(PRP, moment(5), yes=["anticoagulant"])
    clean = screening(PRP, moment(6))
    for history in ((thinners, decline), (thinners, decline, same), (thinners, decline, clean)):
        verdict = assess(*history, on=day(6))
        assert verdict.status == DECLINED
        assert verdict.decision == decline
        assert "stands until a physician decides otherwise" in verdict.blocks[0].lifted_by


def test_rule_4_a_clearance_older_than_a_decline_never_counts_again():
    thinners = screening(PRP, moment(0), yes=["anticoagulant"])
    clear = decision(CLEAR, thinners, moment(0, 11), ["anticoagulant"], until=day(100))
    again = screening(PRP, moment(5), yes=["anticoagulant"])
    decline = decision(DECLINE, again, moment(5, 11), ["anticoagulant"])
    third = screening(PRP, moment(10), yes=["anticoagulant"])
    assert assess(thinners, clear, again, decline, third, on=day(10)).status == DECLINED


def test_rule_4_a_newer_decision_replaces_a_decline():
    thinners = screening(PRP, moment(0), yes=["anticoagulant"])
    decline = decision(DECLINE, thinners, moment(0, 11), ["anticoagulant"])
    clear = decision(CLEAR, thinners, moment(1), ["anticoagulant"], until=day(30))
    assert assess(thinners, decline, clear, on=day(2)).status == CLEARED


def test_rule_4_more_information_holds_until_new_answers():
    keloid = screening(MN, moment(0), yes=["keloid_tendency"])
    ask = decision(MORE_INFO, keloid, moment(0, 11), ["keloid_tendency"])
    assert assess(keloid, ask, on=day(1)).status == AWAITING_INFORMATION
    answered = screening(MN, moment(2), yes=["keloid_tendency"])
    assert assess(keloid, ask, answered, on=day(2)).status == NEEDS_REVIEW


# ---- 5. Unanswered is not "no" -------------------------------------------------------------


def test_rule_5_an_unanswered_exclusion_question_blocks_and_cannot_be_cleared():
    blank = screening(MN, moment(0), unanswered=["scalp_wound"])
    verdict = assess(blank, on=day(0))
    assert verdict.status == INELIGIBLE
    assert codes(verdict) == ["unanswered:scalp_wound"]
    assert "a physician cannot clear it" in verdict.blocks[0].lifted_by
    clear = decision(CLEAR, blank, moment(0, 11), ["unanswered:scalp_wound"], until=day(5))
    assert assess(blank, clear, on=day(1)).status == INELIGIBLE
    assert assess(blank, screening(MN, moment(1)), on=day(1)).status == ELIGIBLE


def test_rule_5_each_unanswered_review_question_is_its_own_reason():
    blank = screening(MN, moment(0), unanswered=["herpes_history", "nickel_allergy"])
    assert codes(assess(blank, on=day(0))) == [
        "unanswered:herpes_history",
        "unanswered:nickel_allergy",
    ]
    clear = decision(CLEAR, blank, moment(0, 11), ["unanswered:herpes_history"], until=day(5))
    verdict = assess(blank, clear, on=day(1))
    assert verdict.status == NEEDS_REVIEW
    assert codes(verdict) == ["unanswered:nickel_allergy"]


def test_rule_5_answering_the_question_ends_the_unanswered_reason():
    blank = screening(MN, moment(0), unanswered=["herpes_history"])
    assert assess(blank, screening(MN, moment(1)), on=day(1)).status == ELIGIBLE


# ---- 6. Every step re-checks --------------------------------------------------------------


def test_rule_6_the_same_question_on_the_sessions_day_sees_everything_recorded_since():
    # Checked in eligible at 09:00; a decline at 09:30 stops the start at 10:00.
    thinners = screening(PRP, moment(0, 8), yes=["anticoagulant"])
    clear = decision(CLEAR, thinners, moment(0, 8, 30), ["anticoagulant"], until=day(30))
    day_of = check_in(thinners, moment(0, 9), **dict.fromkeys(rules.DAY_OF_CODES, False))
    assert assess(thinners, clear, day_of, on=day(0)).ok
    decline = decision(DECLINE, day_of, moment(0, 9, 30), ["anticoagulant"])
    assert assess(thinners, clear, day_of, decline, on=day(0)).status == DECLINED
    # And a new exclusion recorded after check-in.
    wound = check_in(day_of, moment(0, 9, 45), scalp_wound=True)
    assert assess(thinners, clear, day_of, wound, on=day(0)).status == INELIGIBLE


def test_rule_6_the_answer_depends_only_on_the_history_and_the_day():
    acne = screening(MN, moment(0), yes=["scalp_acne"])
    clean = screening(MN, moment(14))
    first = assess(acne, clean, on=day(14))
    assert assess(clean, acne, on=day(14)) == first


# ---- 7. Changed facts re-screen -------------------------------------------------------------


def test_rule_7_a_corrected_birth_date_counts_from_the_new_screening():
    adult = screening(LLLT, moment(0))
    assert assess(adult, on=day(0)).status == ELIGIBLE
    corrected = screening(LLLT, moment(0, 12), age=16)
    verdict = assess(adult, corrected, on=day(0))
    assert verdict.status == NEEDS_REVIEW
    assert codes(verdict) == ["under_18"]


def test_rule_7_a_corrected_birth_date_to_an_adult_ends_the_under_18_reason():
    minor = screening(MN, moment(0), age=16)
    corrected = screening(MN, moment(0, 12), age=30)
    assert assess(minor, corrected, on=day(0)).status == ELIGIBLE


# ---- 8. Rules change ------------------------------------------------------------------------


def test_rule_8_a_latest_screening_on_older_rules_does_not_count():
    old = screening(MN, moment(0), version="2026.11.1")
    verdict = assess(old, on=day(0))
    assert verdict.status == EXPIRED
    assert codes(verdict) == ["rules_changed"]
    rescreened = screening(MN, moment(0, 12))
    assert assess(old, rescreened, on=day(0)).status == ELIGIBLE


def test_rule_8_findings_of_an_old_screening_still_stand():
    old = screening(MN, moment(0), yes=["scalp_acne"], version="2026.11.1")
    rescreened = screening(MN, moment(0, 12))
    assert assess(old, rescreened, on=day(0)).status == INELIGIBLE


# ---- 9. Missing facts --------------------------------------------------------------------


@pytest.mark.parametrize("procedure", rules.PROCEDURES)
def test_rule_9_an_unknown_age_needs_review_for_every_procedure(procedure):
    unknown = screening(procedure, moment(0), age=None)
    verdict = assess(unknown, on=day(0))
    assert verdict.status == NEEDS_REVIEW
    assert codes(verdict) == ["age_unknown"]
    assert unknown.derived["age"] is None
    clear = decision(CLEAR, unknown, moment(0, 11), ["age_unknown"], until=day(10))
    assert assess(unknown, clear, on=day(1)).status == CLEARED


# ---- 10. Same-day microneedling then LLLT -----------------------------------------------------


def signoff(at: datetime, until: date, ended_at: datetime | None = None) -> SignOffRecord:
    return SignOffRecord(id=next(_ids), at=at, until=until, ended_at=ended_at, by="Dr Test")


def test_rule_10_only_microneedling_with_lllt_needs_a_signoff():
    history = History()
    for procedures in ([MN], [LLLT], [PRP, MN], [PRP]):
        assert lifecycle.assess_signoff(history, procedures, day(0), moment(0)).ok
    needed = lifecycle.assess_signoff(history, [MN, LLLT], day(0), moment(0))
    assert needed.needed and not needed.ok


def test_rule_10_a_signoff_in_force_allows_it_until_its_day():
    signed = signoff(moment(0), until=day(180))
    history = History(signoffs=(signed,))
    assert lifecycle.assess_signoff(history, [MN, LLLT], day(180), moment(1)).signoff == signed
    assert not lifecycle.assess_signoff(history, [MN, LLLT], day(181), moment(1)).ok


def test_rule_10_an_ended_or_future_signoff_does_not_count():
    ended = signoff(moment(0), until=day(180), ended_at=moment(5))
    history = History(signoffs=(ended,))
    assert lifecycle.assess_signoff(history, [MN, LLLT], day(10), moment(4)).ok
    assert not lifecycle.assess_signoff(history, [MN, LLLT], day(10), moment(5)).ok
    later = History(signoffs=(signoff(moment(3), until=day(180)),))
    assert not lifecycle.assess_signoff(later, [MN, LLLT], day(10), moment(2)).ok


def test_rule_10_assess_gives_each_procedure_and_the_signoff():
    mn, lllt = screening(MN, moment(0)), screening(LLLT, moment(0))
    history = History(screenings=(mn, lllt))
    verdicts, needed = lifecycle.assess(history, [MN, LLLT], day(1), POLICY, moment(1))
    assert [v.status for v in verdicts] == [ELIGIBLE, ELIGIBLE]
    assert not needed.ok
