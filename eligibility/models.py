"""Stored screenings and physician reviews.

A screening keeps everything it was decided on (answers, derived facts, rule-set version), so
any decision can be explained later exactly as it was made, even after the rules change.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from eligibility import rules
from intake.models import IntakeQuestionnaire, Patient


class Procedure(models.TextChoices):
    MICRONEEDLING = rules.MICRONEEDLING, "Microneedling"
    PRP = rules.PRP, "PRP"
    LLLT = rules.LLLT, "Laser (LLLT)"


class Outcome(models.TextChoices):
    ELIGIBLE = rules.ELIGIBLE, "Eligible"
    NEEDS_REVIEW = rules.NEEDS_REVIEW, "Needs physician review"
    INELIGIBLE = rules.INELIGIBLE, "Not eligible"


class ScreeningKind(models.TextChoices):
    INTAKE = "intake", "Intake"
    DAY_OF = "day_of", "Day-of check-in"


class Screening(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="screenings")
    intake = models.ForeignKey(
        IntakeQuestionnaire, on_delete=models.PROTECT, related_name="screenings"
    )
    kind = models.CharField(max_length=10, choices=ScreeningKind.choices)
    procedure = models.CharField(max_length=20, choices=Procedure.choices)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    reasons = models.JSONField(default=list, blank=True)
    answers = models.JSONField(help_text="The catalogue answers this screening saw.")
    derived = models.JSONField(
        default=dict, blank=True, help_text="Age, sex, scale, grade and skin type as they were."
    )
    ruleset_version = models.CharField(max_length=20)
    rescreen_after = models.DateField(null=True, blank=True)
    valid_until = models.DateField()
    screened_at = models.DateTimeField(default=timezone.now)
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Bookkeeping, not a clinical fact: the newest screening of the patient for the procedure.
    # Kept by eligibility.services so the review queue needs no "latest per patient" search.
    is_latest = models.BooleanField(default=True, editable=False)

    class Meta:
        ordering = ["-screened_at", "-id"]
        get_latest_by = "screened_at"
        permissions = [
            ("review_screening", "Can clear, decline or query a screening"),
            ("view_screening_answers", "Can see the answers behind a screening"),
        ]
        indexes = [
            # Covers "the latest screening of this patient for this procedure", tie-break
            # included, so the review queue's correlated lookup needs no sort.
            models.Index(
                fields=["patient", "procedure", "-screened_at", "-id"],
                name="screening_latest_idx",
            ),
            models.Index(fields=["outcome", "screened_at"], name="screening_outcome_idx"),
            models.Index(
                fields=["screened_at", "id"],
                condition=models.Q(is_latest=True, outcome="needs_review"),
                name="screening_review_queue_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_procedure_display()} screening of {self.screened_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("eligibility:review-decide", args=[self.pk])

    @property
    def reason_objects(self) -> list[rules.Reason]:
        return [rules.Reason(**reason) for reason in self.reasons]

    @property
    def blocking_reasons(self) -> list[rules.Reason]:
        return [r for r in self.reason_objects if r.severity in (rules.EXCLUDE, rules.REVIEW)]

    @property
    def cautions(self) -> list[rules.Reason]:
        return [r for r in self.reason_objects if r.severity == rules.CAUTION]

    @property
    def has_exclusion(self) -> bool:
        return any(r["severity"] == rules.EXCLUDE for r in self.reasons)

    @property
    def review_codes(self) -> frozenset[str]:
        return frozenset(r["code"] for r in self.reasons if r["severity"] == rules.REVIEW)

    @property
    def waited(self):
        return timezone.now() - self.screened_at


class Decision(models.TextChoices):
    CLEARED = "cleared", "Clear"
    DECLINED = "declined", "Decline"
    MORE_INFO = "more_info", "Ask for more information"


class PhysicianReview(models.Model):
    """A physician's decision on a `needs_review` screening.

    A clearance covers the review reasons it saw (`codes`) for that patient and procedure until
    `cleared_until`; it never lifts an exclusion. A decline holds until new intake answers.
    """

    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="reviews")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="reviews")
    procedure = models.CharField(max_length=20, choices=Procedure.choices)
    decision = models.CharField(max_length=10, choices=Decision.choices)
    codes = models.JSONField(
        default=list, blank=True, help_text="The review reasons this decision covers."
    )
    cleared_until = models.DateField(null=True, blank=True)
    note = models.TextField(max_length=4000)
    decided_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(decision="cleared") | models.Q(cleared_until__isnull=False),
                name="review_clearance_has_end",
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "procedure", "-decided_at"], name="review_latest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} {self.get_procedure_display()}"
