"""Issue 11: each of the ten holes in the screening lifecycle, through the services and through
the views (test client, real form posts). Days move by patching `django.utils.timezone.now`."""

import re
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core.checks import Error
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from eligibility import rules, services
from eligibility.checks import screening_settings
from eligibility.models import Decision, PhysicianReview, PlanSignOff, Screening, ScreeningKind
from eligibility.views import medications_text
from intake import services as intake_services
from intake.models import IntakeQuestionnaire, Patient
from scheduling import services as scheduling
from scheduling import times
from scheduling.models import Status, TreatmentSession
from tests.factories import IntakeFactory, all_no, login_client, submit_intake
from tests.intake.test_views import intake_post
from tests.scheduling.factories import (
    LLLT,
    MN_LLLT,
    PRP,
    make_session,
    on_day,
    screened_patient,
)

pytestmark = pytest.mark.django_db

NO = dict.fromkeys(rules.DAY_OF_CODES, False)
FORM_NO = dict.fromkeys(rules.DAY_OF_CODES, "no")
RECORD = {
    "needle_depth_mm": Decimal("1.5"),
    "passes": 4,
    "cartridge_lot": "CL-2211",
    "post_care_given": True,
}
FORM_RECORD = {
    "needle_depth_mm": "1.5",
    "passes": "4",
    "cartridge_lot": "CL-2211",
    "post_care_given": "on",
}
_real_now = timezone.now


@contextmanager
def days_later(days: int):
    """The clock `days` ahead (still running), for services, views and the login session."""
    offset = timedelta(days=days)
    with mock.patch("django.utils.timezone.now", side_effect=lambda: _real_now() + offset):
        yield


def today() -> date:
    return times.today()


def status(patient, procedure, on=None) -> str:
    return services.eligibility_for(patient, [procedure], on=on).procedures[0].status


def latest(patient, procedure) -> Screening:
    return Screening.objects.filter(patient=patient, procedure=procedure).latest()


def post_intake(client, patient, *yes):
    response = client.post(
        reverse("intake:intake-create", args=[patient.pk]),
        intake_post(**{f"q_{code}": "yes" for code in yes}),
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def check_in_form(client, session, **yes):
    return client.post(
        reverse("scheduling:session-check-in", args=[session.pk]),
        FORM_NO | dict.fromkeys(yes, "yes"),
        follow=True,
    )


def badge(client, patient, procedure) -> str:
    """The status the patient page shows for a procedure."""
    page = client.get(reverse("intake:patient-detail", args=[patient.pk])).content.decode()
    found = re.search(rf'data-procedure="{procedure}">([^<]+)<', page)
    assert found, f"no status badge for {procedure}"
    return found.group(1).strip()


def decide(clinic, patient, procedure, decision, note, **more):
    """The physician's decision through the service; `decide_form` posts it through the view."""
    return services.decision_record(
        by=clinic.doctor, patient=patient, procedure=procedure, decision=decision, note=note, **more
    )


def decide_form(client, patient, procedure, decision, note, *, codes=(), until=None):
    data = {"decision": decision, "note": note, "codes": list(codes)}
    if until is not None:
        data["cleared_until"] = until.isoformat()
    return client.post(reverse("eligibility:decide", args=[patient.pk, procedure]), data)


def decided_in_form(client, patient, procedure, decision, *codes, note="Examined the scalp."):
    """`decide_form` naming `codes`, which the physician's page must accept."""
    response = decide_form(client, patient, procedure, decision, note, codes=codes)
    assert response.status_code == 302, page_text(response)[:2000]


def book_form(clinic, patient, type_name, day_ahead, *, token, hour=10):
    start = on_day(day_ahead, hour)
    return {
        "patient": patient.pk,
        "session_type": clinic.types[type_name].pk,
        "day": times.local(start).date().isoformat(),
        "time": f"{hour:02d}:00",
        "provider": "",
        "room": "",
        "device": "",
        "form_token": token,
    }


def page_text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# ---- hole 1: a "no" re-submitted undoes a "yes" ------------------------------------------------


def test_hole_1_service_a_no_after_a_yes_at_check_in_or_intake_changes_nothing(clinic):
    patient = screened_patient(by=clinic.desk)
    session = make_session(clinic, patient=patient)
    scheduling.session_check_in(by=clinic.desk, session=session, answers=NO | {"scalp_acne": True})
    assert session.status == Status.BOOKED and session.is_blocked
    scheduling.session_check_in(by=clinic.desk, session=session, answers=NO)
    session.refresh_from_db()
    assert session.status == Status.BOOKED
    assert "scalp acne" in session.blocked_reason.lower()
    submit_intake(clinic.desk, patient)
    for procedure in rules.PROCEDURES:
        assert status(patient, procedure) == services.INELIGIBLE
    with pytest.raises(ValidationError):
        scheduling.session_start(by=clinic.doctor, session=session)


def test_hole_1_view_a_no_after_a_yes_at_check_in_or_intake_changes_nothing(
    clinic, desk_client, physician_client
):
    patient = screened_patient(by=clinic.desk)
    session = make_session(clinic, patient=patient)
    response = check_in_form(desk_client, session, scalp_acne="yes")
    assert "Stopped at check-in" in page_text(response)
    response = check_in_form(desk_client, session)
    assert "Stopped at check-in" in page_text(response)
    session.refresh_from_db()
    assert session.status == Status.BOOKED
    post_intake(desk_client, patient)
    for procedure in rules.PROCEDURES:
        assert badge(desk_client, patient, procedure) == "Not eligible"
    # Only a physician's recorded decision lifts it.
    decided_in_form(physician_client, patient, rules.MICRONEEDLING, Decision.RESOLVED, "scalp_acne")
    check_in_form(desk_client, session)
    session.refresh_from_db()
    assert session.status == Status.CHECKED_IN


# ---- hole 2: an older clearance outlives a decline ------------------------------------------


def _clear_then_decline_prp(clinic, patient):
    decide(clinic, patient, rules.PRP, Decision.CLEARED, "INR stable.")
    submit_intake(clinic.desk, patient, "anticoagulant")
    assert status(patient, rules.PRP) == services.CLEARED
    decide(clinic, patient, rules.PRP, Decision.DECLINED, "Bleeding after the last PRP; no more.")


def test_hole_2_service_a_decline_stands_over_an_older_clearance_across_new_intakes(clinic):
    patient = screened_patient(by=clinic.desk, yes=("anticoagulant",))
    _clear_then_decline_prp(clinic, patient)
    submit_intake(clinic.desk, patient, "anticoagulant")
    prp = services.eligibility_for(patient, [rules.PRP]).procedures[0]
    assert prp.status == services.DECLINED
    assert prp.review.decision == Decision.DECLINED
    with pytest.raises(ValidationError, match="declined"):
        scheduling.session_book(
            by=clinic.desk, patient=patient, session_type=clinic.types[PRP], start=on_day(2, 10)
        )


def test_hole_2_view_a_decline_stands_over_an_older_clearance_across_new_intakes(
    clinic, desk_client, physician_client
):
    patient = screened_patient(by=clinic.desk)
    post_intake(desk_client, patient, "anticoagulant")
    prp = latest(patient, rules.PRP)
    response = physician_client.post(
        reverse("eligibility:review-decide", args=[prp.pk]),
        {"decision": "cleared", "note": "INR stable.", "codes": ["anticoagulant"]},
    )
    assert response.status_code == 302
    post_intake(desk_client, patient, "anticoagulant")
    assert badge(desk_client, patient, rules.PRP) == "Cleared by physician"
    decided_in_form(physician_client, patient, rules.PRP, Decision.DECLINED, "anticoagulant")
    post_intake(desk_client, patient, "anticoagulant")
    assert badge(desk_client, patient, rules.PRP) == "Declined by physician"


# ---- hole 3: a check-in renews the whole screening ------------------------------------------


def test_hole_3_service_a_check_in_does_not_renew_validity(clinic):
    patient = screened_patient(by=clinic.desk)
    last_valid = today() + timedelta(days=29)
    with days_later(20):
        session = make_session(clinic, patient=patient, type_name=LLLT)
        scheduling.session_check_in(by=clinic.desk, session=session, answers=NO)
        assert session.status == Status.CHECKED_IN
        day_of = latest(patient, rules.LLLT)
        assert day_of.kind == ScreeningKind.DAY_OF
        assert day_of.valid_until == last_valid
        for procedure in rules.PROCEDURES:
            assert status(patient, procedure, on=last_valid) == services.ELIGIBLE
            assert status(patient, procedure, on=last_valid + timedelta(1)) == services.EXPIRED


def test_hole_3_view_a_check_in_does_not_renew_validity(clinic):
    patient = screened_patient(by=clinic.desk)
    with days_later(20):
        desk = login_client(clinic.desk)
        session = make_session(clinic, patient=patient, type_name=LLLT)
        check_in_form(desk, session)
        session.refresh_from_db()
        assert session.status == Status.CHECKED_IN
        # Day 29 counted from the intake (day 1) is bookable; day 30 is not.
        url = reverse("scheduling:session-book")
        ok = desk.post(url, book_form(clinic, patient, LLLT, 9, token="day-29"))
        assert ok.status_code == 302
        refused = desk.post(url, book_form(clinic, patient, LLLT, 10, token="day-30"))
        assert refused.status_code == 200
        assert "screening out of date" in page_text(refused)
    assert TreatmentSession.objects.filter(patient=patient).count() == 2


# ---- hole 4: nothing asks again after check-in -------------------------------------------


def _later():
    """A second session of the patient the same day, clear of the first (PostgreSQL's exclusion
    constraints refuse two at once)."""
    return timezone.now() + timedelta(hours=1)


def test_hole_4_service_start_chart_and_complete_ask_again_after_an_exclusion(clinic):
    patient = screened_patient(by=clinic.desk)
    waiting = make_session(clinic, patient=patient)
    scheduling.session_check_in(by=clinic.desk, session=waiting, answers=NO)
    charted = make_session(clinic, patient=patient, start=_later(), status=Status.IN_TREATMENT)
    scheduling.treatment_record(by=clinic.doctor, session=charted, **RECORD)
    submit_intake(clinic.desk, patient, "scalp_wound")
    with pytest.raises(ValidationError, match=r"Cannot start the treatment.*Scalp wound"):
        scheduling.session_start(by=clinic.doctor, session=waiting)
    with pytest.raises(ValidationError, match="Cannot chart this treatment"):
        scheduling.treatment_record(by=clinic.doctor, session=waiting, **RECORD)
    with pytest.raises(ValidationError, match="Cannot complete this session"):
        scheduling.session_complete(by=clinic.doctor, session=charted)
    waiting.refresh_from_db()
    charted.refresh_from_db()
    assert (waiting.status, charted.status) == (Status.CHECKED_IN, Status.IN_TREATMENT)
    assert not waiting.is_charted


def test_hole_4_service_start_asks_again_after_a_decline(clinic):
    patient = screened_patient(by=clinic.desk, yes=("anticoagulant",))
    decide(clinic, patient, rules.PRP, "cleared", "ok")
    session = make_session(clinic, patient=patient, type_name=PRP)
    scheduling.session_check_in(by=clinic.desk, session=session, answers=NO)
    assert session.status == Status.CHECKED_IN
    decide(clinic, patient, rules.PRP, "declined", "no")
    with pytest.raises(ValidationError, match=r"Cannot start the treatment.*declined"):
        scheduling.session_start(by=clinic.doctor, session=session)


def test_hole_4_view_start_chart_and_complete_ask_again_after_an_exclusion(
    clinic, desk_client, physician_client
):
    patient = screened_patient(by=clinic.desk)
    waiting = make_session(clinic, patient=patient)
    check_in_form(desk_client, waiting)
    charted = make_session(clinic, patient=patient, start=_later(), status=Status.IN_TREATMENT)
    response = physician_client.post(
        reverse("scheduling:session-treatment", args=[charted.pk]), FORM_RECORD
    )
    assert response.status_code == 302
    post_intake(desk_client, patient, "scalp_acne")

    started = physician_client.post(
        reverse("scheduling:session-start", args=[waiting.pk]), follow=True
    )
    assert "Cannot start the treatment" in page_text(started)
    chart = physician_client.post(
        reverse("scheduling:session-treatment", args=[waiting.pk]), FORM_RECORD
    )
    assert chart.status_code == 200
    assert "Cannot chart this treatment" in page_text(chart)
    done = physician_client.post(
        reverse("scheduling:session-complete", args=[charted.pk]), follow=True
    )
    assert "Cannot complete this session" in page_text(done)
    waiting.refresh_from_db()
    charted.refresh_from_db()
    assert (waiting.status, charted.status) == (Status.CHECKED_IN, Status.IN_TREATMENT)
    assert not waiting.is_charted


# ---- hole 5: a corrected birth date does not re-screen; no birth date, no age review -------


def test_hole_5_service_a_corrected_birth_date_re_screens_at_once(clinic):
    patient = screened_patient(by=clinic.desk)
    assert status(patient, rules.PRP) == services.ELIGIBLE
    sixteen = today().replace(year=today().year - 16) - timedelta(days=30)
    # (The factory's phone numbers do not pass the form's check: give a real one.)
    intake_services.patient_update(
        by=clinic.desk, patient=patient, date_of_birth=sixteen, phone="+447911123456"
    )
    for procedure in rules.PROCEDURES:
        screening = latest(patient, procedure)
        assert screening.kind == ScreeningKind.FACTS_CHANGED
        assert screening.derived["age"] == 16
        item = services.eligibility_for(patient, [procedure]).procedures[0]
        assert item.status == services.NEEDS_REVIEW
        assert [r.code for r in item.blocking_reasons] == [rules.UNDER_18]


def test_hole_5_view_a_corrected_birth_date_re_screens_at_once(clinic, desk_client):
    patient = screened_patient(by=clinic.desk)
    sixteen = today().replace(year=today().year - 16) - timedelta(days=30)
    data = {
        "first_name": patient.first_name,
        "last_name": patient.last_name,
        "date_of_birth": sixteen.isoformat(),
        "sex": patient.sex,
        "phone": "07911 123456",
    }
    response = desk_client.post(reverse("intake:patient-update", args=[patient.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    for procedure in rules.PROCEDURES:
        assert badge(desk_client, patient, procedure) == "Needs physician review"
    page = desk_client.get(reverse("intake:patient-detail", args=[patient.pk])).content.decode()
    assert "under 18" in page.lower()


def test_hole_5_no_birth_date_means_age_unknown_review():
    # The model requires a birth date, so this is the screen's own input: a patient without one.
    patient = Patient(first_name="No", last_name="Birthday", date_of_birth=None, sex="male")
    derived = services.derived_facts(patient, IntakeQuestionnaire(), date(2026, 3, 1))
    assert derived["age"] is None
    for procedure in rules.PROCEDURES:
        outcome = rules.evaluate(all_no(), procedure, **derived)
        assert outcome.status == rules.NEEDS_REVIEW
        assert [r.code for r in outcome.reasons] == [rules.AGE_UNKNOWN]


# ---- hole 6: a clearance matches codes only; a sunburn clearance lasts a year --------------


def _unanswered_patient(clinic):
    answers = all_no() | {"herpes_history": None, "nickel_allergy": None}
    intake = IntakeFactory(answers=answers)
    services.screen_intake(by=clinic.desk, intake=intake)
    return intake.patient


def test_hole_6_service_clearing_one_unanswered_question_does_not_clear_another(clinic):
    patient = _unanswered_patient(clinic)
    decide(
        clinic,
        patient,
        rules.MICRONEEDLING,
        Decision.CLEARED,
        "Asked on the phone: no cold sores ever.",
        codes=["unanswered:herpes_history"],
    )
    item = services.eligibility_for(patient, [rules.MICRONEEDLING]).procedures[0]
    assert item.status == services.NEEDS_REVIEW
    assert [r.code for r in item.blocking_reasons] == ["unanswered:nickel_allergy"]


def test_hole_6_service_clearances_are_capped(clinic):
    sunburn = screened_patient(by=clinic.desk, yes=("recent_sunburn",))
    validity = latest(sunburn, rules.MICRONEEDLING).valid_until
    for too_long in (today() + timedelta(days=366), validity + timedelta(days=1)):
        with pytest.raises(ValidationError) as refused:
            decide(
                clinic,
                sunburn,
                rules.MICRONEEDLING,
                Decision.CLEARED,
                "Mild.",
                cleared_until=too_long,
            )
        assert "cleared_until" in refused.value.message_dict
    [review] = decide(clinic, sunburn, rules.MICRONEEDLING, Decision.CLEARED, "Mild.")
    assert review.cleared_until == validity
    assert validity <= today() + timedelta(days=29)

    thinners = screened_patient(by=clinic.desk, yes=("anticoagulant",))
    limit = today() + timedelta(days=180)
    with pytest.raises(ValidationError, match=f"can last until {limit.day} {limit:%b %Y} at most"):
        decide(
            clinic,
            thinners,
            rules.PRP,
            Decision.CLEARED,
            "INR stable.",
            cleared_until=today() + timedelta(days=181),
        )
    [review] = decide(
        clinic, thinners, rules.PRP, Decision.CLEARED, "INR stable.", cleared_until=limit
    )
    assert review.cleared_until == today() + timedelta(days=180)


def test_hole_6_view_clearing_one_unanswered_question_does_not_clear_another(
    clinic, desk_client, physician_client
):
    patient = _unanswered_patient(clinic)
    mn = latest(patient, rules.MICRONEEDLING)
    response = physician_client.post(
        reverse("eligibility:review-decide", args=[mn.pk]),
        {
            "decision": "cleared",
            "note": "Asked on the phone: no cold sores ever.",
            "codes": ["unanswered:herpes_history"],
        },
    )
    assert response.status_code == 302
    assert badge(desk_client, patient, rules.MICRONEEDLING) == "Needs physician review"
    assert PhysicianReview.objects.get().codes == ["unanswered:herpes_history"]


def test_hole_6_view_a_sunburn_clearance_cannot_outlast_the_screening(
    clinic, desk_client, physician_client
):
    patient = screened_patient(by=clinic.desk, yes=("recent_sunburn",))
    response = decide_form(
        physician_client,
        patient,
        rules.MICRONEEDLING,
        Decision.CLEARED,
        "Mild.",
        codes=["recent_sunburn"],
        until=today() + timedelta(days=366),
    )
    assert response.status_code == 200
    assert "can last until" in page_text(response)
    assert not PhysicianReview.objects.exists()
    assert badge(desk_client, patient, rules.MICRONEEDLING) == "Needs physician review"


# ---- hole 7: the rule-set version is never compared -----------------------------------------


def _outdate(patient):
    Screening.objects.filter(patient=patient).update(ruleset_version="2026.11.1")


def test_hole_7_service_a_screening_on_older_rules_does_not_count_until_re_evaluated(clinic):
    patient = screened_patient(by=clinic.desk)
    _outdate(patient)
    item = services.eligibility_for(patient, [rules.MICRONEEDLING]).procedures[0]
    assert item.status == services.EXPIRED
    assert [r.code for r in item.blocking_reasons] == ["rules_changed"]
    assert services.screen_rules_updated() == 1
    for procedure in rules.PROCEDURES:
        screening = latest(patient, procedure)
        assert screening.kind == ScreeningKind.RULES_UPDATED
        assert screening.ruleset_version == rules.RULESET_VERSION
        assert screening.screened_by is None
        assert status(patient, procedure) == services.ELIGIBLE
    assert services.screen_rules_updated() == 0


def test_hole_7_view_a_screening_on_older_rules_is_out_of_date_until_re_evaluated(
    clinic, desk_client
):
    patient = screened_patient(by=clinic.desk)
    _outdate(patient)
    url = reverse("scheduling:session-book")
    refused = desk_client.post(url, book_form(clinic, patient, LLLT, 2, token="old-rules"))
    assert refused.status_code == 200
    assert "rules changed" in page_text(refused).lower()
    assert badge(desk_client, patient, rules.LLLT) == "Screening out of date"
    services.screen_rules_updated()
    assert badge(desk_client, patient, rules.LLLT) == "Eligible"
    booked = desk_client.post(url, book_form(clinic, patient, LLLT, 2, token="new-rules"))
    assert booked.status_code == 302


# ---- hole 8: same-day microneedling then LLLT needs a sign-off --------------------------------


def test_hole_8_service_microneedling_then_lllt_needs_a_signoff_in_force(clinic):
    patient = screened_patient(by=clinic.desk)

    def book(days):
        return scheduling.session_book(
            by=clinic.desk,
            patient=patient,
            session_type=clinic.types[MN_LLLT],
            start=on_day(days, 10),
        )

    with pytest.raises(ValidationError, match="sign-off"):
        book(2)
    signoff = services.signoff_record(
        by=clinic.doctor, patient=patient, note="Plan reviewed.", until=today() + timedelta(5)
    )
    assert book(2).status == Status.BOOKED
    # Not after its last day ...
    with pytest.raises(ValidationError, match="sign-off"):
        book(12)
    # ... nor once a physician ends it; the booked session then needs attention.
    services.signoff_end(by=clinic.doctor, signoff=signoff, note="Plan changed.")
    with pytest.raises(ValidationError, match="sign-off"):
        book(20)
    session = TreatmentSession.objects.get(patient=patient)
    assert "sign-off" in session.blocked_reason
    with pytest.raises(ValidationError):
        services.signoff_record(by=clinic.desk, patient=patient, note="desk")


def test_hole_8_view_microneedling_then_lllt_needs_a_signoff_in_force(
    clinic, desk_client, physician_client
):
    patient = screened_patient(by=clinic.desk)
    url = reverse("scheduling:session-book")
    refused = desk_client.post(url, book_form(clinic, patient, MN_LLLT, 2, token="a"))
    assert refused.status_code == 200
    assert "sign-off" in page_text(refused)
    assert (
        desk_client.post(
            reverse("eligibility:signoff-record", args=[patient.pk]), {"note": "desk"}
        ).status_code
        == 403
    )
    assert not PlanSignOff.objects.exists()
    signed = physician_client.post(
        reverse("eligibility:signoff-record", args=[patient.pk]), {"note": "Plan reviewed."}
    )
    assert signed.status_code == 302
    signoff = PlanSignOff.objects.get()
    assert signoff.until == today() + timedelta(days=180)
    assert (
        desk_client.post(url, book_form(clinic, patient, MN_LLLT, 2, token="b")).status_code == 302
    )
    ended = physician_client.post(
        reverse("eligibility:signoff-end", args=[signoff.pk]), {"note": "Plan changed."}
    )
    assert ended.status_code == 302
    again = desk_client.post(url, book_form(clinic, patient, MN_LLLT, 20, token="c"))
    assert again.status_code == 200
    assert "sign-off" in page_text(again)
    assert TreatmentSession.objects.count() == 1


# ---- hole 9: valid 31 days; no cap; hard-coded re-screen days -----------------------------


def test_hole_9_service_a_screening_is_valid_30_days_not_31(clinic):
    patient = screened_patient(by=clinic.desk)
    assert latest(patient, rules.LLLT).valid_until == today() + timedelta(days=29)
    assert status(patient, rules.LLLT, on=today() + timedelta(days=29)) == services.ELIGIBLE
    assert status(patient, rules.LLLT, on=today() + timedelta(days=30)) == services.EXPIRED


def test_hole_9_view_a_screening_is_valid_30_days_not_31(clinic, desk_client):
    patient = screened_patient(by=clinic.desk)
    url = reverse("scheduling:session-book")
    assert desk_client.post(url, book_form(clinic, patient, LLLT, 29, token="a")).status_code == 302
    refused = desk_client.post(url, book_form(clinic, patient, LLLT, 30, token="b"))
    assert refused.status_code == 200
    assert "screening out of date" in page_text(refused)


@pytest.mark.parametrize(
    ("valid", "rescreen", "ids"),
    [
        (30, {}, []),
        (31, {}, ["eligibility.E001"]),
        (0, {}, ["eligibility.E001"]),
        (30, {"scalp_tattoo": 5}, ["eligibility.E003"]),
        (30, {"anticoagulant": 5}, ["eligibility.E003"]),
        (30, {"scalp_acne": 31}, ["eligibility.E004"]),
        (30, {"scalp_acne": 5, "nsaid_recent": 3}, []),
    ],
)
def test_hole_9_the_system_check_validates_the_settings(settings, valid, rescreen, ids):
    settings.SCREENING_VALID_DAYS = valid
    settings.SCREENING_RESCREEN_DAYS = rescreen
    errors = screening_settings(None)
    assert all(isinstance(e, Error) for e in errors)
    assert [e.id for e in errors] == ids


def test_hole_9_service_a_per_code_setting_changes_the_rescreen_date(clinic, settings):
    settings.SCREENING_RESCREEN_DAYS = {"scalp_acne": 5}
    patient = screened_patient(by=clinic.desk, yes=("scalp_acne",))
    screening = latest(patient, rules.MICRONEEDLING)
    assert screening.rescreen_after == today() + timedelta(days=5)
    assert screening.valid_until == today() + timedelta(days=4)
    item = services.eligibility_for(patient, [rules.MICRONEEDLING]).procedures[0]
    assert [b.lifts_on for b in item.assessment.blocks] == [today() + timedelta(days=5)]
    with days_later(4):
        submit_intake(clinic.desk, patient)
        assert status(patient, rules.MICRONEEDLING) == services.INELIGIBLE
    with days_later(5):
        submit_intake(clinic.desk, patient)
        assert status(patient, rules.MICRONEEDLING) == services.ELIGIBLE


def test_hole_9_view_a_per_code_setting_changes_the_rescreen_date(clinic, settings):
    settings.SCREENING_RESCREEN_DAYS = {"scalp_acne": 5}
    patient = screened_patient(by=clinic.desk)
    desk = login_client(clinic.desk)
    post_intake(desk, patient, "scalp_acne")
    fifth = today() + timedelta(days=5)
    page = desk.get(reverse("intake:patient-detail", args=[patient.pk])).content.decode()
    assert f"from {fifth:%-d %b %Y} no longer finds it" in page
    with days_later(5):
        desk = login_client(clinic.desk)
        post_intake(desk, patient)
        assert badge(desk, patient, rules.MICRONEEDLING) == "Eligible"


# ---- hole 10: PRP and LLLT reasons speak of microneedling devices; "none listed" ---------------


def test_hole_10_service_under_18_reasons_name_their_own_procedure(clinic):
    minor = screened_patient(
        by=clinic.desk, patient__date_of_birth=today().replace(year=today().year - 16)
    )
    for procedure in rules.PROCEDURES:
        item = services.eligibility_for(minor, [procedure]).procedures[0]
        [reason] = item.blocking_reasons
        assert reason.code == rules.UNDER_18
        assert ("microneedling" in reason.label) == (procedure == rules.MICRONEEDLING)
    assert "PRP" in latest(minor, rules.PRP).reasons[0]["label"]
    assert "laser" in latest(minor, rules.LLLT).reasons[0]["label"]


def test_hole_10_service_medications_are_not_none_listed_after_a_yes(clinic):
    patient = screened_patient(by=clinic.desk, yes=("anticoagulant",))
    text = medications_text(latest(patient, rules.PRP))
    assert "none listed" not in text
    assert "taking blood thinners" in text
    assert medications_text(latest(screened_patient(by=clinic.desk), rules.PRP)) == "none listed"


def test_hole_10_view_reasons_and_medications_in_plain_words(clinic, desk_client, physician_client):
    minor = screened_patient(
        by=clinic.desk, patient__date_of_birth=today().replace(year=today().year - 16)
    )
    page = desk_client.get(reverse("intake:patient-detail", args=[minor.pk])).content.decode()
    assert page.count("microneedling devices are authorised for adults only") >= 1
    assert "guardian consent needed for PRP" in page
    assert "laser devices are cleared for adults" in page
    for procedure in (rules.PRP, rules.LLLT):
        decide = physician_client.get(reverse("eligibility:decide", args=[minor.pk, procedure]))
        assert "microneedling devices" not in decide.content.decode()

    patient = screened_patient(by=clinic.desk, yes=("anticoagulant",))
    prp = latest(patient, rules.PRP)
    review = physician_client.get(reverse("eligibility:review-decide", args=[prp.pk]))
    content = page_text(review)
    assert "Medications: none listed" not in content
    assert "answered yes to: taking blood thinners" in content
