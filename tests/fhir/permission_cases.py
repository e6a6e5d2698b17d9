"""The FHIR export is the clinic admins' (`fhir.export_fhir`); the published Questionnaire is
the clinic's form, no patient's data, for anyone signed in. See tests/permission_matrix.py."""

from tests.factories import PatientFactory
from tests.permission_matrix import (
    CLINIC_ADMIN,
    FRONT_DESK,
    NO_GROUP,
    NOT_FOUND,
    OK,
    PHYSICIAN,
    Made,
    page,
)

ADMIN = (CLINIC_ADMIN,)


def make_objects() -> dict:
    return {"fhir_patient": PatientFactory().pk}


CASES = [
    # An empty POST is the form again, with its error.
    page("fhir:export", who=ADMIN, get=OK, post=OK),
    page("fhir:patient-bundle", Made("fhir_patient"), who=ADMIN, get=OK),
    page("fhir:ndjson", "Patient", who=ADMIN, get=OK),
    page("fhir:ndjson", "Consent", who=ADMIN, get=OK),
    # The permission comes first: only an admin learns that a type does not exist.
    page("fhir:ndjson", "Nonsense", who=ADMIN, get=NOT_FOUND),
    page("fhir:questionnaire", who=(FRONT_DESK, PHYSICIAN, CLINIC_ADMIN, NO_GROUP), get=OK),
]
