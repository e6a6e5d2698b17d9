from messaging import services
from messaging.models import Kind
from tests.factories import PatientFactory, UserFactory
from tests.permission_matrix import (
    ANON,
    CLINIC_ADMIN,
    FRONT_DESK,
    NO_GROUP,
    OK,
    PHYSICIAN,
    REDIRECT,
    Made,
    page,
)


def make_objects() -> dict:
    patient = PatientFactory(email="ada@example.org")
    services.contact_set(by=UserFactory(), patient=patient, channel="email", consent=True)
    message, _ = services.message_queue(
        key="perm:1", patient=patient, kind=Kind.REMINDER, subject="Reminder", body="Hello"
    )
    return {"contact_patient": patient.pk, "unsubscribe_token": message.unsubscribe_token}


CASES = [
    page("messaging:intake-link", Made("contact_patient"), who=(FRONT_DESK,), post=REDIRECT),
    page("messaging:contact-update", Made("contact_patient"), who=(FRONT_DESK,), get=OK, post=OK),
    # The patient's own link: anyone holding it (a password-only session finishes its second
    # factor first, as everywhere).
    page(
        "messaging:unsubscribe",
        Made("unsubscribe_token"),
        who=(ANON, FRONT_DESK, PHYSICIAN, CLINIC_ADMIN, NO_GROUP),
        get=OK,
        post=OK,
    ),
]
