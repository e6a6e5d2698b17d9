"""Patients and their intake questionnaires.

A patient is archived, never deleted; an intake is never edited in place: a change is a new
intake, so every screening can be explained by the answers it saw.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField

from intake import questionnaire


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    INTERSEX = "intersex", "Intersex"
    UNKNOWN = "unknown", "Not stated"


class Patient(models.Model):
    mrn = models.CharField("MRN", max_length=12, unique=True, editable=False)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=10, choices=Sex.choices)
    phone = PhoneNumberField(blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True, max_length=500)
    emergency_contact_name = models.CharField(max_length=200, blank=True)
    emergency_contact_phone = PhoneNumberField(blank=True)
    notes = models.TextField(blank=True, max_length=5000)

    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    archive_reason = models.CharField(max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        permissions = [("archive_patient", "Can archive a patient")]
        indexes = [
            models.Index(Lower("last_name"), Lower("first_name"), name="patient_name_idx"),
            models.Index(fields=["date_of_birth"], name="patient_dob_idx"),
            models.Index(fields=["phone"], name="patient_phone_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(date_of_birth__gte="1900-01-01"),
                name="patient_dob_after_1900",
            ),
            models.CheckConstraint(
                condition=models.Q(archived_at__isnull=True) | models.Q(archived_by__isnull=False),
                name="patient_archived_by_set",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.mrn})"

    def get_absolute_url(self) -> str:
        return reverse("intake:patient-detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def age_on(self, day) -> int:
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))

    @property
    def age(self) -> int:
        return self.age_on(timezone.localdate())

    def clean(self) -> None:
        super().clean()
        if self.date_of_birth and self.date_of_birth > timezone.localdate():
            raise ValidationError({"date_of_birth": "The date of birth cannot be in the future."})
        if self.date_of_birth and self.date_of_birth.year < 1900:
            raise ValidationError({"date_of_birth": "The date of birth must be after 1900."})


class Course(models.TextChoices):
    GRADUAL = "gradual", "Gradual, over months or years"
    SUDDEN = "sudden", "Sudden, over weeks"
    UNSURE = "unsure", "Not sure"


class LossPattern(models.TextChoices):
    THINNING = "thinning", "Steady thinning"
    SHEDDING = "shedding", "Shedding (hair coming out)"
    PATCHES = "patches", "Bald patches"
    MIXED = "mixed", "A mix"


class YesNoUnknown(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNKNOWN = "unknown", "Don't know"


class TreatmentUse(models.TextChoices):
    NEVER = "never", "Never"
    CURRENT = "current", "Using now"
    PAST = "past", "In the past"


SCALE_CHOICES = list(questionnaire.SCALES)

_SCALE_SHORT = {
    questionnaire.NORWOOD: "Norwood",
    questionnaire.LUDWIG: "Ludwig",
    questionnaire.SAVIN: "Savin",
}
GRADE_CHOICES = [
    (
        label,
        [
            (grade, f"{_SCALE_SHORT[value]} {grade}")
            for grade in questionnaire.GRADES_BY_SCALE[value]
        ],
    )
    for value, label in questionnaire.SCALES
]
FITZPATRICK_CHOICES = [(t, f"Type {t}") for t in questionnaire.FITZPATRICK_TYPES]

# Earlier and current hair-loss treatments asked about, in the order the form shows them.
TREATMENTS = (
    ("minoxidil", "Minoxidil"),
    ("finasteride", "Finasteride"),
    ("dutasteride", "Dutasteride"),
    ("supplements", "Supplements (biotin, iron, others)"),
    ("prp", "PRP"),
    ("laser", "Laser / light therapy"),
    ("transplant", "Hair transplant"),
)


class Source(models.TextChoices):
    """Who typed the answers in. A patient's own answers are screened like any other; the
    clinician's assessment (scale, grade, skin type) is never asked of them
    (docs/SELF_SERVICE.md)."""

    STAFF = "staff", "Entered by staff"
    LINK = "link", "Patient, by link"
    KIOSK = "kiosk", "Patient, on the clinic tablet"


class IntakeQuestionnaire(models.Model):
    """One completed intake. `answers` holds every catalogue question by its stable code."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="intakes")
    supersedes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        editable=False,
    )

    # Hair-loss history
    onset = models.CharField("When did the hair loss start?", max_length=100)
    course = models.CharField(max_length=10, choices=Course.choices)
    loss_pattern = models.CharField(max_length=10, choices=LossPattern.choices)
    scalp_symptoms = models.TextField(blank=True, max_length=2000)
    family_history = models.CharField(max_length=10, choices=YesNoUnknown.choices)
    family_history_details = models.CharField(max_length=500, blank=True)
    # The clinician's assessment: required from staff (intake.forms), carried forward or left
    # blank ("not yet assessed") in a patient's own intake.
    scale = models.CharField(max_length=10, choices=SCALE_CHOICES, blank=True)
    grade = models.CharField(max_length=12, choices=GRADE_CHOICES, blank=True)
    fitzpatrick = models.CharField(
        "Fitzpatrick skin type", max_length=3, choices=FITZPATRICK_CHOICES, blank=True
    )
    treatments = models.JSONField(default=dict, help_text="Treatment code → never/current/past.")
    treatment_outcomes = models.TextField(blank=True, max_length=2000)

    # Medical
    thyroid_disease = models.CharField(max_length=10, choices=YesNoUnknown.choices)
    iron_deficiency = models.CharField(max_length=10, choices=YesNoUnknown.choices)
    autoimmune_disease = models.CharField(max_length=10, choices=YesNoUnknown.choices)
    recent_illness_or_stress = models.CharField(max_length=10, choices=YesNoUnknown.choices)
    medical_details = models.TextField(blank=True, max_length=2000)

    # Medications and allergies, free text
    medications = models.TextField(blank=True, max_length=2000)
    allergies = models.TextField(blank=True, max_length=2000)

    # The contraindication catalogue: code -> True / False, read unchanged by eligibility.
    answers = models.JSONField(default=dict)

    taken_at = models.DateTimeField(default=timezone.now, editable=False)
    source = models.CharField(
        max_length=10, choices=Source.choices, default=Source.STAFF, editable=False
    )
    # Staff: who typed it. The patient's own: who sent the link or handed over the tablet.
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )

    class Meta:
        ordering = ["-taken_at", "-id"]
        get_latest_by = "taken_at"
        indexes = [models.Index(fields=["patient", "-taken_at"], name="intake_patient_taken_idx")]

    def __str__(self) -> str:
        return f"Intake of {self.taken_at:%Y-%m-%d} for {self.patient.mrn}"

    def get_absolute_url(self) -> str:
        return reverse("intake:intake-detail", args=[self.patient_id, self.pk])

    def clean(self) -> None:
        super().clean()
        if (
            self.scale
            and self.grade
            and self.grade not in questionnaire.GRADES_BY_SCALE.get(self.scale, ())
        ):
            raise ValidationError({"grade": "This grade does not belong to the chosen scale."})
        unknown = set(self.answers) - set(questionnaire.QUESTIONS_BY_CODE)
        if unknown:
            raise ValidationError({"answers": f"Unknown questions: {', '.join(sorted(unknown))}"})
        missing = [
            c.code
            for c in questionnaire.QUESTIONS
            if not isinstance(self.answers.get(c.code), bool)
        ]
        if missing:
            raise ValidationError({"answers": f"Unanswered questions: {', '.join(missing)}"})

    @property
    def grade_label(self) -> str:
        """The grade with its scale ("Norwood III"): grade codes repeat across scales."""
        if not self.grade:
            return "Not yet assessed"
        return f"{_SCALE_SHORT.get(self.scale, '')} {self.grade}".strip()

    @property
    def patient_reported(self) -> bool:
        return self.source != Source.STAFF

    @property
    def yes_count(self) -> int:
        return sum(1 for value in self.answers.values() if value is True)

    def answered_conditions(self) -> list[tuple["questionnaire.Question", bool | None]]:
        return [(c, self.answers.get(c.code)) for c in questionnaire.QUESTIONS]

    def treatment_rows(self) -> list[tuple[str, str]]:
        labels = dict(TreatmentUse.choices)
        return [
            (label, labels.get(self.treatments.get(code, ""), "—")) for code, label in TREATMENTS
        ]
