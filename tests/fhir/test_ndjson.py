"""The whole clinic as NDJSON, one file per resource type: every line a valid resource, the
patients of each chunk logged in one insert, and the same number of queries whatever the size
of the clinic."""

import json

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fhir_export import selectors
from fhir_export.models import FhirExport
from intake.models import Patient
from tests.fhir.conftest import make_demo
from tests.fhir.validation import validate

pytestmark = pytest.mark.django_db

TYPES = list(selectors.TYPES)
# What each file holds of the demo patient: at least this many lines.
AT_LEAST = {
    "Patient": 1,
    "Questionnaire": 1,
    "QuestionnaireResponse": 1,
    "DetectedIssue": 2,
    "Consent": 4,
    "Appointment": 2,
    "Procedure": 1,
    "Media": 2,
    "Observation": 1,
    "Practitioner": 2,
    "Location": 1,
    "Device": 1,
}


def _stream(client, resource_type: str) -> list[str]:
    response = client.get(reverse("fhir:ndjson", args=[resource_type]))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "application/fhir+ndjson"
    assert response["Content-Disposition"].startswith("attachment;")
    return b"".join(response.streaming_content).decode().splitlines()


def _last_entry() -> int:
    return LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_every_type_is_listed():
    assert set(TYPES) == set(AT_LEAST)


@pytest.mark.parametrize("resource_type", TYPES)
def test_each_line_is_a_valid_resource_of_the_type(admin_client_, demo, resource_type):
    lines = _stream(admin_client_, resource_type)
    assert len(lines) >= AT_LEAST[resource_type]
    ids = set()
    for line in lines:
        resource = json.loads(line)
        assert resource["resourceType"] == resource_type
        validate(resource)
        ids.add(resource["id"])
    assert len(ids) == len(lines), "ids are unique"
    export = FhirExport.objects.get()
    assert (export.scope, export.subject, export.resources) == ("clinic", resource_type, len(lines))


def test_an_unknown_type_is_404(admin_client_):
    response = admin_client_.get(reverse("fhir:ndjson", args=["Nonsense"]))
    assert response.status_code == 404
    assert not FhirExport.objects.exists()


def test_the_patients_of_each_chunk_are_logged_in_one_insert(
    admin_client_, admin_user, clinic, monkeypatch
):
    demos = [make_demo(clinic, day=-7 - n) for n in range(5)]
    monkeypatch.setattr(selectors, "CHUNK", 2)
    before = _last_entry()
    response = admin_client_.get(reverse("fhir:ndjson", args=["Appointment"]))
    with CaptureQueriesContext(connection) as queries:
        lines = b"".join(response.streaming_content).decode().splitlines()
    inserts = [q for q in queries if q["sql"].startswith('INSERT INTO "auditlog_logentry"')]
    assert len(lines) == 10  # two sessions each
    # Ten sessions, two a chunk; and the change entry of the export's count, written last.
    assert len(inserts) == 5 + 1
    logged = LogEntry.objects.filter(
        pk__gt=before, action=LogEntry.Action.ACCESS, actor=admin_user
    ).values_list("object_pk", flat=True)
    assert set(logged) == {str(d.patient.pk) for d in demos}


def test_files_without_patient_data_log_no_patient(admin_client_, admin_user, demo):
    before = _last_entry()
    for resource_type in ("Questionnaire", "Practitioner", "Location", "Device"):
        _stream(admin_client_, resource_type)
    assert not LogEntry.objects.filter(
        pk__gt=before, action=LogEntry.Action.ACCESS, actor=admin_user
    ).exists()


def test_the_patient_file_logs_every_patient(admin_client_, admin_user, demo):
    before = _last_entry()
    _stream(admin_client_, "Patient")
    logged = LogEntry.objects.filter(
        pk__gt=before, action=LogEntry.Action.ACCESS, actor=admin_user
    ).values_list("object_pk", flat=True)
    assert sorted(logged) == sorted(str(pk) for pk in Patient.objects.values_list("pk", flat=True))


@pytest.mark.parametrize("resource_type", TYPES)
def test_queries_do_not_grow_with_the_clinic(admin_client_, clinic, resource_type):
    make_demo(clinic, day=-20)
    _stream(admin_client_, resource_type)  # warm caches (content types, permissions)

    def measure() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            lines = _stream(admin_client_, resource_type)
        return len(queries), len(lines)

    small_queries, small_lines = measure()
    for n in range(3):
        make_demo(clinic, day=-8 - n)
    large_queries, large_lines = measure()
    if resource_type not in ("Questionnaire", "Location", "Device"):
        assert large_lines > small_lines
    assert large_queries == small_queries, (resource_type, small_queries, large_queries)


def test_nothing_is_read_until_the_file_is_streamed(admin_client_, demo):
    """The view answers at once; the rows are read (and logged) as the lines are sent."""
    with CaptureQueriesContext(connection) as at_answer:
        response = admin_client_.get(reverse("fhir:ndjson", args=["Appointment"]))
    assert not [q for q in at_answer if "scheduling_treatmentsession" in q["sql"]]
    with CaptureQueriesContext(connection) as streaming:
        lines = b"".join(response.streaming_content).decode().splitlines()
    assert [q for q in streaming if "scheduling_treatmentsession" in q["sql"]]
    assert len(lines) == len(demo.sessions)
