"""The contraindication rules against CLINICAL.md, written out here independently of the code."""

import ast
import inspect
from types import MappingProxyType

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from eligibility import rules
from eligibility.rules import (
    CATALOGUE,
    CATALOGUE_BY_CODE,
    CAUTION,
    DAY_OF_CODES,
    ELIGIBLE,
    EXCLUDE,
    INELIGIBLE,
    LLLT,
    MICRONEEDLING,
    NEEDS_REVIEW,
    PROCEDURES,
    PRP,
    REVIEW,
)
from intake import questionnaire

MN = MICRONEEDLING
# An adult, unless a test says otherwise: no age means "age unknown", a review of its own
# (CLINICAL.md screening lifecycle 9).
ADULT_AGE = 40


def evaluate(answers, procedure, **derived):
    derived.setdefault("age", ADULT_AGE)
    return rules.evaluate(answers, procedure, **derived)


# CLINICAL.md's catalogue, copied by hand: code -> {procedure: severity, or None for "—"}.
TABLE: dict[str, dict[str, str | None]] = {
    "scalp_wound": {MN: EXCLUDE, PRP: EXCLUDE, LLLT: EXCLUDE},
    "scalp_acne": {MN: EXCLUDE, PRP: EXCLUDE, LLLT: EXCLUDE},
    "acute_infection": {MN: EXCLUDE, PRP: EXCLUDE, LLLT: EXCLUDE},
    "scalp_inflammation": {MN: EXCLUDE, PRP: EXCLUDE, LLLT: EXCLUDE},
    "active_cold_sore": {MN: EXCLUDE, PRP: EXCLUDE, LLLT: None},
    "herpes_history": {MN: REVIEW, PRP: None, LLLT: None},
    "pregnant_or_breastfeeding": {MN: EXCLUDE, PRP: EXCLUDE, LLLT: EXCLUDE},
    "bleeding_disorder": {MN: EXCLUDE, PRP: EXCLUDE, LLLT: None},
    "platelet_disorder": {MN: REVIEW, PRP: EXCLUDE, LLLT: None},
    "anticoagulant": {MN: REVIEW, PRP: REVIEW, LLLT: None},
    "nsaid_recent": {MN: None, PRP: REVIEW, LLLT: None},
    "systemic_steroids": {MN: None, PRP: REVIEW, LLLT: None},
    "isotretinoin_recent": {MN: REVIEW, PRP: None, LLLT: None},
    "keloid_tendency": {MN: REVIEW, PRP: REVIEW, LLLT: None},
    "active_cancer": {MN: REVIEW, PRP: REVIEW, LLLT: REVIEW},
    "scalp_lesion": {MN: REVIEW, PRP: None, LLLT: REVIEW},
    "immunosuppressed": {MN: REVIEW, PRP: REVIEW, LLLT: None},
    "poor_wound_healing": {MN: REVIEW, PRP: None, LLLT: None},
    "anemia": {MN: None, PRP: REVIEW, LLLT: None},
    "photosensitivity": {MN: None, PRP: None, LLLT: EXCLUDE},
    "nickel_allergy": {MN: REVIEW, PRP: None, LLLT: None},
    "anesthetic_allergy": {MN: REVIEW, PRP: None, LLLT: None},
    "recent_sunburn": {MN: REVIEW, PRP: None, LLLT: REVIEW},
    "smoker": {MN: None, PRP: CAUTION, LLLT: None},
}
TEMPORARY = {
    "scalp_wound",
    "scalp_acne",
    "acute_infection",
    "scalp_inflammation",
    "active_cold_sore",
    "pregnant_or_breastfeeding",
    "nsaid_recent",
    "systemic_steroids",
    "isotretinoin_recent",
    "anemia",
    "recent_sunburn",
}
CLINIC_CONDITIONS = ("scalp_wound", "scalp_acne", "acute_infection", "scalp_inflammation")
DAY_OF = {*CLINIC_CONDITIONS, "active_cold_sore", "recent_sunburn"}
SCALP_TODAY = DAY_OF | {"scalp_lesion"}
MEDICATIONS = {"anticoagulant", "nsaid_recent", "systemic_steroids", "isotretinoin_recent"}
STATUS_FOR_SEVERITY = {EXCLUDE: INELIGIBLE, REVIEW: NEEDS_REVIEW, CAUTION: ELIGIBLE, None: ELIGIBLE}
RANK = {ELIGIBLE: 0, NEEDS_REVIEW: 1, INELIGIBLE: 2}
ALL_GRADES = [(scale, grade) for scale, grades in rules.GRADES_BY_SCALE.items() for grade in grades]


def all_no(**overrides: bool | None) -> dict[str, bool | None]:
    return dict.fromkeys(TABLE, False) | overrides


def codes(outcome: rules.Outcome, *severities: str) -> list[str]:
    return [r.code for r in outcome.reasons if not severities or r.severity in severities]


def cautions(outcome: rules.Outcome) -> list[rules.Reason]:
    return [r for r in outcome.reasons if r.severity == CAUTION]


# The catalogue against the table


def test_catalogue_has_exactly_the_tables_codes_in_its_order():
    assert set(CATALOGUE_BY_CODE) == set(TABLE)
    assert [c.code for c in CATALOGUE] == list(TABLE)


@pytest.mark.parametrize("procedure", PROCEDURES)
@pytest.mark.parametrize("code", list(TABLE))
def test_one_yes_gives_the_tables_severity(code, procedure):
    expected = TABLE[code][procedure]
    outcome = evaluate(all_no(**{code: True}), procedure)
    assert outcome.status == STATUS_FOR_SEVERITY[expected]
    if expected is None:
        assert outcome.reasons == ()
    else:
        assert [(r.code, r.severity) for r in outcome.reasons] == [(code, expected)]


@pytest.mark.parametrize("procedure", PROCEDURES)
def test_all_no_is_eligible_with_no_reasons(procedure):
    outcome = evaluate(all_no(), procedure)
    assert outcome == rules.Outcome(procedure, ELIGIBLE, (), None)


@pytest.mark.parametrize("condition", CATALOGUE, ids=lambda c: c.code)
def test_every_condition_is_described_and_sourced(condition):
    assert condition.question.strip() and condition.question.endswith("?")
    assert condition.question[0].isupper()
    assert condition.label.strip() and condition.label == condition.label.lower()
    assert condition.source.strip()
    assert condition.section in dict(rules.SECTIONS)
    assert set(condition.severities) == {p for p, s in TABLE[condition.code].items() if s}
    for procedure in PROCEDURES:
        assert condition.applies_to(procedure) == (TABLE[condition.code][procedure] is not None)


def test_sections():
    assert [key for key, _ in rules.SECTIONS] == ["medical", "medications", "scalp_today"]
    for condition in CATALOGUE:
        expected = (
            "scalp_today"
            if condition.code in SCALP_TODAY
            else "medications"
            if condition.code in MEDICATIONS
            else "medical"
        )
        assert condition.section == expected, condition.code


def test_day_of_codes_are_the_six_from_clinical_md():
    assert len(DAY_OF_CODES) == len(DAY_OF) == 6
    assert set(DAY_OF_CODES) == DAY_OF
    assert {c.code for c in CATALOGUE if c.day_of} == DAY_OF


def test_temporary_conditions_and_rescreen_days():
    assert {c.code for c in CATALOGUE if c.temporary} == TEMPORARY
    special = {"nsaid_recent": 7, "systemic_steroids": 14}
    for condition in CATALOGUE:
        if condition.temporary:
            assert condition.rescreen_days == special.get(condition.code, 14), condition.code
        else:
            assert condition.rescreen_days is None, condition.code


def test_anticoagulant_while_taken_is_not_temporary():
    assert CATALOGUE_BY_CODE["anticoagulant"].temporary is False


def test_public_mappings_are_read_only():
    for mapping in (
        rules.PROCEDURE_LABELS,
        CATALOGUE_BY_CODE,
        rules.GRADES_BY_SCALE,
        CATALOGUE[0].severities,
    ):
        assert isinstance(mapping, MappingProxyType)
        with pytest.raises(TypeError):
            mapping["x"] = "y"  # type: ignore[index]


def test_public_constants():
    assert rules.RULESET_VERSION == "2026.11.2"
    assert PROCEDURES == ("microneedling", "prp", "lllt")
    assert dict(rules.PROCEDURE_LABELS) == {
        "microneedling": "microneedling",
        "prp": "PRP",
        "lllt": "laser (LLLT)",
    }
    assert set(rules.GRADES_BY_SCALE) == {rules.NORWOOD, rules.LUDWIG, rules.SAVIN}
    assert [s for s, _ in rules.SCALES] == ["norwood", "ludwig", "savin"]


@pytest.mark.parametrize("module", [rules, questionnaire], ids=["rules", "questionnaire"])
def test_rules_module_imports_only_the_standard_library_it_needs(module):
    tree = ast.parse(inspect.getsource(module))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module)
    assert imported <= {
        "collections.abc",
        "dataclasses",
        "types",
        "typing",
        "intake.questionnaire",
        "treatments.procedures",
    }


# The clinic's own four


@pytest.mark.parametrize("code", CLINIC_CONDITIONS)
def test_clinic_conditions_exclude_microneedling(code):
    assert evaluate(all_no(**{code: True}), MN).status == INELIGIBLE


# Unanswered questions


def test_missing_applicable_answer_needs_review():
    answers = all_no()
    del answers["herpes_history"]
    outcome = evaluate(answers, MN)
    assert outcome.status == NEEDS_REVIEW
    [reason] = outcome.reasons
    assert reason.code == "unanswered:herpes_history"
    assert reason.severity == REVIEW
    assert reason.label == "not answered: history of cold sores / herpes"


def test_none_answer_is_not_a_no():
    # An unanswered exclusion question blocks as the exclusion would (lifecycle rule 5).
    outcome = evaluate(all_no(scalp_wound=None), LLLT)
    assert outcome.status == INELIGIBLE
    assert [(r.code, r.severity) for r in outcome.reasons] == [("unanswered:scalp_wound", EXCLUDE)]


def test_each_unanswered_review_question_is_its_own_reason():
    outcome = evaluate(all_no(herpes_history=None, nickel_allergy=None), MN)
    assert outcome.status == NEEDS_REVIEW
    assert codes(outcome) == ["unanswered:herpes_history", "unanswered:nickel_allergy"]
    assert {r.severity for r in outcome.reasons} == {REVIEW}


def test_missing_answer_that_does_not_apply_is_still_eligible():
    answers = all_no()
    del answers["herpes_history"]
    assert evaluate(answers, PRP).status == ELIGIBLE
    assert evaluate(answers, LLLT).status == ELIGIBLE


def test_empty_answers_block_on_each_applicable_question():
    outcome = evaluate({}, LLLT)
    assert outcome.status == INELIGIBLE
    applicable = [code for code, row in TABLE.items() if row[LLLT]]
    assert [(r.code, r.severity) for r in outcome.reasons] == [
        (f"unanswered:{code}", EXCLUDE if TABLE[code][LLLT] == EXCLUDE else REVIEW)
        for code in applicable
    ]


def test_reason_order_is_catalogue_then_unanswered_then_derived():
    answers = all_no(scalp_acne=True, anticoagulant=True, smoker=None, bleeding_disorder=None)
    outcome = evaluate(answers, PRP, age=16, scale="norwood", grade="VII")
    assert codes(outcome) == [
        "scalp_acne",
        "anticoagulant",
        "unanswered:bleeding_disorder",
        "unanswered:smoker",
        "under_18",
        "prp_outside_norwood",
    ]
    assert [r.label for r in outcome.reasons[2:4]] == [
        "not answered: bleeding or clotting disorder",
        "not answered: smoker",
    ]
    # An unanswered exclusion question is an exclusion; an unanswered caution question a review.
    assert [r.severity for r in outcome.reasons[2:4]] == [EXCLUDE, REVIEW]


# Bad input


def test_unknown_code_is_refused():
    with pytest.raises(ValueError, match="scalp_tattoo"):
        evaluate(all_no(scalp_tattoo=True), MN)


def test_unknown_procedure_is_refused_naming_the_valid_ones():
    with pytest.raises(ValueError, match="botox") as excinfo:
        evaluate(all_no(), "botox")
    for procedure in PROCEDURES:
        assert procedure in str(excinfo.value)


@pytest.mark.parametrize("value", [1, 0, "yes", "no", "", [], "True"])
def test_non_bool_answer_is_refused(value):
    with pytest.raises(ValueError, match="smoker"):
        evaluate(all_no(smoker=value), PRP)


@pytest.mark.parametrize(
    "derived",
    [
        {"scale": "hamilton", "grade": "II"},
        {"scale": "norwood", "grade": "VIII"},
        {"scale": "ludwig", "grade": "IV"},
        {"scale": "savin", "grade": "IIa"},
        {"scale": "norwood", "grade": "I-1"},
        {"grade": "II"},
        {"fitzpatrick": "VII"},
        {"fitzpatrick": "5"},
        {"scale": ""},
    ],
)
def test_bad_scale_grade_or_fitzpatrick_is_refused(derived):
    with pytest.raises(ValueError):
        evaluate(all_no(), LLLT, **derived)


# Derived rules


UNDER_18_LABELS = {
    MN: "under 18: guardian consent; microneedling devices are authorised for adults only",
    PRP: "under 18: guardian consent needed for PRP",
    LLLT: "under 18: guardian consent; laser devices are cleared for adults",
}


@pytest.mark.parametrize("procedure", PROCEDURES)
def test_age_boundary(procedure):
    seventeen = evaluate(all_no(), procedure, age=17)
    assert seventeen.status == NEEDS_REVIEW
    [reason] = seventeen.reasons
    assert (reason.code, reason.severity) == ("under_18", REVIEW)
    assert reason.label == UNDER_18_LABELS[procedure]
    assert "guardian consent" in reason.source
    assert ("MN devices" in reason.source) == (procedure == rules.MICRONEEDLING)
    assert evaluate(all_no(), procedure, age=18).status == ELIGIBLE


@pytest.mark.parametrize("procedure", PROCEDURES)
def test_unknown_age_needs_review(procedure):
    outcome = rules.evaluate(all_no(), procedure)
    assert outcome.status == NEEDS_REVIEW
    [reason] = outcome.reasons
    assert (reason.code, reason.severity) == ("age_unknown", REVIEW)
    assert evaluate(all_no(), procedure, age=None) == outcome


@pytest.mark.parametrize("procedure", [PRP, LLLT])
def test_under_18_reason_of_prp_and_lllt_does_not_speak_of_microneedling(procedure):
    [reason] = evaluate(all_no(), procedure, age=16).reasons
    assert "microneedling" not in reason.label


@pytest.mark.parametrize(
    ("grade", "caution"),
    [
        ("I", True),
        ("II", False),
        ("IIa", False),
        ("V", False),
        ("Va", False),
        ("VI", True),
        ("VII", True),
    ],
)
def test_prp_norwood_range(grade, caution):
    outcome = evaluate(all_no(), PRP, scale="norwood", grade=grade)
    assert outcome.status == ELIGIBLE
    assert ("prp_outside_norwood" in codes(outcome)) == caution
    if caution:
        assert cautions(outcome)[0].source == "IADVL consensus: Norwood II–V ideal"  # noqa: RUF001


@pytest.mark.parametrize(("scale", "grade"), [("ludwig", "III"), ("savin", "advanced")])
def test_prp_has_no_caution_for_female_scales(scale, grade):
    assert evaluate(all_no(), PRP, scale=scale, grade=grade).reasons == ()


@pytest.mark.parametrize(
    ("scale", "grade", "caution"),
    [
        ("norwood", "I", True),
        ("norwood", "II", True),
        ("norwood", "IIa", False),
        ("norwood", "III-vertex", False),
        ("norwood", "V", False),
        ("norwood", "Va", False),
        ("norwood", "VI", True),
        ("norwood", "VII", True),
        ("ludwig", "I", False),
        ("ludwig", "II", False),
        ("ludwig", "III", True),
        ("savin", "II-2", False),
        ("savin", "III", True),
        ("savin", "advanced", True),
        ("savin", "frontal", True),
    ],
)
def test_lllt_cleared_grades(scale, grade, caution):
    outcome = evaluate(all_no(), LLLT, scale=scale, grade=grade)
    assert outcome.status == ELIGIBLE
    assert ("lllt_off_label" in codes(outcome)) == caution
    if caution:
        [reason] = cautions(outcome)
        assert reason.severity == CAUTION
        assert reason.source == "FDA 510(k) product code OAP"
        assert reason.label.startswith("outside LLLT's cleared population")


@pytest.mark.parametrize(("fitzpatrick", "caution"), [("I", False), ("IV", False), ("V", True)])
def test_lllt_fitzpatrick_boundary(fitzpatrick, caution):
    outcome = evaluate(all_no(), LLLT, fitzpatrick=fitzpatrick)
    assert outcome.status == ELIGIBLE
    assert ("lllt_off_label" in codes(outcome)) == caution


def test_lllt_fitzpatrick_vi_and_off_grade_give_one_caution():
    outcome = evaluate(all_no(), LLLT, scale="norwood", grade="VII", fitzpatrick="VI")
    assert codes(outcome) == ["lllt_off_label"]


def test_lllt_caution_only_for_lllt():
    for procedure in (MN, PRP):
        outcome = evaluate(all_no(), procedure, scale="ludwig", grade="III", fitzpatrick="VI")
        assert "lllt_off_label" not in codes(outcome)


def test_unknown_scale_grade_or_fitzpatrick_gives_no_derived_caution():
    assert evaluate(all_no(), LLLT).reasons == ()
    assert evaluate(all_no(), LLLT, scale="norwood").reasons == ()
    assert evaluate(all_no(), PRP, scale="norwood").reasons == ()


def test_caution_keeps_status_eligible_and_does_not_block():
    outcome = evaluate(all_no(smoker=True), PRP, scale="norwood", grade="VI")
    assert outcome.status == ELIGIBLE
    assert codes(outcome) == ["smoker", "prp_outside_norwood"]
    assert codes(outcome, EXCLUDE, REVIEW) == []
    assert codes(outcome, CAUTION) == ["smoker", "prp_outside_norwood"]


def test_a_caution_beside_blocking_reasons_keeps_its_severity():
    outcome = evaluate(all_no(smoker=True, anticoagulant=True, scalp_acne=True), PRP)
    assert outcome.status == INELIGIBLE
    assert codes(outcome, EXCLUDE, REVIEW) == ["scalp_acne", "anticoagulant"]
    assert codes(outcome, CAUTION) == ["smoker"]


# One answer, different severities per procedure


def test_platelet_disorder_is_review_for_microneedling_and_excludes_prp():
    answers = all_no(platelet_disorder=True)
    assert evaluate(answers, MN).status == NEEDS_REVIEW
    assert evaluate(answers, PRP).status == INELIGIBLE


# Re-screening


def test_rescreen_after_nsaid_alone_is_seven_for_prp():
    outcome = evaluate(all_no(nsaid_recent=True), PRP)
    assert outcome.rescreen_after == 7
    [reason] = outcome.reasons
    assert reason.temporary and reason.rescreen_days == 7


def test_rescreen_after_is_the_smallest():
    assert evaluate(all_no(nsaid_recent=True, scalp_acne=True), PRP).rescreen_after == 7
    assert evaluate(all_no(systemic_steroids=True, scalp_acne=True), PRP).rescreen_after == 14


def test_rescreen_after_is_none_for_lasting_conditions_only():
    outcome = evaluate(all_no(bleeding_disorder=True, keloid_tendency=True), PRP)
    assert outcome.rescreen_after is None
    assert all(not r.temporary and r.rescreen_days is None for r in outcome.reasons)


def test_rescreen_ignores_conditions_that_do_not_apply():
    assert evaluate(all_no(nsaid_recent=True), MN).rescreen_after is None


# Properties

procedures = st.sampled_from(PROCEDURES)
complete_answers = st.fixed_dictionaries({code: st.booleans() for code in TABLE})
any_answers = st.fixed_dictionaries(
    {}, optional={code: st.one_of(st.booleans(), st.none()) for code in TABLE}
)
derived = st.fixed_dictionaries(
    {
        "age": st.one_of(st.none(), st.integers(min_value=0, max_value=110)),
        "fitzpatrick": st.one_of(st.none(), st.sampled_from(rules.FITZPATRICK_TYPES)),
    }
).flatmap(
    lambda d: st.one_of(st.none(), st.sampled_from(ALL_GRADES)).map(
        lambda sg: d | ({"scale": sg[0], "grade": sg[1]} if sg else {})
    )
)


@settings(max_examples=200)
@given(answers=complete_answers, procedure=procedures, data=st.data())
def test_a_yes_to_an_exclude_condition_is_never_eligible(answers, procedure, data):
    excluding = [code for code, row in TABLE.items() if row[procedure] == EXCLUDE]
    code = data.draw(st.sampled_from(excluding))
    outcome = evaluate(answers | {code: True}, procedure, **data.draw(derived))
    assert outcome.status == INELIGIBLE


@settings(max_examples=200)
@given(answers=any_answers, procedure=procedures, extra=derived, data=st.data())
def test_flipping_a_no_to_yes_never_improves_the_outcome(answers, procedure, extra, data):
    answers = dict.fromkeys(TABLE, False) | answers
    noes = [code for code, value in answers.items() if value is False]
    assume(noes)
    code = data.draw(st.sampled_from(noes))
    before = evaluate(answers, procedure, **extra)
    after = evaluate(answers | {code: True}, procedure, **extra)
    assert RANK[after.status] >= RANK[before.status]


@settings(max_examples=200)
@given(answers=any_answers, procedure=procedures, extra=derived)
def test_evaluate_is_deterministic(answers, procedure, extra):
    first = evaluate(dict(answers), procedure, **extra)
    assert evaluate(dict(answers), procedure, **extra) == first
