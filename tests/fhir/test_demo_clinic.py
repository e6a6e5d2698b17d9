"""The demo clinic (`seed_demo`: varied patients, intakes by staff and by the patients
themselves, reviews, cancelled and completed sessions) exports as valid FHIR throughout."""

import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from fhir_export import selectors
from intake.models import Patient
from tests.factories import UserFactory, login_client
from tests.fhir.validation import validate
from tests.permission_matrix import CLINIC_ADMIN

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_admin(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    return login_client(UserFactory(role=CLINIC_ADMIN, is_staff=True))


def test_every_demo_patient_bundle_is_valid(demo_admin):
    for pk in Patient.objects.values_list("pk", flat=True):
        response = demo_admin.get(reverse("fhir:patient-bundle", args=[pk]))
        assert response.status_code == 200
        for entry in json.loads(response.content)["entry"]:
            validate(entry["resource"])


def test_every_demo_ndjson_line_is_valid(demo_admin):
    for resource_type in selectors.TYPES:
        response = demo_admin.get(reverse("fhir:ndjson", args=[resource_type]))
        assert response.status_code == 200
        for line in b"".join(response.streaming_content).decode().splitlines():
            resource = validate(json.loads(line))
            assert resource.get_resource_type() == resource_type
