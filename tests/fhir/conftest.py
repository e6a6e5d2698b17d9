"""A demo-like patient for the FHIR tests: registered, an intake with a finding, screened,
consents signed, two sessions (one completed with its device and lots), a photo consent, two
scalp photos (small files in a temporary photo storage) and an outcome."""

import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from courses.models import Outcome
from photos.models import PhotoConsent, PhotoView, ScalpPhoto
from scheduling.models import Status, TreatmentSession
from tests.scheduling.factories import PRP_MN, make_session, on_day, screened_patient

CARTRIDGE_LOT = "CART-2026-11"
PRP_KIT_LOT = "KIT-0042"


@pytest.fixture(autouse=True)
def _photo_storage(settings, tmp_path):
    """Scalp photos go to the test's own directory."""
    settings.STORAGES = {
        **settings.STORAGES,
        "photos": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "photos")},
        },
    }


@dataclass
class Demo:
    patient: object
    sessions: list[TreatmentSession]
    completed: TreatmentSession
    photos: list[ScalpPhoto]
    photo_consent: PhotoConsent
    outcome: Outcome


def photo(*, patient, session, view_code: str, by, consent, hours: int = 0) -> ScalpPhoto:
    view, _ = PhotoView.objects.get_or_create(code=view_code, defaults={"label": view_code})
    key = uuid.uuid4().hex
    scalp = ScalpPhoto(
        patient=patient,
        session=session,
        view=view,
        key=key,
        width=4,
        height=3,
        taken_at=session.start + timedelta(minutes=5, hours=hours),
        taken_by=by,
        consent=consent,
    )
    scalp.image.save(f"{key}.jpg", ContentFile(b"\xff\xd8\xff\xe0 image"), save=False)
    scalp.thumbnail.save(f"{key}-thumb.jpg", ContentFile(b"\xff\xd8\xff\xe0 thumb"), save=False)
    scalp.save()
    return scalp


def make_demo(clinic, *, day: int = -7) -> Demo:
    """One demo-like patient in `clinic`; `day` (in the past) is the completed session's."""
    patient = screened_patient(by=clinic.desk, yes=("smoker", "herpes_history"))
    completed = make_session(
        clinic,
        patient=patient,
        start=on_day(day, 10),
        type_name=PRP_MN,
        status=Status.COMPLETED,
        needle_depth_mm=Decimal("1.50"),
        passes=3,
        cartridge_lot=CARTRIDGE_LOT,
        prp_kit_lot=PRP_KIT_LOT,
        prp_volume_ml=Decimal("8.0"),
        notes="Tolerated well.",
        post_care_given=True,
        charted_at=on_day(day, 11),
        charted_by=clinic.doctor,
        completed_at=on_day(day, 11),
    )
    booked = make_session(clinic, patient=patient, start=on_day(-day, 10))
    consent = PhotoConsent.objects.create(
        patient=patient,
        text_version="1",
        typed_name=patient.full_name,
        agreed=True,
        witnessed_by=clinic.doctor,
        signed_at=on_day(day, 9),
    )
    photos = [
        photo(patient=patient, session=completed, view_code=code, by=clinic.doctor, consent=consent)
        for code in ("frontal", "vertex")
    ]
    outcome = Outcome.objects.create(
        session=completed, scale="norwood", grade="III", patient_assessment=1,
        recorded_by=clinic.doctor,
    )  # fmt: skip
    return Demo(patient, [completed, booked], completed, photos, consent, outcome)


@pytest.fixture
def demo(clinic) -> Demo:
    return make_demo(clinic)
