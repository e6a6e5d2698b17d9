"""The clinic app's own records: the log of report exports."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (XLSX)"
    NDJSON = "ndjson", "FHIR NDJSON"
    BACKUP = "backup", "Database backup"


class JobState(models.TextChoices):
    QUEUED = "queued", "Waiting"
    RUNNING = "running", "Being written"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Expired (file deleted)"


def _exports_storage():
    from django.core.files.storage import storages

    return storages["exports"]


class Export(models.Model):
    """One report export: who exported which filters, when (the audit log shows it too).

    A small CSV streams at once (`background` false, state done). A large one, and every XLSX,
    is a job on the task queue (reports.jobs): the row holds its state, its progress, why it
    failed, and the finished file until it expires.

    The model also carries the reports area's permissions, which belong to no other model.
    """

    report = models.CharField(max_length=30)
    format = models.CharField(max_length=10, choices=ExportFormat.choices)
    filters = models.JSONField(default=dict, blank=True)
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    exported_at = models.DateTimeField(default=timezone.now)
    background = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=JobState.choices, default=JobState.DONE)
    rows_expected = models.PositiveIntegerField(null=True, blank=True)
    rows_written = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Moved on as the rows are written: a running job whose heartbeat stops lost its worker.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(storage=_exports_storage, max_length=200, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    # A backup is not offered for download (it holds every password hash and second-factor
    # secret): it is kept on the server, here, as `make backup` keeps it.
    location = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-exported_at", "-id"]
        indexes = [
            models.Index(
                fields=["state", "heartbeat_at"],
                condition=models.Q(background=True),
                name="export_job_state_idx",
            )
        ]
        permissions = [
            ("view_reports", "Can see the reports"),
            ("export_reports", "Can download report exports"),
            ("run_backup", "Can back up the database from the app"),
        ]

    def __str__(self) -> str:
        when = timezone.localtime(self.exported_at)
        return f"{self.report} export ({self.format}) of {when:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("reports:export-job", args=[self.pk])

    @property
    def downloadable(self) -> bool:
        return (
            self.state == JobState.DONE
            and bool(self.file)
            and (self.expires_at is None or self.expires_at > timezone.now())
        )

    @property
    def active(self) -> bool:
        return self.state in (JobState.QUEUED, JobState.RUNNING)


class FiguresVersion(models.Model):
    """One row, bumped after every committed write that can change a report's figures
    (`reports.figures`): cached figures are keyed on it, so every worker of the server sees a
    write at once, whatever cache each of them keeps."""

    changes = models.PositiveBigIntegerField(default=0)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"report figures, version {self.changes}"
