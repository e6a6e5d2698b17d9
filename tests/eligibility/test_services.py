from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.roles import FRONT_DESK, PHYSICIAN
from eligibility import rules, selectors, services
from eligibility.models import Decision, Screening
from intake import services as intake_services
from tests.factories import PatientFactory, UserFactory, submit_intake

pytestmark = pytest.mark.django_db

MN, PRP, LLLT = rules.MICRONEEDLING, rules.PRP, rules.LLLT


@pytest.fixture
def desk():
    return UserFactory(role=FRONT_DESK)


@pytest.fixture
def doctor():
    return UserFactory(role=PHYSICIAN)


def take_intake(by, patient=None, **yes):
    return submit_intake(by, patient or PatientFactory(), *yes)


def screening_of(patient, procedure) -> Screening:
    return patient.screenings.filter(procedure=procedure).order_by("-screened_at", "-id").first()


def today():
    return services._clinic_today()


def decide(by, patient, procedure, decision, note, **more) -> list:
    """A physician's decision on the patient's reasons for a procedure."""
    return services.decision_record(
        by=by, patient=patient, procedure=procedure, decision=decision, note=note, **more
    )


def review_newest(by, patient, procedure, decision, note, **more):
    """A decision from the review queue, on the patient's newest screening for the procedure."""
    return services.review_decide(
        by=by, screening=screening_of(patient, procedure), decision=decision, note=note, **more
    )


def test_intake_screens_every_procedure_and_keeps_what_it_saw(desk):
    intake = take_intake(desk)
    screenings = Screening.objects.filter(intake=intake)
    assert sorted(s.procedure for s in screenings) == sorted(rules.PROCEDURES)
    for s in screenings:
        assert s.outcome == rules.ELIGIBLE
        assert s.answers == intake.answers
        assert s.ruleset_version == rules.RULESET_VERSION
        assert s.derived["scale"] == "norwood" and s.derived["grade"] == "III"
        # Valid 30 days counting the answer day (lifecycle rule 1).
        assert s.valid_until == today() + timedelta(days=29)
        assert s.screened_by == desk


def test_scalp_acne_blocks_everything_with_rescreen_date(desk):
    intake = take_intake(desk, scalp_acne=True)
    patient = intake.patient
    for procedure in rules.PROCEDURES:
        s = screening_of(patient, procedure)
        assert s.outcome == rules.INELIGIBLE
        assert s.rescreen_after == today() + timedelta(days=14)
        # The screening counts no later than the day before the finding is re-checked.
        assert s.valid_until == s.rescreen_after - timedelta(days=1)
    result = services.eligibility_for(patient, [PRP, MN])
    assert not result.bookable
    assert result.status == services.INELIGIBLE
    message = result.message()
    assert "scalp acne" in message.lower()
    rescreen_on = today() + timedelta(days=14)
    assert f"from {rescreen_on.day} {rescreen_on:%b %Y} no longer finds it" in message


def test_not_screened_patient_is_not_bookable():
    result = services.eligibility_for(PatientFactory(), [LLLT])
    assert result.procedures[0].status == services.NOT_SCREENED
    assert "intake" in result.message()


def test_eligible_patient_is_bookable(desk):
    intake = take_intake(desk)
    assert services.eligibility_for(intake.patient, [PRP, MN]).bookable


def test_screening_too_old_is_expired(desk):
    intake = take_intake(desk)
    assert services.eligibility_for(
        intake.patient, [LLLT], on=today() + timedelta(days=29)
    ).bookable
    later = today() + timedelta(days=30)
    result = services.eligibility_for(intake.patient, [LLLT], on=later)
    assert result.procedures[0].status == services.EXPIRED
    assert not result.bookable


def test_needs_review_then_cleared_until_date(desk, doctor):
    patient = take_intake(desk, anticoagulant=True).patient
    assert services.eligibility_for(patient, [PRP]).status == services.NEEDS_REVIEW
    until = today() + timedelta(days=10)
    review_newest(
        doctor, patient, PRP, Decision.CLEARED, "INR stable; cleared.", cleared_until=until
    )
    cleared = services.eligibility_for(patient, [PRP])
    assert cleared.bookable and cleared.procedures[0].status == services.CLEARED
    assert cleared.procedures[0].cleared_until == until
    # PRP with microneedling still needs the microneedling clearance.
    assert not services.eligibility_for(patient, [PRP, MN]).bookable
    # The clearance runs out.
    expired = services.eligibility_for(patient, [PRP], on=until + timedelta(days=1))
    assert expired.procedures[0].status == services.NEEDS_REVIEW
    assert "ran out" in expired.message()


def test_clearance_of_a_temporary_reason_defaults_to_screening_validity(desk, doctor):
    patient = take_intake(desk, recent_sunburn=True).patient
    screening = screening_of(patient, MN)
    review = services.review_decide(
        by=doctor, screening=screening, decision=Decision.CLEARED, note="ok"
    )
    assert review.cleared_until == screening.valid_until
    assert review.codes == ["recent_sunburn"]


def test_clearance_of_a_lasting_reason_defaults_to_180_days(desk, doctor):
    patient = take_intake(desk, anticoagulant=True).patient
    screening = screening_of(patient, PRP)
    review = services.review_decide(
        by=doctor, screening=screening, decision=Decision.CLEARED, note="ok"
    )
    assert review.cleared_until == today() + timedelta(days=180)
    assert review.codes == ["anticoagulant"]


def test_decline_stands_across_new_intakes_until_a_newer_decision(desk, doctor):
    patient = take_intake(desk, anticoagulant=True).patient
    review_newest(doctor, patient, PRP, Decision.DECLINED, "no")
    assert services.eligibility_for(patient, [PRP]).status == services.DECLINED
    # A day-of re-screen on the same intake does not reopen it.
    services.screen_day_of(by=desk, patient=patient, answers={"scalp_acne": False})
    assert services.eligibility_for(patient, [PRP]).status == services.DECLINED
    # Nor does a new intake, with the same answers or without the reason (lifecycle rule 4).
    take_intake(desk, patient=patient, anticoagulant=True)
    assert services.eligibility_for(patient, [PRP]).status == services.DECLINED
    take_intake(desk, patient=patient)
    assert services.eligibility_for(patient, [PRP]).status == services.DECLINED
    # A physician's newer decision on the reason does.
    decide(doctor, patient, PRP, Decision.CLEARED, "Stopped the blood thinner; cleared.")
    assert services.eligibility_for(patient, [PRP]).status == services.CLEARED


def test_more_information(desk, doctor):
    patient = take_intake(desk, keloid_tendency=True).patient
    review_newest(doctor, patient, MN, Decision.MORE_INFO, "Photos of the scars, please.")
    result = services.eligibility_for(patient, [MN])
    assert result.status == services.AWAITING_INFORMATION
    assert not result.bookable


def test_clearance_never_lifts_an_exclusion(desk, doctor):
    patient = take_intake(desk, platelet_disorder=True).patient
    prp = screening_of(patient, PRP)
    assert prp.outcome == rules.INELIGIBLE
    with pytest.raises(ValidationError):
        services.review_decide(by=doctor, screening=prp, decision=Decision.CLEARED, note="x")
    assert not prp.reviews.exists()
    # The microneedling side is review-only and can be cleared; PRP + MN stays blocked.
    review_newest(doctor, patient, MN, Decision.CLEARED, "ok")
    assert services.eligibility_for(patient, [MN]).bookable
    assert not services.eligibility_for(patient, [PRP, MN]).bookable


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"decision": Decision.CLEARED, "note": "  "}, "note"),
        ({"decision": "approve", "note": "x"}, "decision"),
        ({"decision": Decision.CLEARED, "note": "x", "cleared_until": "past"}, "cleared_until"),
    ],
)
def test_review_refuses_bad_input(desk, doctor, kwargs, field):
    patient = take_intake(desk, anticoagulant=True).patient
    if kwargs.get("cleared_until") == "past":
        kwargs["cleared_until"] = today() - timedelta(days=1)
    with pytest.raises(ValidationError) as excinfo:
        services.review_decide(by=doctor, screening=screening_of(patient, PRP), **kwargs)
    assert field in excinfo.value.message_dict


def test_front_desk_cannot_review(desk):
    patient = take_intake(desk, anticoagulant=True).patient
    with pytest.raises(ValidationError):
        review_newest(desk, patient, PRP, Decision.CLEARED, "x")


def test_day_of_rescreen(desk, doctor):
    patient = take_intake(desk).patient
    blocked = services.screen_day_of(by=desk, patient=patient, answers={"scalp_wound": True})
    assert {s.outcome for s in blocked} == {rules.INELIGIBLE}
    assert all(s.kind == "day_of" and s.answers["scalp_wound"] for s in blocked)
    assert not services.eligibility_for(patient, [PRP, MN]).bookable
    # A "no" the same day does not undo the "yes" (lifecycle rule 2).
    services.screen_day_of(by=desk, patient=patient, answers={"scalp_wound": False})
    assert not services.eligibility_for(patient, [PRP, MN]).bookable
    other = take_intake(desk).patient
    sunburn = services.screen_day_of(by=desk, patient=other, answers={"recent_sunburn": True})
    assert sunburn[0].kind == "day_of" and sunburn[0].procedure == MN
    assert sunburn[0].outcome == rules.NEEDS_REVIEW
    assert sunburn[0] in selectors.review_queue(user=doctor)
    with pytest.raises(ValueError, match="Not day-of"):
        services.screen_day_of(by=desk, patient=patient, answers={"smoker": True})


def test_clearance_carries_to_a_day_of_rescreen_with_same_reasons(desk, doctor):
    patient = take_intake(desk, anticoagulant=True).patient
    review_newest(doctor, patient, PRP, Decision.CLEARED, "ok")
    services.screen_day_of(by=desk, patient=patient, answers={"scalp_acne": False})
    assert services.eligibility_for(patient, [PRP]).status == services.CLEARED
    assert not [s for s in selectors.review_queue(user=doctor) if s.procedure == PRP]


def test_review_queue_contents_and_order(desk, doctor):
    older = take_intake(desk, anticoagulant=True).patient
    newer = take_intake(desk, herpes_history=True).patient
    take_intake(desk)  # eligible: not in the queue
    queue = selectors.review_queue(user=doctor)
    # Oldest first; one intake's screenings share a time and keep the catalogue's order.
    assert [(s.patient, s.procedure) for s in queue] == [(older, MN), (older, PRP), (newer, MN)]
    review_newest(doctor, newer, MN, Decision.DECLINED, "no")
    assert newer not in {s.patient for s in selectors.review_queue(user=doctor)}


def test_review_queue_leaves_out_expired_and_archived(desk, doctor):
    patient = take_intake(desk, anticoagulant=True).patient
    Screening.objects.filter(patient=patient).update(valid_until=today() - timedelta(days=1))
    other = take_intake(desk, anticoagulant=True).patient
    intake_services.patient_archive(by=desk, patient=other, reason="moved")
    assert list(selectors.review_queue(user=doctor)) == []


def test_review_is_audited(desk, doctor):
    patient = take_intake(desk, anticoagulant=True).patient
    review = review_newest(doctor, patient, PRP, Decision.CLEARED, "ok")
    entry = LogEntry.objects.get_for_object(review).get()
    assert entry.actor == doctor and entry.action == LogEntry.Action.CREATE


def test_under_18_needs_review_for_everything(desk):
    minor = PatientFactory(date_of_birth=timezone.localdate() - timedelta(days=17 * 365 + 30))
    take_intake(desk, patient=minor)
    for procedure in rules.PROCEDURES:
        s = screening_of(minor, procedure)
        assert s.outcome == rules.NEEDS_REVIEW
        assert "under_18" in {r["code"] for r in s.reasons}


def test_summary_reads_once_for_all_combinations(desk, django_assert_max_num_queries):
    patient = take_intake(desk, anticoagulant=True).patient
    # Screenings, decisions, sign-offs and the session types (treatments): four queries however
    # many session types the clinic offers.
    with django_assert_max_num_queries(4):
        summary = services.eligibility_summary(patient)
    by_name = dict(summary.combinations)
    assert by_name["Laser (LLLT)"].bookable
    assert by_name["PRP with microneedling"].status == services.NEEDS_REVIEW


def test_only_the_newest_screening_per_procedure_is_latest(desk):
    patient = take_intake(desk, anticoagulant=True).patient
    take_intake(desk, patient=patient)
    latest = Screening.objects.filter(patient=patient, is_latest=True)
    assert latest.count() == len(rules.PROCEDURES)
    assert {s.outcome for s in latest} == {rules.ELIGIBLE}
    services.screen_day_of(by=desk, patient=patient, answers={"scalp_acne": True})
    newest_prp = Screening.objects.get(patient=patient, procedure=PRP, is_latest=True)
    assert newest_prp.kind == "day_of" and newest_prp.outcome == rules.INELIGIBLE
    assert Screening.objects.filter(patient=patient, is_latest=True).count() == 3


def test_an_older_review_finding_stays_in_the_queue_until_a_physician_decides(desk, doctor):
    patient = take_intake(desk, anticoagulant=True).patient
    assert list(selectors.review_queue(user=doctor))
    # A newer "no" does not end a finding (lifecycle rule 2): the queue keeps the patient.
    take_intake(desk, patient=patient)
    queue = list(selectors.review_queue(user=doctor))
    assert {(s.patient, s.procedure) for s in queue} == {(patient, MN), (patient, PRP)}
    assert all(s.is_latest for s in queue)
    decide(
        doctor,
        patient,
        PRP,
        Decision.ENTERED_IN_ERROR,
        "The patient never took blood thinners; the desk ticked the wrong box.",
        codes=["anticoagulant"],
    )
    assert list(selectors.review_queue(user=doctor)) == []
