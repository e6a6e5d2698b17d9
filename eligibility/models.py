"""Stored screenings and physician reviews.

A screening keeps everything it was decided on (answers, derived facts, rule-set version), so
any decision can be explained later exactly as it was made, even after the rules change.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from eligibility import lifecycle, rules
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
    # The day-of questions answered by the patient before the visit; only a "yes" is stored.
    PRE_VISIT = "pre_visit", "Pre-visit check (patient-reported)"
    FACTS_CHANGED = "facts_changed", "Patient details changed"
    RULES_UPDATED = "rules_updated", "Rules updated"


class Status(models.TextChoices):
    """The screening lifecycle's verdict (eligibility.lifecycle), as stored when it was made."""

    ELIGIBLE = lifecycle.ELIGIBLE, "Eligible"
    CLEARED = lifecycle.CLEARED, "Cleared by physician"
    NEEDS_REVIEW = lifecycle.NEEDS_REVIEW, "Needs physician review"
    AWAITING_INFORMATION = lifecycle.AWAITING_INFORMATION, "Physician asked for more information"
    DECLINED = lifecycle.DECLINED, "Declined by physician"
    INELIGIBLE = lifecycle.INELIGIBLE, "Not eligible"
    EXPIRED = lifecycle.EXPIRED, "Screening out of date"


class Screening(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="screenings")
    intake = models.ForeignKey(
        IntakeQuestionnaire, on_delete=models.PROTECT, related_name="screenings"
    )
    kind = models.CharField(max_length=20, choices=ScreeningKind.choices)
    procedure = models.CharField(max_length=20, choices=Procedure.choices)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    reasons = models.JSONField(default=list, blank=True)
    answers = models.JSONField(help_text="The catalogue answers this screening saw.")
    answered_at = models.JSONField(
        default=dict,
        blank=True,
        help_text="When each answer was given (ISO time by code): answers age from then.",
    )
    details = models.JSONField(
        default=dict,
        blank=True,
        help_text="The intake's free text (medications, allergies, history) a decision binds to.",
    )
    derived = models.JSONField(
        default=dict, blank=True, help_text="Age, sex, scale, grade and skin type as they were."
    )
    ruleset_version = models.CharField(max_length=20)
    rescreen_after = models.DateField(null=True, blank=True)
    valid_until = models.DateField()
    screened_at = models.DateTimeField(default=timezone.now)
    # Empty for a screening the system made (the rules were updated).
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=25,
        choices=Status.choices,
        blank=True,
        help_text="The lifecycle's verdict for the procedure when the screening was stored.",
    )
    # Bookkeeping, not a clinical fact: the verdict as it stands now (refreshed by each
    # decision) and, when cleared, the day the clearance ends, after which the item needs
    # review again. The review queue reads them; eligibility.services keeps them.
    current_status = models.CharField(max_length=25, choices=Status.choices, blank=True)
    status_until = models.DateField(null=True, blank=True)
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
            # The review queue in its order. The columns after the order cover the queue's
            # filters, so counting the queue (on every physician's dashboard) reads only this
            # index, not each screening: 5.8 ms to 1.6 ms at 3,000 entries.
            models.Index(
                fields=[
                    "screened_at",
                    "id",
                    "current_status",
                    "status_until",
                    "valid_until",
                    "patient",
                ],
                condition=models.Q(is_latest=True, current_status__in=["needs_review", "cleared"]),
                name="screening_queue_covering_idx",
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


class Decision(models.TextChoices):
    CLEARED = lifecycle.CLEAR, "Clear"
    DECLINED = lifecycle.DECLINE, "Decline"
    MORE_INFO = lifecycle.MORE_INFO, "Ask for more information"
    RESOLVED = lifecycle.RESOLVED, "Resolved on examination"
    ENTERED_IN_ERROR = lifecycle.ENTERED_IN_ERROR, "Entered in error"


class PhysicianReview(models.Model):
    """A physician's decision on reasons of one procedure for one patient.

    A clearance covers the review reasons it names (`codes`), bound to the facts (`facts`,
    `details`) it saw, until `cleared_until`; it never lifts an exclusion. A decline stands
    until a newer decision on the same reason. *Resolved on examination* and *entered in error*
    lift the findings they name (CLINICAL.md, screening lifecycle).
    """

    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="reviews")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="reviews")
    procedure = models.CharField(max_length=20, choices=Procedure.choices)
    decision = models.CharField(max_length=20, choices=Decision.choices)
    codes = models.JSONField(
        default=list, blank=True, help_text="The review reasons this decision covers."
    )
    facts = models.JSONField(
        default=dict, blank=True, help_text="The answer (or age) behind each reason, as decided."
    )
    details = models.JSONField(
        default=dict, blank=True, help_text="The intake's free text as it was when decided."
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


class PlanSignOff(models.Model):
    """A physician's sign-off for same-day microneedling then LLLT on the patient's plan.

    Required before such a session can be booked (CLINICAL.md, lifecycle rule 10); it ends on
    `until` (180 days at most) or when a physician ends it with the plan.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="signoffs")
    note = models.TextField(max_length=4000)
    until = models.DateField()
    signed_at = models.DateTimeField(default=timezone.now)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    end_note = models.TextField(max_length=4000, blank=True)

    class Meta:
        ordering = ["-signed_at", "-id"]
        permissions = [("sign_off_plan", "Can sign off same-day microneedling then LLLT")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True) | models.Q(ended_by__isnull=False),
                name="signoff_ended_by_set",
            ),
        ]

    def __str__(self) -> str:
        return f"Same-day microneedling then LLLT sign-off of {self.signed_at:%Y-%m-%d}"
