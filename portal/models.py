"""A patient's own access: a single-use link (e-mail or QR code) or the clinic's tablet.

Only the token's SHA-256 is stored: the token itself exists in the message or printout that
carries it and, for one request, in the URL the patient opens (portal.views swaps it into the
session at once). The row names no one in its URL and holds the patient's answers in progress.
"""

from django.db import models
from django.utils import timezone

from core.models import staff_member
from intake import questionnaire
from intake.models import IntakeQuestionnaire, Patient
from scheduling.models import TreatmentSession


class Purpose(models.TextChoices):
    INTAKE = "intake", "Intake questionnaire"
    PRE_VISIT = "pre_visit", "Pre-visit check"


class Channel(models.TextChoices):
    LINK = "link", "Link (e-mail or QR code)"
    KIOSK = "kiosk", "Clinic tablet"


class PatientAccess(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="accesses")
    # The session a pre-visit check is about.
    session = models.ForeignKey(
        TreatmentSession,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accesses",
    )
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    issued_at = models.DateTimeField(default=timezone.now, editable=False)
    # None: issued by the clinic's schedule (the reminder's pre-visit check).
    issued_by = staff_member()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = staff_member()
    # The birth-date check: passed (a kiosk is passed by the staff member who hands it over),
    # or the wrong tries so far; at MAX_TRIES the link locks for good.
    verified_at = models.DateTimeField(null=True, blank=True)
    failed_tries = models.PositiveSmallIntegerField(default=0)
    locked_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # The answers so far, page by page (an intake), kept until it is submitted.
    draft = models.JSONField(default=dict, blank=True)
    intake = models.OneToOneField(
        IntakeQuestionnaire,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="access",
    )
    # A pre-visit check's answers (code -> bool), as the patient gave them.
    answers = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = "patient access"
        permissions = [("issue_access", "Can send an intake link or hand over the tablet")]
        indexes = [models.Index(fields=["patient", "-issued_at"], name="access_patient_idx")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.get_channel_display().lower()})"

    @property
    def state(self) -> str:
        """What the staff see: open, completed, revoked, locked or expired."""
        if self.completed_at:
            return "completed"
        if self.revoked_at:
            return "revoked"
        if self.locked_at:
            return "locked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "open"

    @property
    def reported(self) -> list[str]:
        """A pre-visit check's "yes" answers, by their short labels."""
        labels = questionnaire.QUESTIONS_BY_CODE
        return [labels[code].label for code, yes in self.answers.items() if yes and code in labels]

    @property
    def usable(self) -> bool:
        return self.state == "open"
