"""The export page, the permissions on the downloads, and the published Questionnaire."""

import json
import re

import pytest
from django.urls import reverse

from fhir_export import builders
from fhir_export.models import FhirExport
from intake.questionnaire import QUESTIONS
from tests.factories import PatientFactory, UserFactory
from tests.fhir.validation import validate

pytestmark = pytest.mark.django_db


def _urls(patient_pk: int) -> list[str]:
    return [
        reverse("fhir:export"),
        reverse("fhir:patient-bundle", args=[patient_pk]),
        reverse("fhir:ndjson", args=["Patient"]),
        reverse("fhir:ndjson", args=["Nonsense"]),
    ]


@pytest.mark.parametrize("role_client", ["desk_client", "physician_client"])
def test_front_desk_and_physicians_get_403(request, role_client):
    client = request.getfixturevalue(role_client)
    patient = PatientFactory()
    for url in _urls(patient.pk):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("fhir:export"), {"mrn": patient.mrn}).status_code == 403
    assert not FhirExport.objects.exists()


def test_anonymous_is_sent_to_log_in(client):
    patient = PatientFactory()
    for url in [*_urls(patient.pk), reverse("fhir:questionnaire")]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login"))


def test_the_page_lists_every_file_and_the_latest_exports(admin_client_, admin_user):
    FhirExport.objects.create(scope="clinic", subject="Device", requested_by=admin_user)
    response = admin_client_.get(reverse("fhir:export"))
    assert response.status_code == 200
    page = response.content.decode()
    for resource_type in ("Patient", "Consent", "Media", "Procedure", "DetectedIssue"):
        assert reverse("fhir:ndjson", args=[resource_type]) in page
    assert 'name="mrn"' in page
    assert "Whole clinic (NDJSON)" in page
    assert "<td>Device</td>" in page
    assert "style=" not in page and "<script>" not in page
    main = page[page.index("<main") : page.index("</main>")]
    _forms_not_nested(main, 2)  # the MRN form, and the button that starts the ZIP job
    assert reverse("reports:fhir-job-start") in main


def test_an_mrn_is_posted_and_redirects_to_the_bundle_by_id(admin_client_):
    patient = PatientFactory()
    response = admin_client_.post(reverse("fhir:export"), {"mrn": patient.mrn.lower()})
    assert response.status_code == 302
    assert response.url == reverse("fhir:patient-bundle", args=[patient.pk])
    assert patient.mrn not in response.url


def test_an_unknown_mrn_says_so(admin_client_):
    response = admin_client_.post(reverse("fhir:export"), {"mrn": "F99999999"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "No patient has this MRN." in page
    _forms_not_nested(page[page.index("<main") : page.index("</main>")], 2)


def _forms_not_nested(html: str, count: int) -> None:
    tags = re.findall(r"</?form\b", html)
    assert tags == ["<form", "</form"] * count, tags


def test_the_questionnaire_is_published_for_staff(desk_client):
    response = desk_client.get(reverse("fhir:questionnaire"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    questionnaire = json.loads(response.content)
    validate(questionnaire)
    assert questionnaire["url"].endswith(reverse("fhir:questionnaire"))
    assert questionnaire["version"] == builders.questionnaire_version()
    link_ids = {item["linkId"] for group in questionnaire["item"] for item in group["item"]}
    assert {q.code for q in QUESTIONS} <= link_ids
    assert {"onset", "course", "scale", "grade", "medications", "treatments"} <= link_ids


def test_a_user_in_no_group_may_read_the_questionnaire_but_not_export():
    from tests.factories import login_client

    client = login_client(UserFactory())
    assert client.get(reverse("fhir:questionnaire")).status_code == 200
    assert client.get(reverse("fhir:export")).status_code == 403
