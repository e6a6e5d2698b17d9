"""One patient's Bundle: every resource valid R4B, every reference resolved inside it, and
everything the patient has named in it (issue 17: "a round trip of one demo patient's bundle
names every session, consent and photo it has")."""

import json

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from fhir_export.models import FhirExport
from intake.questionnaire import QUESTIONS
from tests.fhir.conftest import CARTRIDGE_LOT, PRP_KIT_LOT
from tests.fhir.validation import R4B, validate

pytestmark = pytest.mark.django_db


def _download(client, patient):
    response = client.get(reverse("fhir:patient-bundle", args=[patient.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    assert response["Content-Disposition"].startswith("attachment;")
    assert patient.mrn not in response["Content-Disposition"]
    return json.loads(response.content)


def _by_id(bundle: dict) -> dict[str, dict]:
    return {
        f"{e['resource']['resourceType']}/{e['resource']['id']}": e["resource"]
        for e in bundle["entry"]
    }


def _references(value) -> list[str]:
    if isinstance(value, dict):
        found = [value["reference"]] if isinstance(value.get("reference"), str) else []
        return found + [ref for item in value.values() for ref in _references(item)]
    if isinstance(value, list):
        return [ref for item in value for ref in _references(item)]
    return []


def test_the_bundle_validates_and_round_trips(admin_client_, demo):
    data = _download(admin_client_, demo.patient)
    bundle = R4B.get_fhir_model_class("Bundle").model_validate(data)
    assert bundle.type == "collection"
    for entry in data["entry"]:
        validate(entry["resource"])
        resource = entry["resource"]
        assert entry["fullUrl"].endswith(f"/fhir/{resource['resourceType']}/{resource['id']}")
    again = json.loads(bundle.model_dump_json())
    assert len(again["entry"]) == len(data["entry"])


def test_the_bundle_names_every_session_consent_and_photo(admin_client_, demo):
    found = _by_id(_download(admin_client_, demo.patient))
    patient = demo.patient
    assert f"Patient/patient-{patient.pk}" in found
    for session in demo.sessions:
        assert f"Appointment/appointment-{session.pk}" in found
    assert f"Procedure/procedure-{demo.completed.pk}" in found
    assert f"Procedure/procedure-{demo.sessions[1].pk}" not in found  # booked, not done
    for consent in patient.consents.all():
        assert f"Consent/consent-{consent.pk}" in found
    assert f"Consent/photo-consent-{demo.photo_consent.pk}" in found
    for photo in demo.photos:
        media = found[f"Media/media-{photo.pk}"]
        assert media["content"]["url"].endswith(reverse("photos:image", args=[photo.pk]))
        assert media["view"]["text"] == photo.view.label
        assert media["partOf"] == [{"reference": f"Appointment/appointment-{photo.session_id}"}]
    for intake in patient.intakes.all():
        assert f"QuestionnaireResponse/intake-{intake.pk}" in found
    assert f"Observation/outcome-{demo.outcome.pk}" in found


def test_every_reference_resolves_inside_the_bundle(admin_client_, demo):
    data = _download(admin_client_, demo.patient)
    found = _by_id(data)
    for resource in found.values():
        contained = {f"#{c['id']}" for c in resource.get("contained", [])}
        for reference in _references(resource):
            assert reference in found or reference in contained, (resource["id"], reference)
    assert {key.split("/")[0] for key in found} >= {"Practitioner", "Location", "Device"}


def test_the_procedure_carries_device_lots_and_needle_depth(admin_client_, demo):
    found = _by_id(_download(admin_client_, demo.patient))
    procedure = found[f"Procedure/procedure-{demo.completed.pk}"]
    lots = {device["lotNumber"] for device in procedure["contained"]}
    assert lots == {CARTRIDGE_LOT, PRP_KIT_LOT}
    device = f"Device/device-{demo.completed.device_id}"
    assert procedure["focalDevice"][0]["manipulated"] == {"reference": device}
    assert found[device]["serialNumber"] == demo.completed.device.serial
    assert procedure["extension"][0]["valueQuantity"]["value"] == 1.5
    assert any("Needle depth: 1.50 mm" in note["text"] for note in procedure["note"])
    assert procedure["performer"][0]["actor"]["reference"] == (
        f"Practitioner/practitioner-{demo.completed.provider_id}"
    )


def test_the_intake_answers_the_published_questionnaire(admin_client_, demo):
    found = _by_id(_download(admin_client_, demo.patient))
    questionnaire = found["Questionnaire/intake"]
    response = next(r for k, r in found.items() if k.startswith("QuestionnaireResponse/"))
    assert response["questionnaire"] == f"{questionnaire['url']}|{questionnaire['version']}"
    answered = {
        item["linkId"]: item["answer"][0]
        for group in response["item"]
        for item in group["item"]
        if "answer" in item
    }
    assert answered["smoker"] == {"valueBoolean": True}
    assert answered["scalp_wound"] == {"valueBoolean": False}
    assert {q.code for q in QUESTIONS} <= set(answered)
    assert answered["course"]["valueCoding"]["code"] == "gradual"


def test_findings_are_detected_issues_with_a_severity(admin_client_, demo):
    found = _by_id(_download(admin_client_, demo.patient))
    issues = [r for r in found.values() if r["resourceType"] == "DetectedIssue"]
    codes = {(i["code"]["coding"][0]["code"], i["severity"]) for i in issues}
    assert ("smoker", "low") in codes  # a caution for PRP
    assert ("herpes_history", "moderate") in codes  # a physician's review for microneedling


def test_the_patient_resource(admin_client_, demo):
    patient = demo.patient
    resource = _by_id(_download(admin_client_, patient))[f"Patient/patient-{patient.pk}"]
    assert resource["identifier"][0]["value"] == patient.mrn
    assert resource["identifier"][0]["system"].endswith("/fhir/sid/mrn")
    assert resource["birthDate"] == patient.date_of_birth.isoformat()
    assert resource["gender"] == "male"
    assert resource["name"][0] == {
        "use": "official",
        "family": patient.last_name,
        "given": [patient.first_name],
    }
    assert resource["telecom"][0]["value"] == patient.phone.as_e164


def test_the_download_is_logged_and_recorded(admin_client_, admin_user, demo):
    before = LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    data = _download(admin_client_, demo.patient)
    accessed = LogEntry.objects.filter(
        pk__gt=before, action=LogEntry.Action.ACCESS, actor=admin_user
    ).values_list("object_pk", flat=True)
    assert str(demo.patient.pk) in set(accessed)
    export = FhirExport.objects.get()
    assert (export.scope, export.subject) == ("patient", str(demo.patient.pk))
    assert export.requested_by == admin_user
    assert export.resources == len(data["entry"])


def test_a_patient_with_nothing_yet_is_a_bundle_of_one(admin_client_):
    from tests.factories import PatientFactory

    patient = PatientFactory(address="1 High Street", email="p@example.com")
    data = _download(admin_client_, patient)
    R4B.get_fhir_model_class("Bundle").model_validate(data)
    assert [e["resource"]["resourceType"] for e in data["entry"]] == ["Patient"]
    assert data["entry"][0]["resource"]["address"] == [{"text": "1 High Street"}]


def test_an_unknown_patient_is_404(admin_client_):
    assert admin_client_.get(reverse("fhir:patient-bundle", args=[999999])).status_code == 404
