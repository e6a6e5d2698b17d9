"""The FHIR export's own record: who exported what, when, how much. It also carries the
export's permission."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class FhirExport(models.Model):
    class Scope(models.TextChoices):
        PATIENT = "patient", "One patient (Bundle)"
        CLINIC = "clinic", "Whole clinic (NDJSON)"

    scope = models.CharField(max_length=10, choices=Scope.choices)
    # The patient's id for a one-patient Bundle; the resource type for an NDJSON file.
    subject = models.CharField(max_length=50, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    resources = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        default_permissions = ("view",)
        permissions = [("export_fhir", "Can export patient data as FHIR")]

    def __str__(self) -> str:
        return f"FHIR export ({self.get_scope_display()})"
