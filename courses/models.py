"""A patient's course of sessions (the plan, e.g. PRP three times a month apart, then
maintenance) and the outcome recorded at each session."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from intake.models import Patient
from scheduling.models import TreatmentSession
from treatments.models import SessionType


class CoursePlan(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="course_plans")
    session_type = models.ForeignKey(SessionType, on_delete=models.PROTECT, related_name="+")
    sessions_planned = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(52)]
    )
    interval_days = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    # After the planned sessions: one every this many days (empty: no maintenance).
    maintenance_interval_days = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(7), MaxValueValidator(730)]
    )
    starts_on = models.DateField()
    notes = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    ended_at = models.DateTimeField(null=True, blank=True, editable=False)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    end_reason = models.CharField(max_length=200, blank=True, editable=False)

    class Meta:
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["patient", "ended_at"], name="course_patient_idx")]

    def __str__(self) -> str:
        return f"{self.session_type}: {self.sessions_planned} sessions"


class GlobalAssessment(models.IntegerChoices):
    """The patient's global assessment of change, 7 points (-3 .. +3)."""

    MUCH_WORSE = -3, "Much worse"
    WORSE = -2, "Worse"
    SLIGHTLY_WORSE = -1, "Slightly worse"
    NO_CHANGE = 0, "No change"
    SLIGHTLY_BETTER = 1, "Slightly better"
    BETTER = 2, "Better"
    MUCH_BETTER = 3, "Much better"


class Outcome(models.Model):
    """At one session: the physician's grade (Norwood / Ludwig / Savin, intake.questionnaire)
    and the patient's global assessment."""

    session = models.OneToOneField(
        TreatmentSession, on_delete=models.PROTECT, related_name="outcome"
    )
    scale = models.CharField(max_length=10)
    grade = models.CharField(max_length=12)
    patient_assessment = models.SmallIntegerField(
        choices=GlobalAssessment.choices, null=True, blank=True
    )
    note = models.TextField(blank=True, max_length=2000)
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )

    class Meta:
        ordering = ["recorded_at", "id"]
        permissions = [("record_outcome", "Can record a session's outcome")]

    def __str__(self) -> str:
        return f"Outcome of session {self.session_id}"
