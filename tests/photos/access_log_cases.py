"""The photo pages in tests/core/test_access_log.py: every page that shows a patient's photos
(or names the patient) logs it; serving a file logs the photo each time."""

from django.urls import reverse

from core.roles import PHYSICIAN
from photos.models import PhotoConsent, ScalpPhoto
from tests.core.test_access_log import Page
from tests.photos.helpers import sign, take, view


def _photo(w) -> ScalpPhoto:
    """A photo of the world's session (its patient's consent signed first)."""
    sign(w.patient, by=w.doctor)
    return take(w.session, view(), by=w.doctor)


def _latest(w) -> ScalpPhoto:
    return ScalpPhoto.objects.latest("pk")


def _file(name: str) -> Page:
    return Page(PHYSICIAN, lambda w: reverse(name, args=[_photo(w).pk]), lambda w: [_latest(w)])


def _contact_sheet_url(w) -> str:
    _photo(w)
    return reverse("photos:contact-sheet", args=[w.session.pk])


def _compare_url(w) -> str:
    _photo(w)
    return reverse("photos:compare", args=[w.patient.pk])


def _withdraw_url(w) -> str:
    return reverse("photos:consent-withdraw", args=[sign(w.patient, by=w.doctor).pk])


PATIENT_PAGES = {
    "photos:image": _file("photos:image"),
    "photos:thumbnail": _file("photos:thumbnail"),
    "photos:contact-sheet": Page(PHYSICIAN, _contact_sheet_url, lambda w: [w.session, _latest(w)]),
    "photos:compare": Page(PHYSICIAN, _compare_url, lambda w: [w.patient, _latest(w)]),
    # The form names the session's patient.
    "photos:upload": Page(
        PHYSICIAN, lambda w: reverse("photos:upload", args=[w.session.pk]), lambda w: [w.session]
    ),
    "photos:consent-create": Page(
        PHYSICIAN,
        lambda w: reverse("photos:consent-create", args=[w.patient.pk]),
        lambda w: [w.patient],
    ),
    "photos:consent-withdraw": Page(
        PHYSICIAN, _withdraw_url, lambda w: [PhotoConsent.objects.get(patient=w.patient)]
    ),
}

NO_PATIENT_DATA = {
    f"photos:{name}": "the clinic's standard photo views, not a patient's"
    for name in ("view-list", "view-create", "view-update")
}
