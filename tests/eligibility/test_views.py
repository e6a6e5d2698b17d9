from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from eligibility import rules
from eligibility.models import PhysicianReview, Screening
from eligibility.services import _clinic_today
from tests.factories import PatientFactory
from tests.intake.test_views import intake_post

pytestmark = pytest.mark.django_db


def submit_intake(client, patient, **answers):
    response = client.post(
        reverse("intake:intake-create", args=[patient.pk]),
        intake_post(**{f"q_{code}": "yes" for code in answers}),
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def screening(patient, procedure):
    return Screening.objects.filter(patient=patient, procedure=procedure).latest()


def test_scalp_acne_intake_shows_not_eligible_with_reason(desk_client):
    patient = PatientFactory()
    submit_intake(desk_client, patient, scalp_acne=True)
    page = desk_client.get(reverse("intake:patient-detail", args=[patient.pk])).content.decode()
    assert page.count("Not eligible") >= 3
    assert "Scalp acne" in page
    rescreen = _clinic_today() + timedelta(days=14)
    # What lifts it and from when (lifecycle rule 2).
    assert f"from {rescreen:%-d %b %Y} no longer finds it" in page
    assert "resolved on examination or entered in error" in page
    for procedure in rules.PROCEDURES:
        assert f'data-procedure="{procedure}">Not eligible' in page


def test_front_desk_sees_reasons_but_not_the_answers(desk_client):
    patient = PatientFactory()
    submit_intake(desk_client, patient, anticoagulant=True)
    intake = patient.intakes.get()
    detail = desk_client.get(reverse("intake:intake-detail", args=[patient.pk, intake.pk]))
    content = detail.content.decode()
    assert "Taking blood thinners" not in content
    assert "for physicians" in content


def test_physician_sees_the_answers(physician_client, desk_client):
    patient = PatientFactory()
    submit_intake(desk_client, patient, anticoagulant=True)
    intake = patient.intakes.get()
    detail = physician_client.get(reverse("intake:intake-detail", args=[patient.pk, intake.pk]))
    assert rules.CATALOGUE_BY_CODE["anticoagulant"].question in detail.content.decode()


def test_front_desk_update_does_not_prefill_answers(desk_client, physician_client):
    patient = PatientFactory()
    submit_intake(desk_client, patient, anticoagulant=True)
    intake = patient.intakes.get()
    url = reverse("intake:intake-edit", args=[patient.pk, intake.pk])
    desk_form = desk_client.get(url).content.decode()
    assert 'name="q_anticoagulant" value="yes"' in desk_form
    assert "checked" not in _yes_input(desk_form, "anticoagulant")
    assert 'value="Two years ago"' in desk_form
    doc_form = physician_client.get(url).content.decode()
    assert "checked" in _yes_input(doc_form, "anticoagulant")


def _yes_input(page: str, code: str) -> str:
    """The attributes of the 'yes' radio button of a catalogue question."""
    return page.split(f'name="q_{code}" value="yes"')[1].split(">")[0]


def test_blood_thinners_go_to_queue_and_clearance_shows_on_patient_page(
    desk_client, physician_client, physician_user
):
    patient = PatientFactory()
    submit_intake(desk_client, patient, anticoagulant=True)
    queue = physician_client.get(reverse("eligibility:review-queue")).content.decode()
    assert patient.last_name in queue
    prp = screening(patient, rules.PRP)
    decide_url = reverse("eligibility:review-decide", args=[prp.pk])
    page = physician_client.get(decide_url).content.decode()
    assert rules.CATALOGUE_BY_CODE["anticoagulant"].question in page
    until = _clinic_today() + timedelta(days=20)
    response = physician_client.post(
        decide_url,
        {"decision": "cleared", "cleared_until": until.isoformat(), "note": "INR in range."},
    )
    assert response.status_code == 302
    review = PhysicianReview.objects.get()
    assert review.decided_by == physician_user and review.cleared_until == until
    patient_page = desk_client.get(reverse("intake:patient-detail", args=[patient.pk]))
    content = patient_page.content.decode()
    assert 'data-procedure="prp">Cleared by physician' in content
    assert f"Cleared until {until:%-d %b %Y}" in content
    assert "INR in range." in content
    queue = physician_client.get(reverse("eligibility:review-queue")).content.decode()
    assert f'href="{decide_url}"' not in queue


def test_decision_needs_a_note(desk_client, physician_client):
    patient = PatientFactory()
    submit_intake(desk_client, patient, anticoagulant=True)
    url = reverse("eligibility:review-decide", args=[screening(patient, rules.PRP).pk])
    response = physician_client.post(url, {"decision": "cleared", "note": ""})
    assert response.status_code == 200
    assert "A note is required" in response.content.decode()
    assert not PhysicianReview.objects.exists()


def test_clearing_an_exclusion_is_refused_whatever_is_posted(desk_client, physician_client):
    patient = PatientFactory()
    submit_intake(desk_client, patient, scalp_wound=True)
    url = reverse("eligibility:review-decide", args=[screening(patient, rules.MICRONEEDLING).pk])
    response = physician_client.post(
        url,
        {
            "decision": "cleared",
            "note": "looks fine",
            "cleared_until": (_clinic_today() + timedelta(days=5)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "An exclusion stands; a physician cannot clear it." in response.content.decode()
    assert not PhysicianReview.objects.exists()


def test_front_desk_cannot_open_queue_or_decide(desk_client):
    patient = PatientFactory()
    submit_intake(desk_client, patient, anticoagulant=True)
    assert desk_client.get(reverse("eligibility:review-queue")).status_code == 403
    url = reverse("eligibility:review-decide", args=[screening(patient, rules.PRP).pk])
    response = desk_client.post(url, {"decision": "cleared", "note": "sneaky"})
    assert response.status_code == 403
    assert not PhysicianReview.objects.exists()


def test_patient_page_query_count_does_not_grow_with_history(desk_client):
    patient = PatientFactory()
    submit_intake(desk_client, patient, anticoagulant=True)
    url = reverse("intake:patient-detail", args=[patient.pk])
    with CaptureQueriesContext(connection) as one:
        desk_client.get(url)
    for _ in range(4):
        submit_intake(desk_client, patient, anticoagulant=True)
    with CaptureQueriesContext(connection) as five:
        desk_client.get(url)
    assert len(five.captured_queries) == len(one.captured_queries)
