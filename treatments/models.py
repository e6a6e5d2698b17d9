"""What the clinic offers: session types, the kinds of room and device they need, and the consent
text a patient signs for each procedure.

It sits below eligibility (which shows a badge per session type on the patient page) and
scheduling (which books them). The table is still `scheduling_sessiontype`: the model moved here
without moving its rows (treatments migration 0001, scheduling migration 0005).
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst

from treatments.procedures import PROCEDURE_LABELS, PROCEDURES


class RoomKind(models.TextChoices):
    PROCEDURE = "procedure", "Procedure room"
    LASER = "laser", "Laser room"


class DeviceKind(models.TextChoices):
    MICRONEEDLING_PEN = "mn_pen", "Microneedling pen"
    CENTRIFUGE = "centrifuge", "PRP centrifuge"
    LASER = "laser", "Laser / light unit"


class Colour(models.TextChoices):
    """Bootstrap's theme colours, so a template can write `text-bg-{{ type.colour }}`."""

    BLUE = "primary", "Blue"
    CYAN = "info", "Cyan"
    GREEN = "success", "Green"
    YELLOW = "warning", "Yellow"
    RED = "danger", "Red"
    GREY = "secondary", "Grey"
    BLACK = "dark", "Black"


def validate_procedure_codes(value: str) -> None:
    codes = value.split("+") if value else []
    if not codes:
        raise ValidationError("Choose at least one procedure.")
    unknown = [code for code in codes if code not in PROCEDURES]
    if unknown:
        raise ValidationError(f"Unknown procedures: {', '.join(unknown)}.")
    if len(set(codes)) != len(codes):
        raise ValidationError("A procedure appears twice.")


class SessionType(models.Model):
    """What can be booked: one or more procedures, in the order they are done.

    The procedures are stored as "+"-joined codes ("prp+microneedling") because SQLite has no
    array column; `procedures` gives them as a tuple, which is what `eligibility_for` reads.
    """

    name = models.CharField(max_length=60, unique=True)
    procedure_codes = models.CharField(
        "procedures",
        max_length=60,
        validators=[validate_procedure_codes],
        help_text="Procedure codes joined by '+', in order, e.g. 'prp+microneedling'.",
    )
    duration_minutes = models.PositiveSmallIntegerField()
    room_kind = models.CharField(max_length=20, choices=RoomKind.choices)
    device_kind = models.CharField(max_length=20, choices=DeviceKind.choices)
    colour = models.CharField(
        max_length=20,
        choices=Colour.choices,
        default=Colour.BLUE,
        help_text="How the calendar and badges show this session type.",
    )
    providers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="session_types",
        help_text="The staff who may perform this session type.",
    )
    active = models.BooleanField(default=True)

    class Meta:
        db_table = "scheduling_sessiontype"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5, duration_minutes__lte=480),
                name="session_type_duration_range",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def procedures(self) -> tuple[str, ...]:
        return tuple(self.procedure_codes.split("+")) if self.procedure_codes else ()

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    @property
    def procedure_labels(self) -> str:
        return " + ".join(PROCEDURE_LABELS[p] for p in self.procedures)

    def includes(self, procedure: str) -> bool:
        return procedure in self.procedures


PUBLISHED_IS_FINAL = "A published consent text is never changed or removed: publish a new version."


class ConsentTextQuerySet(models.QuerySet):
    """Bulk writes would bypass `ConsentText.save` and `delete`: refused the same way."""

    def update(self, **kwargs):
        raise ValidationError(PUBLISHED_IS_FINAL)

    def delete(self):
        raise ValidationError(PUBLISHED_IS_FINAL)


class ConsentText(models.Model):
    """One version of a procedure's consent text (CLINICAL.md, "Consent").

    A signed consent names its procedure and `version` (scheduling's `Consent.text_version`),
    so a version is final once saved: a change is a new version, and every consent can be shown
    as the patient read it. The newest published version is the one new consents are signed on.
    """

    procedure = models.CharField(
        max_length=20, choices=[(code, capfirst(PROCEDURE_LABELS[code])) for code in PROCEDURES]
    )
    version = models.CharField(
        max_length=20,
        validators=[RegexValidator(r"^\d{4}\.\d{2}\.\d+$", "A version reads YYYY.MM.N.")],
    )
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="The paragraphs, separated by a blank line.")
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for the texts the app was installed with.",
    )

    objects = ConsentTextQuerySet.as_manager()

    class Meta:
        ordering = ["procedure", "-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "version"], name="consent_text_unique_version"
            ),
            models.CheckConstraint(
                condition=~Q(title="") & ~Q(body=""), name="consent_text_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValidationError(PUBLISHED_IS_FINAL)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(PUBLISHED_IS_FINAL)

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return tuple(paragraph for paragraph in self.body.split("\n\n") if paragraph)
