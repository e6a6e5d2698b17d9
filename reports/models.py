"""The clinic app's own records: the log of report exports."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (XLSX)"


class Export(models.Model):
    """One downloaded report: who exported which filters, when (the audit log shows it too).

    The model also carries the reports area's permissions, which belong to no other model.
    """

    report = models.CharField(max_length=30)
    format = models.CharField(max_length=10, choices=ExportFormat.choices)
    filters = models.JSONField(default=dict, blank=True)
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    exported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-exported_at", "-id"]
        permissions = [
            ("view_reports", "Can see the reports"),
            ("export_reports", "Can download report exports"),
        ]

    def __str__(self) -> str:
        when = timezone.localtime(self.exported_at)
        return f"{self.report} export ({self.format}) of {when:%Y-%m-%d %H:%M}"


class FiguresVersion(models.Model):
    """One row, bumped after every committed write that can change a report's figures
    (`reports.figures`): cached figures are keyed on it, so every worker of the server sees a
    write at once, whatever cache each of them keeps."""

    changes = models.PositiveBigIntegerField(default=0)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"report figures, version {self.changes}"
