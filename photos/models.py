"""Scalp photos: the clinic's standard views, the patient's photo consent, and each photo.

Files live in private storage (`photos.storage`), never under a public URL: a photo is served
only by a view that checks the role and writes the access log.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from intake.models import Patient
from photos.storage import photo_storage
from scheduling.models import TreatmentSession

# The views a clinic starts with (issue 17); admins add, rename, reorder or retire them.
DEFAULT_VIEWS = (
    ("frontal", "Frontal hairline"),
    ("mid_scalp", "Mid-scalp"),
    ("vertex", "Vertex (crown)"),
    ("left_temporal", "Left temporal"),
    ("right_temporal", "Right temporal"),
    ("occipital", "Occipital"),
)


class PhotoView(models.Model):
    """One standard view of the scalp, so photos from different days are comparable."""

    code = models.SlugField(max_length=30, unique=True)
    label = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label


class PhotoConsent(models.Model):
    """The patient's consent to be photographed, apart from any treatment consent; withdrawn
    consent stops new photos (the old ones stay in the record)."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="photo_consents")
    text_version = models.CharField(max_length=20)
    typed_name = models.CharField("name typed by the patient", max_length=200)
    agreed = models.BooleanField(default=False)
    witnessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-signed_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(agreed=True), name="photo_consent_agreed")
        ]

    def __str__(self) -> str:
        return f"Photo consent (v{self.text_version})"


def _photo_path(instance: "ScalpPhoto", filename: str) -> str:
    # Random, names no one: the file name says nothing about the patient.
    return f"scalp/{instance.key}.jpg"


def _thumb_path(instance: "ScalpPhoto", filename: str) -> str:
    return f"scalp/{instance.key}-thumb.jpg"


class ScalpPhoto(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="scalp_photos")
    session = models.ForeignKey(
        TreatmentSession, on_delete=models.PROTECT, related_name="scalp_photos"
    )
    view = models.ForeignKey(PhotoView, on_delete=models.PROTECT, related_name="photos")
    # A random key the stored files are named by (photos.services makes it).
    key = models.CharField(max_length=40, unique=True, editable=False)
    image = models.FileField(upload_to=_photo_path, storage=photo_storage, max_length=200)
    thumbnail = models.FileField(upload_to=_thumb_path, storage=photo_storage, max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    taken_at = models.DateTimeField(default=timezone.now)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    consent = models.ForeignKey(PhotoConsent, on_delete=models.PROTECT, related_name="photos")

    class Meta:
        ordering = ["taken_at", "id"]
        indexes = [
            models.Index(fields=["patient", "view", "taken_at"], name="photo_patient_view_idx")
        ]

    def __str__(self) -> str:
        return f"{self.view} photo of {self.taken_at:%Y-%m-%d}"
