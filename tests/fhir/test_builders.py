"""The builders alone: mappings that the demo patient does not cover, each resource valid."""

import pytest
from django.urls import NoReverseMatch

from fhir_export import builders
from intake.models import Sex
from scheduling.models import Status
from tests.factories import PatientFactory
from tests.fhir.validation import validate
from tests.scheduling.factories import make_session, on_day, screened_patient

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("sex", "gender"),
    [(Sex.FEMALE, "female"), (Sex.MALE, "male"), (Sex.INTERSEX, "other"), (Sex.UNKNOWN, "unknown")],
)
def test_sex_maps_to_an_administrative_gender(sex, gender):
    resource = builders.patient(PatientFactory(sex=sex))
    validate(resource)
    assert resource["gender"] == gender


def test_an_archived_patient_is_inactive_and_a_preferred_name_is_usual():
    from django.utils import timezone

    patient = PatientFactory(preferred_name="Bee")
    patient.archived_at = timezone.now()
    resource = builders.patient(patient)
    validate(resource)
    assert resource["active"] is False
    assert resource["name"][1] == {"use": "usual", "given": ["Bee"]}


@pytest.mark.parametrize(
    ("status", "fhir_status"),
    [
        (Status.BOOKED, "booked"),
        (Status.CHECKED_IN, "checked-in"),
        (Status.IN_TREATMENT, "arrived"),
        (Status.NO_SHOW, "noshow"),
        (Status.CANCELLED, "cancelled"),
    ],
)
def test_session_status_maps_to_an_appointment_status(clinic, status, fhir_status):
    patient = screened_patient(by=clinic.desk)
    extra = {"cancel_reason": "Patient unwell."} if status == Status.CANCELLED else {}
    session = make_session(clinic, patient=patient, start=on_day(2, 10), status=status, **extra)
    resource = builders.appointment(session)
    validate(resource)
    assert resource["status"] == fhir_status
    if extra:
        assert resource["cancelationReason"] == {"text": "Patient unwell."}
    actors = {p["actor"]["reference"].split("/")[0] for p in resource["participant"]}
    assert actors == {"Patient", "Practitioner", "Location", "Device"}


def test_a_withdrawn_photo_consent_is_inactive(demo):
    from django.utils import timezone

    consent = demo.photo_consent
    consent.withdrawn_at = timezone.now()
    resource = builders.photo_consent(consent)
    validate(resource)
    assert resource["status"] == "inactive"
    assert "end" in resource["provision"]["period"]


def test_the_photo_url_falls_back_while_the_photo_view_is_missing(monkeypatch):
    def missing(*args, **kwargs):
        raise NoReverseMatch

    monkeypatch.setattr(builders, "reverse", missing)
    assert builders.photo_url(7).endswith("/photos/7/image/")


def test_the_questionnaire_version_follows_its_content(monkeypatch):
    version = builders.questionnaire_version()
    assert version == builders.questionnaire_version()
    monkeypatch.setattr(builders, "HISTORY", builders.HISTORY[:-1])
    assert builders.questionnaire_version() != version
