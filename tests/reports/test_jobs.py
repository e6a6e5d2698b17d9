"""Exports written in the background (issue 18): large exports and every XLSX are jobs with a
progress bar; the file is private, expires, and a failed or stopped job says why and is tried
again as a new job."""

import io
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from auditlog.models import LogEntry
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from reports import exports, jobs
from reports.models import Export, JobState
from tests.reports.conftest import WEEK
from tests.reports.test_memory import RANGE, _make_sessions

pytestmark = pytest.mark.django_db


def _start(client, report="sessions", fmt="xlsx", **params) -> Export:
    url = reverse("reports:export", args=[report, fmt])
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(f"{url}?{urlencode(params)}")
    assert response.status_code == 302
    job = Export.objects.filter(background=True).latest("pk")
    assert response["Location"] == job.get_absolute_url()
    return job


def test_an_xlsx_asks_then_runs_as_a_job_and_its_file_downloads(admin_client_, admin_user, week):
    page = admin_client_.get(reverse("reports:export", args=["sessions", "xlsx"]), WEEK)
    body = page.content.decode()
    assert page.status_code == 200 and "6 rows" in body and "Write the export" in body
    assert not Export.objects.exists()  # asking writes nothing
    job = _start(admin_client_, **WEEK)
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.rows_written == job.rows_expected == 6
    assert job.size > 0 and job.expires_at > timezone.now() + timedelta(hours=23)
    shown = admin_client_.get(job.get_absolute_url()).content.decode()
    assert "Ready" in shown and reverse("reports:export-download", args=[job.pk]) in shown
    response = admin_client_.get(reverse("reports:export-download", args=[job.pk]))
    assert response["Cache-Control"].startswith("no-store")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert len(list(book.active.iter_rows(values_only=True))) == 7
    # The audit trail: requested (create), then running and finished, all the admin's.
    entries = LogEntry.objects.get_for_object(job).order_by("pk")
    assert [e.action for e in entries][:1] == [LogEntry.Action.CREATE]
    assert {e.actor for e in entries} == {admin_user}
    assert any(e.changes_dict.get("state") == ["running", "done"] for e in entries)


def test_a_small_csv_streams_at_once_and_a_large_one_is_a_job(admin_client_, settings):
    _make_sessions(30)
    url = reverse("reports:export", args=["sessions", "csv"])
    assert "attachment" in admin_client_.get(url, RANGE)["Content-Disposition"]
    settings.EXPORT_BACKGROUND_ROWS = 20
    response = admin_client_.get(url, RANGE)
    assert "30 rows" in response.content.decode()
    job = _start(admin_client_, fmt="csv", **RANGE)
    job.refresh_from_db()
    download = admin_client_.get(reverse("reports:export-download", args=[job.pk]))
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    assert len(text.strip().splitlines()) == 31


def test_progress_is_written_as_the_rows_go(admin_client_, admin_user, monkeypatch):
    _make_sessions(50)
    seen = []
    real = exports.REPORTS["sessions"]

    def watched(filters, *, by=None):
        for i, row in enumerate(real.rows(filters, by=by)):
            if i % 10 == 0:
                seen.append(Export.objects.values_list("rows_written", flat=True).get())
            yield row

    monkeypatch.setitem(exports.REPORTS, "sessions", exports.ReportExport(
        real.name, real.title, real.columns, watched, real.count))  # fmt: skip
    monkeypatch.setattr(jobs, "PROGRESS_ROWS", 10)
    job = jobs.export_start(by=admin_user, report="sessions", fmt="csv", filters=RANGE, rows=50)
    assert jobs.export_run(job.pk) == JobState.DONE
    assert seen == [0, 10, 20, 30, 40]
    job.refresh_from_db()
    assert job.rows_written == 50


def test_the_running_page_polls_and_shows_time_left(admin_client_, admin_user):
    job = jobs.export_start(by=admin_user, report="sessions", fmt="xlsx", filters={}, rows=1000)
    Export.objects.filter(pk=job.pk).update(
        state=JobState.RUNNING, rows_written=250, heartbeat_at=timezone.now(),
        started_at=timezone.now() - timedelta(seconds=10),
    )  # fmt: skip
    page = admin_client_.get(job.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 1s"' in page and 'value="250" max="1000"' in page
    assert "about 30 s left" in page
    fragment = admin_client_.get(job.get_absolute_url(), HTTP_HX_REQUEST="true")
    assert fragment.content.decode().lstrip().startswith('<div id="export-progress"')


def test_a_failing_job_says_why_keeps_no_file_and_is_tried_again_as_a_new_job(
    admin_client_, admin_user, monkeypatch, week
):
    real = exports.REPORTS["sessions"]

    def broken(filters, *, by=None):
        yield from list(real.rows(filters, by=by))[:2]
        raise ConnectionError("database went away")

    monkeypatch.setitem(exports.REPORTS, "sessions", exports.ReportExport(
        real.name, real.title, real.columns, broken, real.count))  # fmt: skip
    job = _start(admin_client_, **WEEK)
    job.refresh_from_db()
    assert job.state == JobState.FAILED and not job.file
    assert "ConnectionError" in job.error
    page = admin_client_.get(job.get_absolute_url()).content.decode()
    assert "The export stopped" in page and "Try again" in page and "Download" not in page
    assert admin_client_.get(reverse("reports:export-download", args=[job.pk])).status_code == 404
    monkeypatch.setitem(exports.REPORTS, "sessions", real)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = admin_client_.post(reverse("reports:export-retry", args=[job.pk]))
    again = Export.objects.filter(background=True).latest("pk")
    assert again.pk != job.pk and response["Location"] == again.get_absolute_url()
    assert again.state == JobState.DONE and again.filters == job.filters


def test_a_job_whose_worker_stopped_is_failed_not_running_forever(admin_client_, admin_user):
    job = jobs.export_start(by=admin_user, report="sessions", fmt="xlsx", filters={}, rows=10)
    stale = timezone.now() - jobs.STALLED_AFTER - timedelta(seconds=1)
    Export.objects.filter(pk=job.pk).update(state=JobState.RUNNING, heartbeat_at=stale)
    page = admin_client_.get(job.get_absolute_url()).content.decode()
    assert "Failed" in page and "the worker writing it stopped" in page
    job.refresh_from_db()
    assert job.state == JobState.FAILED and not job.file
    # A queued duplicate of the task finds it no longer waiting and writes nothing.
    assert jobs.export_run(job.pk) == JobState.FAILED


def test_a_finished_file_expires_and_is_deleted(admin_client_, admin_user):
    job = jobs.export_start(by=admin_user, report="sessions", fmt="csv", filters={}, rows=0)
    jobs.export_run(job.pk)
    job.refresh_from_db()
    storage, name = job.file.storage, job.file.name
    assert storage.exists(name)
    assert jobs.exports_expire() == 0
    Export.objects.filter(pk=job.pk).update(expires_at=timezone.now())
    assert jobs.exports_expire() == 1
    job.refresh_from_db()
    assert job.state == JobState.EXPIRED and not storage.exists(name)
    assert admin_client_.get(reverse("reports:export-download", args=[job.pk])).status_code == 404


def test_the_exports_page_lists_jobs_with_who_state_and_size(admin_client_, admin_user):
    for fmt in ("csv", "xlsx"):
        job = jobs.export_start(by=admin_user, report="sessions", fmt=fmt, filters={}, rows=0)
        jobs.export_run(job.pk)
    page = admin_client_.get(reverse("reports:export-jobs")).content.decode()
    assert page.count(">Download<") == 2 and "Ready" in page
    assert admin_user.username in page or admin_user.get_full_name() in page


@pytest.mark.parametrize("client_name", ["desk_client", "physician_client"])
def test_only_admins_see_or_fetch_jobs(request, admin_user, client_name):
    job = jobs.export_start(by=admin_user, report="sessions", fmt="csv", filters={}, rows=0)
    jobs.export_run(job.pk)
    client = request.getfixturevalue(client_name)
    for name in ("reports:export-job", "reports:export-download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 403
    assert client.get(reverse("reports:export-jobs")).status_code == 403
    assert client.post(reverse("reports:export-retry", args=[job.pk])).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_an_admin_backs_up_from_the_app_kept_on_the_server_never_downloaded(
    admin_client_, admin_user, settings, tmp_path
):
    settings.BACKUP_DIR = tmp_path / "backups"
    response = admin_client_.post(reverse("reports:backup-start"))  # runs on commit
    job = Export.objects.get(report="backup")
    assert response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert job.state == JobState.DONE, job.error
    kept = list((tmp_path / "backups").iterdir())
    assert [str(p) for p in kept] == [job.location] and job.size == kept[0].stat().st_size > 0
    page = admin_client_.get(job.get_absolute_url()).content.decode()
    assert "kept on the server" in page and "Download" not in page
    assert admin_client_.get(reverse("reports:export-download", args=[job.pk])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_failed_backup_says_why_and_is_tried_again(admin_client_, admin_user, monkeypatch):
    from core import backup

    def refuse(output, using="default"):
        raise backup.BackupError("pg_dump is not installed")

    monkeypatch.setattr(backup, "backup", refuse)
    job = jobs.backup_start(by=admin_user)
    assert jobs.export_run(job.pk) == JobState.FAILED
    job.refresh_from_db()
    assert "pg_dump is not installed" in job.error and not job.location
    monkeypatch.undo()
    again = jobs.export_retry(by=admin_user, job=job)  # run on commit: no transaction here
    again.refresh_from_db()
    assert again.report == "backup" and again.pk != job.pk and again.state == JobState.DONE


@pytest.mark.parametrize("client_name", ["desk_client", "physician_client"])
def test_only_admins_back_up(request, client_name):
    client = request.getfixturevalue(client_name)
    assert client.post(reverse("reports:backup-start")).status_code == 403
    assert not Export.objects.exists()


def test_the_whole_clinic_fhir_export_runs_as_a_job_one_ndjson_per_type(admin_client_, admin_user):
    import json
    import zipfile

    from fhir_export import selectors as fhir
    from fhir_export.models import FhirExport
    from tests.factories import IntakeFactory
    from tests.fhir.validation import validate

    IntakeFactory()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = admin_client_.post(reverse("reports:fhir-job-start"))
    job = Export.objects.get(report="fhir")
    assert response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert job.state == JobState.DONE, job.error
    download = admin_client_.get(reverse("reports:export-download", args=[job.pk]))
    assert download["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert archive.namelist() == [f"{t}.ndjson" for t in fhir.TYPES]
    lines = [
        json.loads(line)
        for name in archive.namelist()
        for line in archive.read(name).decode().splitlines()
    ]
    assert len(lines) == job.rows_written and {r["resourceType"] for r in lines} >= {
        "Patient", "QuestionnaireResponse", "Questionnaire", "Practitioner"
    }  # fmt: skip
    for resource in lines:
        validate(resource)
    assert FhirExport.objects.get(subject="all types").resources == job.rows_written


@pytest.mark.parametrize("client_name", ["desk_client", "physician_client"])
def test_only_admins_start_the_fhir_job(request, client_name):
    client = request.getfixturevalue(client_name)
    assert client.post(reverse("reports:fhir-job-start")).status_code == 403
