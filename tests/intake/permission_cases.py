from tests.factories import IntakeFactory
from tests.permission_matrix import FRONT_DESK, OK, PHYSICIAN, REDIRECT, Made, page


def make_objects() -> dict:
    intake = IntakeFactory()
    return {"patient": intake.patient.pk, "intake": intake.pk}


DESK_AND_DOC = (FRONT_DESK, PHYSICIAN)
DESK = (FRONT_DESK,)
PATIENT = Made("patient")
INTAKE = Made("intake")

CASES = [
    # The search is POSTed, kept in the session, and the list drawn again.
    page("intake:patient-list", who=DESK_AND_DOC, get=OK, post=REDIRECT),
    page("intake:patient-create", who=DESK, get=OK, post=OK),
    # The patient picker's type-ahead: POST only, so what is typed is in no URL.
    page("intake:patient-picker", who=DESK_AND_DOC, post=OK),
    page("intake:patient-detail", PATIENT, who=DESK_AND_DOC, get=OK),
    page("intake:patient-update", PATIENT, who=DESK, get=OK, post=OK),
    page("intake:patient-archive", PATIENT, who=DESK, get=OK, post=OK),
    page("intake:patient-restore", PATIENT, who=DESK, post=REDIRECT),
    page("intake:intake-create", PATIENT, who=DESK_AND_DOC, get=OK, post=OK),
    page("intake:intake-detail", PATIENT, INTAKE, who=DESK_AND_DOC, get=OK),
    page("intake:intake-edit", PATIENT, INTAKE, who=DESK_AND_DOC, get=OK, post=OK),
]
