"""Photos are the physicians'; the standard views are the clinic admins'; the front desk has
no photo page at all. See tests/permission_matrix.py."""

from core.roles import PHYSICIAN as PHYSICIAN_ROLE
from tests.factories import UserFactory
from tests.permission_matrix import CLINIC_ADMIN, OK, PHYSICIAN, REDIRECT, Made, page
from tests.photos.helpers import sign, take, view
from tests.scheduling.factories import make_clinic, make_session, on_day, screened_patient


def make_objects() -> dict:
    clinic = make_clinic(doctor=UserFactory(role=PHYSICIAN_ROLE))
    patient = screened_patient(by=clinic.desk)
    session = make_session(clinic, patient=patient, start=on_day(-5, 8))
    consent = sign(patient, by=clinic.doctor)
    frontal = view()
    photo = take(session, frontal, by=clinic.doctor)
    return {
        "photo": photo.pk,
        "photo_session": session.pk,
        "photo_patient": patient.pk,
        "photo_consent": consent.pk,
        "photo_view": frontal.pk,
    }


CASES = [
    page("photos:image", Made("photo"), who=(PHYSICIAN,), get=OK),
    page("photos:thumbnail", Made("photo"), who=(PHYSICIAN,), get=OK),
    page("photos:contact-sheet", Made("photo_session"), who=(PHYSICIAN,), get=OK),
    # An empty POST is a form with errors, shown again.
    page("photos:upload", Made("photo_session"), who=(PHYSICIAN,), get=OK, post=OK),
    page("photos:compare", Made("photo_patient"), who=(PHYSICIAN,), get=OK),
    page("photos:consent-create", Made("photo_patient"), who=(PHYSICIAN,), get=OK, post=OK),
    page("photos:consent-withdraw", Made("photo_consent"), who=(PHYSICIAN,), get=OK, post=REDIRECT),
    page("photos:view-list", who=(CLINIC_ADMIN,), get=OK),
    page("photos:view-create", who=(CLINIC_ADMIN,), get=OK, post=OK),
    page("photos:view-update", Made("photo_view"), who=(CLINIC_ADMIN,), get=OK, post=OK),
]
