from django.urls import reverse

from tests.factories import IntakeFactory
from tests.permission_matrix import FRONT_DESK, OK, PHYSICIAN, REDIRECT, declare


def make_objects() -> dict:
    intake = IntakeFactory()
    return {"patient": intake.patient.pk, "intake": intake.pk}


def _patient(name):
    return lambda o: reverse(name, args=[o["patient"]])


def _intake(name):
    return lambda o: reverse(name, args=[o["patient"], o["intake"]])


DESK_AND_DOC = (FRONT_DESK, PHYSICIAN)
DESK = (FRONT_DESK,)

CASES = [
    # The search is POSTed, kept in the session, and the list drawn again.
    declare(
        "intake:patient-list",
        lambda o: reverse("intake:patient-list"),
        who=DESK_AND_DOC,
        get=OK,
        post=REDIRECT,
    ),
    declare(
        "intake:patient-create",
        lambda o: reverse("intake:patient-create"),
        who=DESK,
        get=OK,
        post=OK,
    ),
    declare("intake:patient-detail", _patient("intake:patient-detail"), who=DESK_AND_DOC, get=OK),
    declare("intake:patient-update", _patient("intake:patient-update"), who=DESK, get=OK, post=OK),
    declare(
        "intake:patient-archive", _patient("intake:patient-archive"), who=DESK, get=OK, post=OK
    ),
    declare("intake:patient-restore", _patient("intake:patient-restore"), who=DESK, post=REDIRECT),
    declare(
        "intake:intake-create", _patient("intake:intake-create"), who=DESK_AND_DOC, get=OK, post=OK
    ),
    declare("intake:intake-detail", _intake("intake:intake-detail"), who=DESK_AND_DOC, get=OK),
    declare("intake:intake-edit", _intake("intake:intake-edit"), who=DESK_AND_DOC, get=OK, post=OK),
]
