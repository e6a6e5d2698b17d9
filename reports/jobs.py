"""Exports written in the background, with progress (issue 18).

`export_start` makes the job (an `Export` row, state queued) and hands its id to the task
queue when the transaction commits; the worker's `export_run` writes the rows into a temporary
file, moving `rows_written` and `heartbeat_at` on as it goes, and only once the file is whole
moves it into private storage and marks the job done. A failure marks it failed with the
reason and removes the half file. A worker killed mid-job leaves it running with a heartbeat
that stops: `exports_stalled` (periodic, and on every read of the job) marks it failed. Nothing
is retried on its own: "Try again" makes a new job.
"""

import json
import os
import shutil
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from core.audit import actor
from reports import exports
from reports.forms import RecallFilterForm, ReportFilterForm
from reports.models import Export, ExportFormat, JobState

EXPORT = "reports.export_reports"
# Progress is written at most this often (seconds) and every PROGRESS_ROWS rows at most.
PROGRESS_EVERY = 0.5
PROGRESS_ROWS = 1000
# A running job whose heartbeat is older than this lost its worker.
STALLED_AFTER = timedelta(minutes=2)


def _require(user) -> None:
    if not user.has_perm(EXPORT):
        raise PermissionDenied


def filter_form(report: str, data) -> ReportFilterForm:
    return (RecallFilterForm if report == "recall" else ReportFilterForm)(data)


def in_background(report: str, fmt: str, filters) -> tuple[bool, int]:
    """Whether the export is a job, and how many rows it will have."""
    rows = exports.REPORTS[report].count(filters)
    return fmt == ExportFormat.XLSX or rows > settings.EXPORT_BACKGROUND_ROWS, rows


def export_start(*, by, report: str, fmt: str, filters: dict, rows: int | None) -> Export:
    """A new job for the report with these (validated, as_json) filters; queued on commit."""
    _require(by)
    return _queued(by, report=report, format=fmt, filters=filters, rows_expected=rows)


def _queued(by, **fields) -> Export:
    """A new job row (audited as `by`'s), handed to the queue when the transaction commits."""
    from reports import tasks

    with transaction.atomic(), actor(by):
        job = Export.objects.create(
            exported_by=by, background=True, state=JobState.QUEUED, **fields
        )
        transaction.on_commit(lambda: tasks.run_export(job.pk))
    return job


def export_retry(*, by, job: Export) -> Export:
    """Try a failed or expired job again: a new job, same report, format and filters."""
    _require(by)
    if job.active or job.state == JobState.DONE:
        raise ValidationError("This export has not failed: nothing to try again.")
    if job.report == BACKUP:
        return backup_start(by=by)
    if job.report == FHIR:
        return fhir_start(by=by)
    form = filter_form(job.report, job.filters)
    if not form.is_valid():
        raise ValidationError("Its filters are no longer valid: start the export from the report.")
    _, rows = in_background(job.report, job.format, form.filters())
    return export_start(by=by, report=job.report, fmt=job.format, filters=job.filters, rows=rows)


# ---- the worker ---------------------------------------------------------------------------


def _claim(pk: int) -> Export | None:
    with transaction.atomic():
        job = Export.objects.select_for_update().select_related("exported_by").get(pk=pk)
        if job.state != JobState.QUEUED:
            return None
        now = timezone.now()
        job.state, job.started_at, job.heartbeat_at = JobState.RUNNING, now, now
        with actor(job.exported_by):
            job.save(update_fields=["state", "started_at", "heartbeat_at"])
    return job


def _counted(job: Export, rows: Iterator) -> Iterator:
    """The rows, with the job's progress written as they pass (an update, not audited); the
    count goes on from what the job has written already (a FHIR export writes several files)."""
    written = noted = job.rows_written
    last = time.monotonic()
    for row in rows:
        yield row
        written += 1
        if written - noted >= PROGRESS_ROWS or time.monotonic() - last >= PROGRESS_EVERY:
            Export.objects.filter(pk=job.pk).update(
                rows_written=written, heartbeat_at=timezone.now()
            )
            noted, last = written, time.monotonic()
    job.rows_written = written


BACKUP = "backup"
BACKUP_PERM = "reports.run_backup"
# While a backup runs (no rows to count), the heartbeat moves on this often.
BEAT_SECONDS = 20


def backup_start(*, by) -> Export:
    """A backup of the whole database, written on the server (never downloaded: it holds every
    password hash and second-factor secret), as a job with its own page."""
    if not by.has_perm(BACKUP_PERM):
        raise PermissionDenied
    return _queued(by, report=BACKUP, format=ExportFormat.BACKUP)


@contextmanager
def _beating(job: Export) -> Iterator[None]:
    """Move the job's heartbeat on from a thread while a long step (a backup) has no rows to
    count, so the job is not taken for stalled."""
    from django.db import connection

    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(BEAT_SECONDS):
                Export.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())
        finally:
            connection.close()

    thread = threading.Thread(target=beat, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _write_backup(job: Export, path: str) -> None:
    from django.db import connection

    from core.backup import BackupError, backup

    if connection.in_atomic_block:
        # SQLite's backup waits for an open transaction of its own connection that never
        # ends; a worker runs the job outside any (only a test could call it inside one).
        raise ValidationError("A backup cannot run inside a transaction.")
    with _beating(job):
        try:
            backup(Path(path))
        except BackupError as exc:
            raise ValidationError(str(exc)) from exc


def _keep_backup(job: Export, path: str) -> None:
    """Move the finished backup beside `make backup`'s, under a name that sorts by time."""
    root = Path(settings.BACKUP_DIR)
    root.mkdir(parents=True, exist_ok=True)
    target = root / f"follicle-{timezone.now():%Y%m%dT%H%M%SZ}-{job.pk}.backup"
    shutil.move(path, target)
    now = timezone.now()
    job.location, job.size = str(target), target.stat().st_size
    job.state, job.finished_at, job.heartbeat_at = JobState.DONE, now, now
    with actor(job.exported_by):
        job.save(update_fields=["location", "size", "state", "finished_at", "heartbeat_at"])


FHIR = "fhir"
FHIR_PERM = "fhir.export_fhir"


def fhir_start(*, by) -> Export:
    """The whole clinic as FHIR NDJSON, one file per resource type in one ZIP, as a job."""
    if not by.has_perm(FHIR_PERM):
        raise PermissionDenied
    return _queued(by, report=FHIR, format=ExportFormat.NDJSON)


def _write_fhir(job: Export, path: str) -> None:
    """Each resource type's NDJSON into the ZIP as it is built: a chunk of rows in memory at a
    time, the patients of each chunk logged for the admin who asked (fhir_export.selectors)."""
    from fhir_export import selectors as fhir
    from fhir_export import services as fhir_services
    from fhir_export.models import FhirExport

    record = fhir_services.export_record(
        by=job.exported_by, scope=FhirExport.Scope.CLINIC, subject="all types"
    )
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for resource_type in fhir.TYPES:
            resources = fhir.clinic_resources(user=job.exported_by, resource_type=resource_type)
            with archive.open(f"{resource_type}.ndjson", "w") as member:
                for resource in _counted(job, resources):
                    member.write(json.dumps(resource, ensure_ascii=False).encode() + b"\n")
    fhir_services.export_count(by=job.exported_by, export=record, resources=job.rows_written)


def file_name(job: Export) -> str:
    """The download's name: a report's, or the FHIR export's ZIP."""
    if job.report == FHIR:
        return exports.filename("fhir-ndjson", "zip")
    return exports.filename(job.report, job.format)


def _write(job: Export, path: str) -> None:
    if job.report == BACKUP:
        _write_backup(job, path)
        return
    if job.report == FHIR:
        _write_fhir(job, path)
        return
    spec = exports.REPORTS[job.report]
    form = filter_form(job.report, job.filters)
    if not form.is_valid():
        raise ValidationError("The filters are no longer valid.")
    rows = _counted(job, spec.rows(form.filters(), by=job.exported_by))
    if job.format == ExportFormat.XLSX:
        with open(path, "wb") as file:
            exports.write_xlsx(file, spec.title, spec.columns, rows)
    else:
        with open(path, "w", encoding="utf-8", newline="") as file:
            exports.write_csv(file, spec.columns, rows)


def export_run(pk: int) -> str:
    """Write job `pk` if it is waiting; its state afterwards."""
    job = _claim(pk)
    if job is None:
        return Export.objects.filter(pk=pk).values_list("state", flat=True).first() or ""
    handle, path = tempfile.mkstemp(prefix="follicle-export-", dir=_scratch())
    os.close(handle)
    try:
        _write(job, path)
        (_keep_backup if job.report == BACKUP else _finish)(job, path)
    except Exception as exc:
        _fail(job, exc)
    finally:
        if os.path.exists(path):
            os.remove(path)
    return job.state


def _scratch_path():
    """Beside the exports, so the finished file moves on the same disk."""
    root = Path(settings.EXPORTS_ROOT) / "tmp"
    root.mkdir(parents=True, exist_ok=True)
    return root


def _scratch() -> str:
    return str(_scratch_path())


def _finish(job: Export, path: str) -> None:
    extension = "zip" if job.report == FHIR else job.format
    name = f"{job.report}-{get_random_string(24)}.{extension}"
    with open(path, "rb") as file:
        job.file.save(name, File(file), save=False)
    now = timezone.now()
    job.size = job.file.size
    job.state, job.finished_at, job.heartbeat_at = JobState.DONE, now, now
    job.expires_at = now + timedelta(hours=settings.EXPORT_KEEP_HOURS)
    with actor(job.exported_by):
        job.save(
            update_fields=[
                "file", "size", "state", "finished_at", "heartbeat_at", "expires_at",
                "rows_written",
            ]
        )  # fmt: skip


def _fail(job: Export, exc: Exception) -> None:
    message = " ".join(exc.messages) if isinstance(exc, ValidationError) else type(exc).__name__
    job.state, job.finished_at = JobState.FAILED, timezone.now()
    job.error = f"The export stopped: {message}"[:300]
    if job.file:
        job.file.delete(save=False)
    with actor(job.exported_by):
        job.save(update_fields=["state", "finished_at", "error", "file"])


# ---- housekeeping -------------------------------------------------------------------------


def exports_stalled(*, now=None) -> int:
    """Mark failed the jobs whose worker stopped (no heartbeat for STALLED_AFTER): no half
    file was ever attached to them. How many."""
    now = now or timezone.now()
    stalled = Export.objects.filter(
        background=True, state=JobState.RUNNING, heartbeat_at__lt=now - STALLED_AFTER
    )
    return stalled.update(
        state=JobState.FAILED,
        finished_at=now,
        error="The export stopped: the worker writing it stopped. Try again.",
    )


def exports_expire(*, now=None) -> int:
    """Delete the files of finished jobs past their time; how many."""
    now = now or timezone.now()
    done = 0
    for job in Export.objects.filter(state=JobState.DONE, expires_at__lte=now).exclude(file=""):
        job.file.delete(save=False)
        job.state = JobState.EXPIRED
        job.save(update_fields=["file", "state"])
        done += 1
    return done
