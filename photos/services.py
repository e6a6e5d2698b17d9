"""Writes: the patient's photo consent (signed, withdrawn), a scalp photo taken at a session,
and the clinic's standard views. Each checks its permission, runs in one transaction and is
attributed in the audit log to the staff member who made it."""

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from core.audit import actor
from intake.models import Patient
from photos import consent, images
from photos.models import PhotoConsent, PhotoView, ScalpPhoto
from scheduling.models import RELEASED, TreatmentSession

TAKE = "photos.add_scalpphoto"
SIGN = "photos.add_photoconsent"
WITHDRAW = "photos.change_photoconsent"
ADD_VIEW = "photos.add_photoview"
CHANGE_VIEW = "photos.change_photoview"

NO_CONSENT = (
    "No photo consent is on file for this patient (or it was withdrawn): record their photo "
    "consent before taking photos."
)


def _require(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


def consent_active(patient: Patient) -> PhotoConsent | None:
    """The patient's photo consent in force: the latest signed and not withdrawn."""
    return (
        PhotoConsent.objects.filter(patient=patient, withdrawn_at__isnull=True)
        .order_by("-signed_at", "-id")
        .first()
    )


# ---- consent ------------------------------------------------------------------------------


def consent_record(*, by, patient: Patient, typed_name: str, agreed: bool) -> PhotoConsent:
    """The patient's signature (their name, typed) on the current consent text, witnessed by
    `by`. A consent already in force is kept: signing twice records nothing new."""
    _require(by, SIGN)
    if patient.is_archived:
        raise ValidationError("This patient's record is archived; restore it first.")
    if not agreed:
        raise ValidationError({"agreed": "The patient has to agree for photos to be taken."})
    typed_name = " ".join(typed_name.split())
    if not typed_name:
        raise ValidationError({"typed_name": "The patient types their name to sign."})
    with transaction.atomic(), actor(by):
        Patient.objects.select_for_update().filter(pk=patient.pk).first()
        current = consent_active(patient)
        if current is not None:
            return current
        signed = PhotoConsent(
            patient=patient,
            text_version=consent.VERSION,
            typed_name=typed_name,
            agreed=True,
            witnessed_by=by,
            signed_at=timezone.now(),
        )
        signed.full_clean()
        signed.save()
    return signed


def consent_withdraw(*, by, consent: PhotoConsent) -> PhotoConsent:
    """The patient takes their consent back: no new photos; those taken stay in the record."""
    _require(by, WITHDRAW)
    with transaction.atomic(), actor(by):
        locked = PhotoConsent.objects.select_for_update().get(pk=consent.pk)
        if locked.withdrawn_at is not None:
            raise ValidationError("This consent was already withdrawn.")
        locked.withdrawn_at = timezone.now()
        locked.withdrawn_by = by
        locked.save(update_fields=["withdrawn_at", "withdrawn_by"])
    return locked


# ---- photos -------------------------------------------------------------------------------


def photo_take(*, by, session: TreatmentSession, view: PhotoView, upload) -> ScalpPhoto:
    """A photo of one standard view at a session: checked, cleaned of its metadata, stored
    under a random name. Refused without the patient's photo consent in force."""
    _require(by, TAKE)
    if session.status in RELEASED:
        raise ValidationError("This session did not take place: no photos can be added to it.")
    if not view.active:
        raise ValidationError({"view": "This view is no longer in use."})
    if consent_active(session.patient) is None:
        raise ValidationError(NO_CONSENT, code="no_consent")
    try:
        prepared = images.prepare(upload)
    except ValidationError as exc:
        raise ValidationError({"image": exc.messages}) from None
    photo = ScalpPhoto(
        patient=session.patient,
        session=session,
        view=view,
        key=secrets.token_hex(16),
        width=prepared.width,
        height=prepared.height,
        taken_at=timezone.now(),
        taken_by=by,
    )
    with transaction.atomic(), actor(by):
        # Under the lock, so a withdrawal that has just happened is seen.
        signed = (
            PhotoConsent.objects.select_for_update()
            .filter(patient=session.patient, withdrawn_at__isnull=True)
            .order_by("-signed_at", "-id")
            .first()
        )
        if signed is None:
            raise ValidationError(NO_CONSENT, code="no_consent")
        photo.consent = signed
        photo.image.save("photo.jpg", ContentFile(prepared.image), save=False)
        photo.thumbnail.save("thumb.jpg", ContentFile(prepared.thumbnail), save=False)
        try:
            photo.full_clean()
            photo.save()
        except Exception:
            _discard(photo)
            raise
    return photo


def _discard(photo: ScalpPhoto) -> None:
    """The stored files of a photo whose row was not saved."""
    for field in (photo.image, photo.thumbnail):
        if field.name:
            field.storage.delete(field.name)


# ---- the clinic's views ------------------------------------------------------------------


def view_create(*, by, code: str, label: str, position: int) -> PhotoView:
    _require(by, ADD_VIEW)
    view = PhotoView(code=code, label=label, position=position)
    with transaction.atomic(), actor(by):
        view.full_clean()
        view.save()
    return view


def view_update(*, by, view: PhotoView, label: str, position: int, active: bool) -> PhotoView:
    """Rename, reorder, retire or bring back a view. Its code stays: photos are filed by it."""
    _require(by, CHANGE_VIEW)
    with transaction.atomic(), actor(by):
        locked = PhotoView.objects.select_for_update().get(pk=view.pk)
        locked.label = label
        locked.position = position
        locked.active = active
        locked.full_clean()
        locked.save()
    return locked
