# ruff: noqa: RUF001, RUF002 - times and ranges use en dashes
"""Rooms, devices, hours, consents and treatment sessions (session types are in treatments).

The invariants that must hold whatever code writes are in the database: times in order, needle
depth within 0.5–2.5 mm, a completed session has its treatment record, and (on PostgreSQL) no
provider, room, device or patient in two overlapping live sessions (see migration 0002).
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from eligibility.models import PhysicianReview, Procedure, Screening
from intake.models import Patient
from scheduling import consent as consent_texts
from treatments.models import (
    DeviceKind,
    RoomKind,
    SessionType,
    validate_procedure_codes,  # noqa: F401 - migration 0001 names it here, from before the move
)

NEEDLE_DEPTH_MIN = Decimal("0.5")
NEEDLE_DEPTH_MAX = Decimal("2.5")


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class Room(models.Model):
    name = models.CharField(max_length=50, unique=True)
    kind = models.CharField(max_length=20, choices=RoomKind.choices)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Device(models.Model):
    kind = models.CharField(max_length=20, choices=DeviceKind.choices)
    name = models.CharField(max_length=50)
    serial = models.CharField(max_length=50, unique=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.serial})"


class OpeningHours(models.Model):
    """When the clinic is open on a weekday; a weekday without a row is closed."""

    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, unique=True)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.CheckConstraint(
                condition=Q(opens__lt=models.F("closes")), name="opening_hours_in_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class ClosedDay(models.Model):
    day = models.DateField(unique=True)
    reason = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%d %b %Y}{f': {self.reason}' if self.reason else ''}"


class ProviderHours(models.Model):
    """A provider's working hours on a weekday; several rows make a split shift."""

    provider = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="working_hours"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["provider", "weekday", "start"]
        verbose_name_plural = "provider hours"
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=models.F("end")), name="provider_hours_in_order"
            ),
            models.UniqueConstraint(
                fields=["provider", "weekday", "start"], name="provider_hours_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class Consent(models.Model):
    """A patient's signed consent to one procedure, on a given version of its text."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consents")
    procedure = models.CharField(max_length=20, choices=Procedure.choices)
    text_version = models.CharField(max_length=20)
    typed_name = models.CharField("name typed by the patient", max_length=200)
    agreed = models.BooleanField(default=False)
    witnessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-signed_at", "-id"]
        indexes = [models.Index(fields=["patient", "procedure"], name="consent_patient_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(agreed=True), name="consent_agreed"),
        ]

    def __str__(self) -> str:
        return f"{self.get_procedure_display()} consent (v{self.text_version})"

    @cached_property
    def text(self) -> consent_texts.ConsentText | None:
        """The text as the patient read it (the version signed, whatever came after); read once
        per consent, as a page shows its title and its paragraphs."""
        return consent_texts.BY_VERSION.get((self.procedure, self.text_version))


class Status(models.TextChoices):
    BOOKED = "booked", "Booked"
    CHECKED_IN = "checked_in", "Checked in"
    IN_TREATMENT = "in_treatment", "In treatment"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"


# Sessions in these states hold nothing: their provider, room, device and patient are free.
RELEASED = (Status.CANCELLED, Status.NO_SHOW)


class TreatmentSession(models.Model):
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="treatment_sessions"
    )
    session_type = models.ForeignKey(SessionType, on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="provided_sessions"
    )
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="sessions")
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="sessions")
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.BOOKED)
    blocked_reason = models.TextField(
        blank=True, help_text="Why the day-of check-in stopped the session, if it did."
    )

    booked_at = models.DateTimeField(default=timezone.now)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # What the booking was decided on: the screenings and physician clearances of that moment.
    screenings = models.ManyToManyField(Screening, blank=True, related_name="sessions")
    reviews = models.ManyToManyField(PhysicianReview, blank=True, related_name="sessions")
    interval_override_note = models.TextField(blank=True, max_length=2000)
    interval_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancel_reason = models.CharField(max_length=200, blank=True)
    # The booking form's one-time token: a repeated submission finds the session it made.
    form_token = models.CharField(max_length=64, null=True, blank=True, unique=True)

    # The treatment record.
    needle_depth_mm = models.DecimalField(
        "needle depth (mm)", max_digits=3, decimal_places=2, null=True, blank=True
    )
    passes = models.PositiveSmallIntegerField(null=True, blank=True)
    cartridge_lot = models.CharField(max_length=50, blank=True)
    prp_kit_lot = models.CharField("PRP kit lot", max_length=50, blank=True)
    prp_volume_ml = models.DecimalField(
        "PRP volume (ml)", max_digits=4, decimal_places=1, null=True, blank=True
    )
    lllt_minutes = models.PositiveSmallIntegerField("LLLT minutes", null=True, blank=True)
    topicals = models.CharField("topicals applied", max_length=300, blank=True)
    notes = models.TextField(blank=True, max_length=4000)
    post_care_given = models.BooleanField("post-care sheet given", default=False)
    charted_at = models.DateTimeField(null=True, blank=True)
    charted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["start", "id"]
        permissions = [
            ("cancel_session", "Can cancel a session"),
            ("check_in_session", "Can check a patient in or mark a no-show"),
            ("chart_treatment", "Can start, chart and complete a treatment"),
            ("override_interval", "Can book inside the minimum interval between sessions"),
            ("set_needle_depth", "Can set the needle depth"),
        ]
        indexes = [
            models.Index(fields=["start"], name="session_start_idx"),
            models.Index(fields=["room", "start"], name="session_room_start_idx"),
            models.Index(fields=["provider", "start"], name="session_provider_start_idx"),
            models.Index(fields=["patient", "start"], name="session_patient_start_idx"),
            # The needs-attention list and its count on the desk's dashboard: blocked sessions
            # are few, so this index holds only them (3.4 ms to 0.2 ms at 20,000 upcoming).
            models.Index(
                fields=["start", "id"],
                condition=~Q(blocked_reason=""),
                name="session_blocked_start_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=models.F("end")), name="session_in_order"),
            models.CheckConstraint(
                condition=Q(needle_depth_mm__isnull=True)
                | Q(needle_depth_mm__gte=NEEDLE_DEPTH_MIN, needle_depth_mm__lte=NEEDLE_DEPTH_MAX),
                name="session_needle_depth_range",
            ),
            models.CheckConstraint(
                condition=Q(prp_volume_ml__isnull=True) | Q(prp_volume_ml__gt=0),
                name="session_prp_volume_positive",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.COMPLETED) | Q(charted_at__isnull=False),
                name="session_completed_is_charted",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.CANCELLED) | ~Q(cancel_reason=""),
                name="session_cancel_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_type} for {self.patient.mrn} at {self.start:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("scheduling:session-detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        if self.start and self.end and self.start >= self.end:
            raise ValidationError("A session must end after it starts.")
        if self.needle_depth_mm is not None and not (
            NEEDLE_DEPTH_MIN <= self.needle_depth_mm <= NEEDLE_DEPTH_MAX
        ):
            raise ValidationError(
                {"needle_depth_mm": f"Needle depth is {NEEDLE_DEPTH_MIN}–{NEEDLE_DEPTH_MAX} mm."}
            )

    @property
    def is_blocked(self) -> bool:
        return bool(self.blocked_reason)

    @property
    def is_charted(self) -> bool:
        return self.charted_at is not None

    @property
    def status_colour(self) -> str:
        if self.is_blocked:
            return "danger"
        return {
            Status.BOOKED: "primary",
            Status.CHECKED_IN: "info",
            Status.IN_TREATMENT: "warning",
            Status.COMPLETED: "success",
            Status.CANCELLED: "secondary",
            Status.NO_SHOW: "dark",
        }[self.status]


class EventKind(models.TextChoices):
    BOOKED = "booked", "Booked"
    RESCHEDULED = "rescheduled", "Rescheduled"
    CANCELLED = "cancelled", "Cancelled"
    BLOCKED = "blocked", "Stopped at check-in"
    ATTENTION = "attention", "Needs attention: no longer eligible"
    CLEARED = "eligible_again", "Eligible again"
    CHECKED_IN = "checked_in", "Checked in"
    STARTED = "started", "Treatment started"
    CHARTED = "charted", "Treatment recorded"
    COMPLETED = "completed", "Completed"
    NO_SHOW = "no_show", "No-show"


class SessionEvent(models.Model):
    """One step in a session's history; never changed once written."""

    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_start = models.DateTimeField(null=True, blank=True)
    to_start = models.DateTimeField(null=True, blank=True)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"


class Addendum(models.Model):
    """A correction or addition to a completed treatment record, which is itself locked: who,
    when, why and what, kept beside the record and never changed (issue 17)."""

    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="addenda")
    reason = models.CharField(max_length=200)
    text = models.TextField(max_length=4000)
    written_at = models.DateTimeField(default=timezone.now, editable=False)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )

    class Meta:
        ordering = ["written_at", "id"]
        verbose_name_plural = "addenda"

    def __str__(self) -> str:
        return f"Addendum of {self.written_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("An addendum is final: write another one.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("An addendum is final: write another one.")
