from django.urls import reverse

from tests.factories import IntakeFactory
from tests.permission_matrix import DENIED, LOGIN, OK, REDIRECT, Case, expect


def make_objects() -> dict:
    intake = IntakeFactory()
    return {"patient": intake.patient.pk, "intake": intake.pk}


def _patient(name):
    return lambda o: reverse(name, args=[o["patient"]])


def _intake(name):
    return lambda o: reverse(name, args=[o["patient"], o["intake"]])


CASES = [
    Case(
        "intake:patient-list",
        "get",
        lambda o: reverse("intake:patient-list"),
        expect(LOGIN, OK, OK, DENIED),
    ),
    Case(
        "intake:patient-list",
        "post",
        lambda o: reverse("intake:patient-list"),
        expect(LOGIN, REDIRECT, REDIRECT, DENIED),
    ),
    Case(
        "intake:patient-create",
        "get",
        lambda o: reverse("intake:patient-create"),
        expect(LOGIN, OK, DENIED, DENIED),
    ),
    Case(
        "intake:patient-create",
        "post",
        lambda o: reverse("intake:patient-create"),
        expect(LOGIN, OK, DENIED, DENIED),
    ),
    Case(
        "intake:patient-detail",
        "get",
        _patient("intake:patient-detail"),
        expect(LOGIN, OK, OK, DENIED),
    ),
    Case(
        "intake:patient-update",
        "get",
        _patient("intake:patient-update"),
        expect(LOGIN, OK, DENIED, DENIED),
    ),
    Case(
        "intake:patient-update",
        "post",
        _patient("intake:patient-update"),
        expect(LOGIN, OK, DENIED, DENIED),
    ),
    Case(
        "intake:patient-archive",
        "get",
        _patient("intake:patient-archive"),
        expect(LOGIN, OK, DENIED, DENIED),
    ),
    Case(
        "intake:patient-archive",
        "post",
        _patient("intake:patient-archive"),
        expect(LOGIN, OK, DENIED, DENIED),
    ),
    Case(
        "intake:patient-restore",
        "post",
        _patient("intake:patient-restore"),
        expect(LOGIN, REDIRECT, DENIED, DENIED),
    ),
    Case(
        "intake:intake-create",
        "get",
        _patient("intake:intake-create"),
        expect(LOGIN, OK, OK, DENIED),
    ),
    Case(
        "intake:intake-create",
        "post",
        _patient("intake:intake-create"),
        expect(LOGIN, OK, OK, DENIED),
    ),
    Case(
        "intake:intake-detail",
        "get",
        _intake("intake:intake-detail"),
        expect(LOGIN, OK, OK, DENIED),
    ),
    Case("intake:intake-edit", "get", _intake("intake:intake-edit"), expect(LOGIN, OK, OK, DENIED)),
    Case(
        "intake:intake-edit", "post", _intake("intake:intake-edit"), expect(LOGIN, OK, OK, DENIED)
    ),
]
