"""The patient's pages answer only the access a browser session holds; the staff's buttons
are the front desk's. See tests/permission_matrix.py."""

from django.test import Client
from django.urls import reverse

from portal import services
from portal.models import Purpose
from tests.factories import PatientFactory, UserFactory, login_client
from tests.permission_matrix import (
    ALL_SIGNED_IN,
    ANON,
    FRONT_DESK,
    LINK_HOLDER,
    METHODS,
    NOT_ALLOWED,
    NOT_FOUND,
    OK,
    REDIRECT,
    TABLET,
    Made,
    page,
)

BAD = 400


def make_objects() -> dict:
    patient = PatientFactory()
    access, _ = services.access_issue(
        by=UserFactory(role=FRONT_DESK), patient=patient, purpose=Purpose.INTAKE
    )
    return {"portal_patient": patient.pk, "portal_access": access.pk}


def link_holder_client() -> Client:
    """A patient who opened an intake link and confirmed their birth date."""
    patient = PatientFactory()
    _, token = services.access_issue(
        by=UserFactory(role=FRONT_DESK), patient=patient, purpose=Purpose.INTAKE
    )
    client = Client()
    client.get(reverse("portal:open", args=[token]))
    dob = patient.date_of_birth
    client.post(reverse("portal:verify"), {"day": dob.day, "month": dob.month, "year": dob.year})
    return client


def tablet_client() -> Client:
    """The tablet a front-desk member handed to a patient."""
    client = login_client(UserFactory(role=FRONT_DESK))
    patient = PatientFactory()
    client.post(reverse("portal:kiosk-start", args=[patient.pk]))
    assert client.session.get("portal_kiosk"), "the hand-over did not start"
    return client


def _patient_page(name, *args, holder_get, holder_post, **kwargs):
    """A patient's page: nobody without an access has anything there (the "link closed"
    page); the link holder and the tablet get their answers."""
    holder = {"get": holder_get, "post": holder_post}
    answers = {m: holder.get(m) or NOT_ALLOWED for m in METHODS}
    return page(
        name,
        *args,
        who=(ANON, *ALL_SIGNED_IN),
        get=NOT_FOUND if holder_get is not None else None,
        post=NOT_FOUND if holder_post is not None else None,
        override={LINK_HOLDER: answers, TABLET: answers},
        **kwargs,
    )


CASES = [
    # A token nobody was given: every identity sees the same "link closed" page (the tablet
    # too: /p/ is the tablet's own).
    page(
        "portal:open",
        "not-a-token",
        who=(ANON, *ALL_SIGNED_IN, LINK_HOLDER, TABLET),
        get=NOT_FOUND,
    ),
    _patient_page("portal:home", holder_get=REDIRECT, holder_post=None),
    _patient_page("portal:verify", holder_get=OK, holder_post=OK),
    _patient_page("portal:intake", "hair", holder_get=OK, holder_post=BAD),
    # An intake link does not open the pre-visit check: back to the patient's home.
    _patient_page("portal:pre-visit", holder_get=REDIRECT, holder_post=REDIRECT),
    _patient_page("portal:done", holder_get=NOT_FOUND, holder_post=None),
    # The way out (POST): the session ends and the sign-in page asks, for anyone.
    page(
        "portal:exit",
        who=(ANON, *ALL_SIGNED_IN, LINK_HOLDER, TABLET),
        post=REDIRECT,
    ),
    page("portal:kiosk-start", Made("portal_patient"), who=(FRONT_DESK,), post=REDIRECT),
    page("portal:qr", Made("portal_patient"), who=(FRONT_DESK,), post=OK),
    page("portal:revoke", Made("portal_access"), who=(FRONT_DESK,), post=REDIRECT),
]
