"""The pre-visit check: the day-of scalp questions by link, 48 hours ahead. A "yes" blocks as
any day-of finding does and puts the session on the front desk's list; a "no" lifts nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from eligibility import rules
from eligibility.models import Screening, ScreeningKind
from eligibility.services import eligibility_for
from portal import services
from portal.models import PatientAccess, Purpose
from scheduling.models import TreatmentSession
from tests.portal.helpers import verified
from tests.scheduling.factories import LLLT, make_session, screened_patient

pytestmark = pytest.mark.django_db


def _answers(*yes):
    return {code: ("yes" if code in yes else "no") for code in rules.DAY_OF_CODES}


@pytest.fixture
def booked(clinic):
    patient = screened_patient(by=clinic.desk)
    return make_session(clinic, patient=patient, start=timezone.now() + timedelta(hours=40))


def _check(clinic, session):
    return verified(clinic.desk, session.patient, purpose=Purpose.PRE_VISIT, session=session)


def test_a_yes_blocks_and_puts_the_session_on_the_desks_list(clinic, booked, desk_client):
    client, access = _check(clinic, booked)
    page = client.get(reverse("portal:home"), follow=True)
    assert "Before your visit" in page.content.decode()
    response = client.post(reverse("portal:pre-visit"), _answers("scalp_wound"))
    assert response["Location"] == reverse("portal:done")
    assert "Please call us" in client.get(response["Location"]).content.decode()
    screening = Screening.objects.filter(kind=ScreeningKind.PRE_VISIT).get(
        procedure="microneedling"
    )
    assert screening.screened_by is None and screening.answers["scalp_wound"] is True
    booked.refresh_from_db()
    assert booked.blocked_reason.startswith("Pre-visit check: the patient reported scalp wound")
    assert not eligibility_for(booked.patient, booked.session_type).bookable
    dashboard = desk_client.get(reverse("dashboard")).content.decode()
    assert '<span class="fw-semibold text-body" id="attention-count">1</span>' in dashboard
    listing = desk_client.get(reverse("scheduling:attention")).content.decode()
    assert "Pre-visit check: the patient reported scalp wound" in listing
    access.refresh_from_db()
    assert access.completed_at and access.answers["scalp_wound"] is True
    # On the patient's timeline, as the patient's own answer.
    timeline = desk_client.get(booked.patient.get_absolute_url()).content.decode()
    assert "Pre-visit check (patient-reported) screening" in timeline
    assert "the patient" in timeline


def test_a_yes_that_no_rule_of_the_session_reads_still_reaches_the_desk(clinic, desk_client):
    patient = screened_patient(by=clinic.desk)
    laser = make_session(
        clinic, patient=patient, start=timezone.now() + timedelta(hours=30), type_name=LLLT
    )
    client, _ = _check(clinic, laser)
    client.post(reverse("portal:pre-visit"), _answers("scalp_acne"))
    laser.refresh_from_db()
    assert "scalp acne" in laser.blocked_reason


def test_all_no_lifts_nothing_and_renews_nothing(clinic, desk_client):
    patient = screened_patient(by=clinic.desk, yes=("scalp_wound",))
    session = make_session(clinic, patient=patient, start=timezone.now() + timedelta(hours=40))
    before = set(Screening.objects.values_list("pk", flat=True))
    client, _ = _check(clinic, session)
    response = client.post(reverse("portal:pre-visit"), _answers())
    assert "see you soon" in client.get(response["Location"]).content.decode()
    # No screening was stored: a "no" is not an answer the lifecycle sees.
    assert set(Screening.objects.values_list("pk", flat=True)) == before
    assert not eligibility_for(patient, session.session_type).bookable


def test_every_question_must_be_answered(clinic, booked):
    client, _ = _check(clinic, booked)
    data = _answers()
    del data["scalp_wound"]
    response = client.post(reverse("portal:pre-visit"), data)
    assert response.status_code == 400 and "Please answer yes or no." in response.content.decode()
    assert not Screening.objects.filter(kind=ScreeningKind.PRE_VISIT).exists()


def test_the_check_ends_when_the_session_starts(clinic):
    patient = screened_patient(by=clinic.desk)
    session = make_session(clinic, patient=patient, start=timezone.now() + timedelta(hours=5))
    access, _ = services.access_issue(
        by=None, patient=patient, purpose=Purpose.PRE_VISIT, session=session
    )
    assert access.expires_at == session.start


def test_answered_once_only(clinic, booked):
    client, access = _check(clinic, booked)
    client.post(reverse("portal:pre-visit"), _answers())
    response = client.post(reverse("portal:pre-visit"), _answers("scalp_wound"))
    assert response["Location"] == reverse("portal:done")
    assert not Screening.objects.filter(kind=ScreeningKind.PRE_VISIT).exists()
    assert PatientAccess.objects.get(pk=access.pk).answers["scalp_wound"] is False


def test_a_check_link_cannot_open_the_intake(clinic, booked):
    client, _ = _check(clinic, booked)
    response = client.get(reverse("portal:intake", kwargs={"step": "hair"}))
    assert response["Location"] == reverse("portal:home")
    assert TreatmentSession.objects.get(pk=booked.pk).blocked_reason == ""
