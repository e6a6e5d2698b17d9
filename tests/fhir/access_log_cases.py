"""The FHIR downloads hand out patients' data: each is declared with what it must log (see
tests/core/test_access_log.py)."""

from django.urls import reverse

from core.roles import CLINIC_ADMIN
from intake.models import Patient
from tests.core.test_access_log import Page, _rev

PATIENT_PAGES = {
    "fhir:patient-bundle": Page(
        CLINIC_ADMIN, _rev("fhir:patient-bundle", lambda w: w.patient), lambda w: [w.patient]
    ),
    # The clinic's patients, each logged once as its chunk is written.
    "fhir:ndjson": Page(
        CLINIC_ADMIN,
        lambda w: reverse("fhir:ndjson", args=["Patient"]),
        lambda w: list(Patient.objects.all()),
        every_row=True,
    ),
}

NO_PATIENT_DATA = {
    "fhir:export": "the list of downloads, the MRN form (POSTed, redirects by id) and past "
    "exports (patient ids only)",
    "fhir:questionnaire": "the clinic's published intake form: questions, no answers",
}
