"""Consent first, then photos: the services' checks, the stored files and the audit log."""

import io

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from PIL import Image

from core.roles import CLINIC_ADMIN, FRONT_DESK, PHYSICIAN
from photos import consent, services
from photos.models import DEFAULT_VIEWS, PhotoConsent, PhotoView, ScalpPhoto
from scheduling.models import Status
from tests.factories import UserFactory
from tests.photos.helpers import jpeg_upload, sign, take
from tests.scheduling.factories import make_session, screened_patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(clinic):
    patient = screened_patient(
        by=clinic.desk, patient__first_name="Ada", patient__last_name="Byron"
    )
    return make_session(clinic, patient=patient)


def _view(code: str = "frontal") -> PhotoView:
    return PhotoView.objects.get(code=code)


def test_the_default_views_are_seeded_in_order():
    assert [(v.code, v.label) for v in PhotoView.objects.all()] == list(DEFAULT_VIEWS)


def test_the_seed_fills_only_an_empty_table():
    from importlib import import_module

    from django.apps import apps

    seed = import_module("photos.migrations.0002_default_views").seed
    PhotoView.objects.filter(code="frontal").update(label="Hairline")
    seed(apps, None)
    assert PhotoView.objects.count() == len(DEFAULT_VIEWS)
    assert _view().label == "Hairline"
    ScalpPhoto.objects.all().delete()
    PhotoView.objects.all().delete()
    seed(apps, None)
    assert PhotoView.objects.count() == len(DEFAULT_VIEWS)


def test_no_consent_no_photo(session, physician_user):
    with pytest.raises(ValidationError) as caught:
        take(session, _view(), by=physician_user)
    assert "No photo consent" in caught.value.messages[0]
    assert not ScalpPhoto.objects.exists()


def test_a_withdrawn_consent_stops_new_photos_and_keeps_the_old(session, physician_user):
    signed = sign(session.patient, by=physician_user)
    old = take(session, _view(), by=physician_user)
    services.consent_withdraw(by=physician_user, consent=signed)
    with pytest.raises(ValidationError):
        take(session, _view("vertex"), by=physician_user)
    assert list(ScalpPhoto.objects.all()) == [old]
    with pytest.raises(ValidationError, match="already withdrawn"):
        services.consent_withdraw(by=physician_user, consent=signed)


def test_a_photo_is_stored_under_a_random_name_with_its_consent(session, physician_user):
    signed = sign(session.patient, by=physician_user)
    photo = take(session, _view(), by=physician_user)
    assert photo.consent == signed and photo.patient == session.patient
    assert photo.taken_by == physician_user and photo.session == session
    assert len(photo.key) == 32
    assert photo.image.name == f"scalp/{photo.key}.jpg"
    assert photo.thumbnail.name == f"scalp/{photo.key}-thumb.jpg"
    patient = session.patient
    for said in (patient.mrn, patient.first_name, patient.last_name, str(patient.pk)):
        assert said.lower() not in photo.image.name.lower().replace(photo.key, "")
    with photo.image.open("rb") as stored:
        data = stored.read()
    assert b"PhoneCam" not in data
    assert not Image.open(io.BytesIO(data)).getexif()
    assert (photo.width, photo.height) == (40, 60)


def test_each_photo_gets_its_own_key(session, physician_user):
    sign(session.patient, by=physician_user)
    first = take(session, _view(), by=physician_user)
    second = take(session, _view(), by=physician_user)
    assert first.key != second.key and first.image.name != second.image.name


def test_the_front_desk_may_not_take_photos_or_sign_photo_consent(session, front_desk_user):
    with pytest.raises(PermissionDenied):
        sign(session.patient, by=front_desk_user)
    with pytest.raises(PermissionDenied):
        take(session, _view(), by=front_desk_user)


@pytest.mark.parametrize("status", [Status.CANCELLED, Status.NO_SHOW])
def test_no_photo_for_a_session_that_did_not_take_place(clinic, physician_user, status):
    patient = screened_patient(by=clinic.desk)
    extra = {"cancel_reason": "Unwell"} if status == Status.CANCELLED else {}
    session = make_session(clinic, patient=patient, status=status, **extra)
    sign(patient, by=physician_user)
    with pytest.raises(ValidationError, match="did not take place"):
        take(session, _view(), by=physician_user)


def test_a_retired_view_takes_no_new_photo(session, physician_user):
    sign(session.patient, by=physician_user)
    PhotoView.objects.filter(code="occipital").update(active=False)
    with pytest.raises(ValidationError):
        take(session, _view("occipital"), by=physician_user)


def test_a_refused_file_stores_nothing(session, physician_user, _photos_in_tmp):
    from django.core.files.uploadedfile import SimpleUploadedFile

    sign(session.patient, by=physician_user)
    fake = SimpleUploadedFile("scalp.jpg", b"hello", content_type="image/jpeg")
    with pytest.raises(ValidationError, match="not a photo"):
        services.photo_take(by=physician_user, session=session, view=_view(), upload=fake)
    assert not ScalpPhoto.objects.exists()
    assert not (_photos_in_tmp / "scalp").exists() or not any((_photos_in_tmp / "scalp").iterdir())


def test_consent_needs_agreement_and_a_typed_name(session, physician_user):
    patient = session.patient
    with pytest.raises(ValidationError):
        services.consent_record(by=physician_user, patient=patient, typed_name="Ada", agreed=False)
    with pytest.raises(ValidationError):
        services.consent_record(by=physician_user, patient=patient, typed_name="  ", agreed=True)
    signed = services.consent_record(
        by=physician_user, patient=patient, typed_name=" Ada  Byron ", agreed=True
    )
    assert signed.typed_name == "Ada Byron"
    assert signed.text_version == consent.VERSION
    assert signed.witnessed_by == physician_user
    again = services.consent_record(by=physician_user, patient=patient, typed_name="A", agreed=True)
    assert again == signed and PhotoConsent.objects.count() == 1


def test_writes_are_in_the_audit_log_without_the_file_names(session, physician_user):
    signed = sign(session.patient, by=physician_user)
    photo = take(session, _view(), by=physician_user)
    entry = LogEntry.objects.get_for_object(photo).get(action=LogEntry.Action.CREATE)
    assert entry.actor == physician_user
    assert "image" not in entry.changes_dict and "key" not in entry.changes_dict
    assert "view" in entry.changes_dict
    assert LogEntry.objects.get_for_object(signed).filter(actor=physician_user).exists()


def test_admins_manage_the_views():
    admin = UserFactory(role=CLINIC_ADMIN)
    view = services.view_create(by=admin, code="donor", label="Donor area", position=70)
    view = services.view_update(by=admin, view=view, label="Donor zone", position=5, active=False)
    assert (view.label, view.position, view.active) == ("Donor zone", 5, False)
    assert PhotoView.objects.first() == view
    for role in (PHYSICIAN, FRONT_DESK):
        with pytest.raises(PermissionDenied):
            services.view_create(by=UserFactory(role=role), code="x", label="X", position=1)


def test_a_view_code_is_unique():
    admin = UserFactory(role=CLINIC_ADMIN)
    with pytest.raises(ValidationError):
        services.view_create(by=admin, code="frontal", label="Again", position=1)


def test_upload_helper_names_the_file_as_given():
    assert jpeg_upload("x.jpg").name == "x.jpg"
