"""Issue 11, hole 10 of the same kind: an empty free-text box is not "none" when a question it
should explain was answered yes (medications, and allergies too)."""

import pytest
from django.urls import reverse

from eligibility import rules
from eligibility.models import Screening
from eligibility.views import allergies_text, medications_text
from tests.scheduling.factories import make_clinic, screened_patient

pytestmark = pytest.mark.django_db


def _latest(patient, procedure):
    return Screening.objects.get(patient=patient, procedure=procedure, is_latest=True)


def test_allergies_are_not_none_listed_after_a_yes_to_nickel():
    clinic = make_clinic()
    patient = screened_patient(by=clinic.desk, yes=("nickel_allergy",))
    text = allergies_text(_latest(patient, rules.MICRONEEDLING))
    assert text == "not written down (answered yes to: nickel allergy)"
    clean = screened_patient(by=clinic.desk)
    assert allergies_text(_latest(clean, rules.MICRONEEDLING)) == "none listed"
    assert medications_text(_latest(clean, rules.MICRONEEDLING)) == "none listed"


def test_the_decision_page_says_so(physician_client):
    clinic = make_clinic()
    patient = screened_patient(by=clinic.desk, yes=("nickel_allergy",))
    url = reverse("eligibility:decide", args=[patient.pk, rules.MICRONEEDLING])
    page = physician_client.get(url).content.decode()
    assert "Allergies: not written down (answered yes to: nickel allergy)" in page
