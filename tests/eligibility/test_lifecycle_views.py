"""The screening lifecycle's pages (issue 11): the patient page's blocks, timeline and sign-off
card; the physician's decision page; the review page with the new decisions; sign-offs.

Through the test client and the real forms; each decision is checked in the timeline and in the
audit log."""

import re
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from eligibility import rules
from eligibility.models import Decision, PhysicianReview, PlanSignOff, Screening
from eligibility.services import decision_record, screen_intake, signoff_record
from tests.factories import IntakeFactory, all_no

pytestmark = pytest.mark.django_db

NOTE = "Examined the scalp: a single healed spot, nothing active."


def screened(*yes: str, **intake):
    """A patient whose intake (all "no" but `yes`) has been screened for every procedure."""
    record = IntakeFactory(answers=all_no(**dict.fromkeys(yes, True)), **intake)
    screen_intake(by=record.taken_by, intake=record)
    return record.patient


def page_of(client, patient) -> str:
    response = client.get(reverse("intake:patient-detail", args=[patient.pk]))
    assert response.status_code == 200
    return response.content.decode()


def decide_url(patient, procedure=rules.MICRONEEDLING) -> str:
    return reverse("eligibility:decide", args=[patient.pk, procedure])


def day(value) -> str:
    return f"{value.day} {value:%b %Y}"


def audit_entries(model, user):
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model), actor=user
    )


def card(page: str, element_id: str) -> str:
    """The HTML of the section with this id (up to the next section)."""
    return page.split(f'id="{element_id}"', 1)[1].split("</section>", 1)[0]


def refused_page(client, patient, procedure, form: dict) -> str:
    """The decision page posted with `form`: it must come back (refused) with nothing saved."""
    response = client.post(decide_url(patient, procedure), form)
    assert response.status_code == 200
    assert not PhysicianReview.objects.exists()
    return response.content.decode()


def prp_clearance(until) -> dict:
    """The physician's form clearing PRP, for a patient on blood thinners, until `until`."""
    return {
        "decision": Decision.CLEARED,
        "codes": ["anticoagulant"],
        "cleared_until": until.isoformat(),
        "note": "INR in range.",
    }


# ---- the patient page -------------------------------------------------------------------------


def test_patient_page_says_what_blocks_what_lifts_it_and_when(desk_client):
    patient = screened("scalp_acne")
    page = page_of(desk_client, patient)
    rescreen = timezone.localdate() + timedelta(days=14)
    eligibility = card(page, "eligibility")
    assert eligibility.count("Scalp acne") >= 3
    assert "no longer finds it" in eligibility
    assert "resolved on examination or entered in error" in eligibility
    assert f"Re-screen from {day(rescreen)}" in eligibility
    assert f"Screening valid through {day(rescreen - timedelta(days=1))}" in eligibility
    for procedure in rules.PROCEDURES:
        assert f'data-procedure="{procedure}">Not eligible' in eligibility
    timeline = card(page, "timeline")
    assert "Intake screening" in timeline and "scalp acne" in timeline
    # The front desk records answers; it never decides or signs off.
    assert "Record a decision" not in page
    assert reverse("eligibility:signoff-record", args=[patient.pk]) not in page


def test_patient_page_shows_cautions(desk_client):
    patient = screened("smoker")
    eligibility = card(page_of(desk_client, patient), "eligibility")
    assert "Caution: smok" in eligibility
    assert 'data-procedure="prp">Eligible' in eligibility


def test_patient_page_of_a_patient_not_screened(desk_client):
    patient = IntakeFactory().patient
    page = page_of(desk_client, patient)
    assert page.count("Not screened") >= 3
    assert "Take the intake questionnaire" in page
    assert "No screenings or decisions yet." in page


def test_physician_gets_a_decision_link_for_each_blocked_procedure(physician_client):
    patient = screened("anticoagulant")
    page = page_of(physician_client, patient)
    assert decide_url(patient, rules.MICRONEEDLING) in page
    assert decide_url(patient, rules.PRP) in page
    assert decide_url(patient, rules.LLLT) not in page  # eligible: nothing to decide


def test_timeline_shows_twenty_newest_and_counts_the_rest(physician_client, physician_user):
    patient = screened("anticoagulant")
    for n in range(21):
        decision_record(
            by=physician_user,
            patient=patient,
            procedure=rules.PRP,
            decision=Decision.MORE_INFO,
            note=f"Question {n:02d}",
            codes=["anticoagulant"],
        )
    timeline = card(page_of(physician_client, patient), "timeline")
    assert timeline.count("<li") == 20
    assert "Question 20" in timeline and "Question 01" in timeline
    assert "Question 00" not in timeline and "Intake screening" not in timeline
    assert timeline.index("Question 20") < timeline.index("Question 19")  # newest first
    assert "2 earlier entries not shown." in timeline


# ---- the decision page ------------------------------------------------------------------------


def test_decision_page_shows_blocks_answers_and_every_decision(physician_client):
    patient = screened("anticoagulant")
    response = physician_client.get(decide_url(patient, rules.PRP))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-procedure="prp">Needs physician review' in page
    assert "a physician must review it" in page
    for _, label in Decision.choices:
        assert label in page
    assert 'value="resolved"' in page and 'value="entered_in_error"' in page
    assert 'name="codes" value="anticoagulant"' in page
    assert "Taking blood thinners (review)" in page
    assert rules.CATALOGUE_BY_CODE["anticoagulant"].question in page
    assert "Medications: not written down (answered yes to: taking blood thinners)" in page


def test_decline_is_in_the_timeline_and_the_audit_log(physician_client, physician_user):
    patient = screened("anticoagulant")
    response = physician_client.post(
        decide_url(patient, rules.PRP),
        {"decision": Decision.DECLINED, "codes": ["anticoagulant"], "note": "INR unstable."},
    )
    assert response.status_code == 302
    assert response.url == patient.get_absolute_url() + "#timeline"
    review = PhysicianReview.objects.get()
    assert (review.decision, review.codes, review.decided_by) == (
        Decision.DECLINED,
        ["anticoagulant"],
        physician_user,
    )
    assert (
        audit_entries(PhysicianReview, physician_user)
        .filter(object_pk=str(review.pk), action=LogEntry.Action.CREATE)
        .exists()
    )
    page = page_of(physician_client, patient)
    assert 'data-procedure="prp">Declined by physician' in page
    timeline = card(page, "timeline")
    assert "Decline: PRP (taking blood thinners)" in timeline
    assert "INR unstable." in timeline
    assert physician_user.get_full_name() in timeline


@pytest.mark.parametrize("decision", [Decision.RESOLVED, Decision.ENTERED_IN_ERROR])
def test_a_lift_ends_an_exclusion_for_every_procedure(physician_client, physician_user, decision):
    patient = screened("scalp_acne")
    response = physician_client.post(
        decide_url(patient, rules.MICRONEEDLING),
        {"decision": decision, "codes": ["scalp_acne"], "note": NOTE},
    )
    assert response.status_code == 302
    assert f"{decision.label} recorded" in physician_client.get(response.url).content.decode()
    reviews = PhysicianReview.objects.filter(patient=patient, decision=decision)
    assert {r.procedure for r in reviews} == set(rules.PROCEDURES)
    assert audit_entries(PhysicianReview, physician_user).count() == len(rules.PROCEDURES)
    page = page_of(physician_client, patient)
    for procedure in rules.PROCEDURES:
        assert f'data-procedure="{procedure}">Eligible' in page
    timeline = card(page, "timeline")
    assert f"{decision.label}: Microneedling (scalp acne)" in timeline
    assert NOTE in timeline


def test_a_lift_needs_the_findings_ticked_and_keeps_the_note(physician_client):
    patient = screened("scalp_acne")
    form = {"decision": Decision.RESOLVED, "note": NOTE}
    page = refused_page(physician_client, patient, rules.MICRONEEDLING, form)
    assert "Tick the findings this decision lifts." in page
    assert NOTE in page


def test_a_decision_needs_a_note(physician_client):
    patient = screened("anticoagulant")
    form = {"decision": Decision.DECLINED, "codes": ["anticoagulant"], "note": "   "}
    page = refused_page(physician_client, patient, rules.PRP, form)
    assert "A note is required for every decision." in page


@pytest.mark.parametrize("codes", [[], ["scalp_wound"]])
def test_clearing_an_exclusion_is_refused_and_keeps_what_was_typed(physician_client, codes):
    patient = screened("scalp_wound")
    form = {"decision": Decision.CLEARED, "codes": codes, "note": "Looks fine to me."}
    page = refused_page(physician_client, patient, rules.MICRONEEDLING, form)
    assert "An exclusion stands; a physician cannot clear it." in page
    assert "Looks fine to me." in page
    assert re.search(r'value="cleared"[^>]*checked', page)


def test_a_reason_that_is_not_open_is_refused(physician_client):
    patient = screened("anticoagulant")
    form = {"decision": Decision.DECLINED, "codes": ["scalp_wound"], "note": "Declined."}
    page = refused_page(physician_client, patient, rules.PRP, form)
    assert "Select a valid choice" in page
    assert "Declined." in page


def test_clearance_with_an_end_date(physician_client, physician_user):
    patient = screened("anticoagulant")
    until = timezone.localdate() + timedelta(days=20)
    response = physician_client.post(decide_url(patient, rules.PRP), prp_clearance(until))
    assert response.status_code == 302
    review = PhysicianReview.objects.get()
    assert review.cleared_until == until
    page = page_of(physician_client, patient)
    assert 'data-procedure="prp">Cleared by physician' in page
    assert f"Cleared until {day(until)}" in page
    assert f"Until {day(until)}" in card(page, "timeline")
    assert audit_entries(PhysicianReview, physician_user).exists()


def test_a_clearance_past_its_limit_is_refused_and_keeps_the_note(physician_client):
    patient = screened("anticoagulant")
    too_late = timezone.localdate() + timedelta(days=400)
    page = refused_page(physician_client, patient, rules.PRP, prp_clearance(too_late))
    assert "can last until" in page
    assert "INR in range." in page


def test_nothing_to_decide_says_so(physician_client):
    patient = screened()
    page = physician_client.get(decide_url(patient)).content.decode()
    assert "Nothing for this procedure is open to a physician" in page
    assert 'name="note"' not in page


def test_unknown_procedure_is_not_found(physician_client):
    patient = screened()
    assert physician_client.get(decide_url(patient, "tattoo")).status_code == 404


def test_reading_the_decision_page_is_logged(physician_client, physician_user):
    patient = screened("anticoagulant")
    physician_client.get(decide_url(patient, rules.PRP))
    assert (
        audit_entries(type(patient), physician_user)
        .filter(object_pk=str(patient.pk), action=LogEntry.Action.ACCESS)
        .exists()
    )


@pytest.mark.parametrize("name", ["desk_client", "admin_client_"])
def test_only_physicians_decide(request, name):
    client = request.getfixturevalue(name)
    patient = screened("scalp_acne")
    url = decide_url(patient)
    assert client.get(url).status_code == 403
    post = {"decision": Decision.RESOLVED, "codes": ["scalp_acne"], "note": "sneaky"}
    assert client.post(url, post).status_code == 403
    assert not PhysicianReview.objects.exists()


# ---- the review page --------------------------------------------------------------------------


def latest(patient, procedure) -> Screening:
    return Screening.objects.filter(patient=patient, procedure=procedure).latest()


def test_review_page_says_which_medication_was_answered_yes(physician_client):
    patient = screened("anticoagulant")
    url = reverse("eligibility:review-decide", args=[latest(patient, rules.PRP).pk])
    page = physician_client.get(url).content.decode()
    assert "Medications: none listed" not in page
    assert "Medications: not written down (answered yes to: taking blood thinners)" in page


def test_review_page_shows_written_medications(physician_client):
    patient = screened("anticoagulant", medications="Apixaban 5 mg twice daily")
    url = reverse("eligibility:review-decide", args=[latest(patient, rules.PRP).pk])
    assert "Medications: Apixaban 5 mg twice daily" in physician_client.get(url).content.decode()


def test_review_page_without_medication_answers_says_none_listed(physician_client):
    patient = screened("keloid_tendency")
    url = reverse("eligibility:review-decide", args=[latest(patient, rules.PRP).pk])
    assert "Medications: none listed" in physician_client.get(url).content.decode()


def test_review_page_records_the_new_decisions(physician_client, physician_user):
    patient = screened("scalp_wound")
    url = reverse("eligibility:review-decide", args=[latest(patient, rules.MICRONEEDLING).pk])
    page = physician_client.get(url).content.decode()
    assert 'value="resolved"' in page and 'value="entered_in_error"' in page
    response = physician_client.post(
        url, {"decision": Decision.ENTERED_IN_ERROR, "codes": ["scalp_wound"], "note": NOTE}
    )
    assert response.status_code == 302
    assert PhysicianReview.objects.filter(decision=Decision.ENTERED_IN_ERROR).count() == 3
    assert audit_entries(PhysicianReview, physician_user).exists()
    assert "Entered in error: Microneedling (scalp wound)" in page_of(physician_client, patient)


def test_review_page_of_an_older_screening_points_to_the_current_one(physician_client):
    patient = screened("anticoagulant")
    old = latest(patient, rules.PRP)
    screen_intake(by=patient.created_by, intake=patient.intakes.get())
    page = physician_client.get(reverse("eligibility:review-decide", args=[old.pk]))
    assert "A newer screening of this patient exists" in page.content.decode()
    assert decide_url(patient, rules.PRP) in page.content.decode()


# ---- same-day microneedling then LLLT sign-off -------------------------------------------------


def test_sign_off_then_end_it(physician_client, physician_user):
    patient = screened()
    page = page_of(physician_client, patient)
    assert "No sign-off in force" in card(page, "signoff")
    record_url = reverse("eligibility:signoff-record", args=[patient.pk])
    assert record_url in page
    assert physician_client.get(record_url).status_code == 200
    response = physician_client.post(record_url, {"note": "Plan: MN then LLLT, intact skin."})
    assert response.status_code == 302
    signoff = PlanSignOff.objects.get()
    assert signoff.until == timezone.localdate() + timedelta(days=180)
    assert (
        audit_entries(PlanSignOff, physician_user)
        .filter(object_pk=str(signoff.pk), action=LogEntry.Action.CREATE)
        .exists()
    )
    section = card(page_of(physician_client, patient), "signoff")
    assert f"until {day(signoff.until)}" in section
    assert "Plan: MN then LLLT, intact skin." in section
    end_url = reverse("eligibility:signoff-end", args=[signoff.pk])
    assert end_url in section

    assert physician_client.get(end_url).status_code == 200
    response = physician_client.post(end_url, {"note": "Plan changed to PRP."})
    assert response.status_code == 302
    signoff.refresh_from_db()
    assert signoff.ended_by == physician_user and signoff.end_note == "Plan changed to PRP."
    assert audit_entries(PlanSignOff, physician_user).filter(action=LogEntry.Action.UPDATE).exists()
    page = page_of(physician_client, patient)
    assert "No sign-off in force" in card(page, "signoff")
    timeline = card(page, "timeline")
    assert "Ended the same-day microneedling then LLLT sign-off" in timeline
    assert "Plan changed to PRP." in timeline


def test_sign_off_beyond_180_days_is_refused_and_keeps_the_note(physician_client):
    patient = screened()
    url = reverse("eligibility:signoff-record", args=[patient.pk])
    until = timezone.localdate() + timedelta(days=200)
    response = physician_client.post(url, {"note": "Long plan.", "until": until.isoformat()})
    assert response.status_code == 200
    page = response.content.decode()
    assert "A sign-off ends between today and" in page
    assert "Long plan." in page
    assert not PlanSignOff.objects.exists()


def test_sign_off_needs_a_note(physician_client):
    patient = screened()
    response = physician_client.post(
        reverse("eligibility:signoff-record", args=[patient.pk]), {"note": ""}
    )
    assert "A note is required for a sign-off." in response.content.decode()
    assert not PlanSignOff.objects.exists()


def test_ending_needs_a_note_and_happens_once(physician_client, physician_user):
    patient = screened()
    signoff = signoff_record(by=physician_user, patient=patient, note="Plan.")
    url = reverse("eligibility:signoff-end", args=[signoff.pk])
    response = physician_client.post(url, {"note": ""})
    assert "Say why the sign-off ends." in response.content.decode()
    assert physician_client.post(url, {"note": "Done."}).status_code == 302
    again = physician_client.post(url, {"note": "Again."})
    assert again.status_code == 200
    assert "already ended" in again.content.decode()


@pytest.mark.parametrize("name", ["desk_client", "admin_client_"])
def test_only_physicians_sign_off(request, name, physician_user):
    client = request.getfixturevalue(name)
    patient = screened()
    signoff = signoff_record(by=physician_user, patient=patient, note="Plan.")
    record_url = reverse("eligibility:signoff-record", args=[patient.pk])
    end_url = reverse("eligibility:signoff-end", args=[signoff.pk])
    assert client.get(record_url).status_code == 403
    assert client.post(record_url, {"note": "x"}).status_code == 403
    assert client.get(end_url).status_code == 403
    assert client.post(end_url, {"note": "x"}).status_code == 403
    assert PlanSignOff.objects.count() == 1
    signoff.refresh_from_db()
    assert signoff.ended_at is None


def test_front_desk_sees_the_sign_off_but_no_actions(desk_client, physician_user):
    patient = screened()
    signoff_record(by=physician_user, patient=patient, note="Plan agreed.")
    section = card(page_of(desk_client, patient), "signoff")
    assert "Plan agreed." in section
    assert "End sign-off" not in section and "Sign off" not in section
