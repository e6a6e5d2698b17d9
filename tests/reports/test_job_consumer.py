"""An export job on the real Huey consumer, on both queue stores (a SQLite file; Redis with
`make test-redis`): a worker that stops dead mid-job leaves the job failed, with no file to
download, and trying again makes a new job that finishes."""

from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse

from reports import exports, jobs
from reports.models import Export, JobState
from tests.factories import UserFactory, login_client
from tests.messaging.test_consumer import Crash, consumer_run, queue  # noqa: F401
from tests.reports.test_memory import RANGE, _make_sessions

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_worker_killed_mid_job_leaves_it_failed_and_a_retry_succeeds(queue):  # noqa: F811
    admin = UserFactory(role="clinic_admin", is_staff=True)
    _make_sessions(40)
    real = exports.REPORTS["sessions"]

    def dies_half_way(filters, *, by=None):
        for i, row in enumerate(real.rows(filters, by=by)):
            if i == 20:
                raise Crash  # the worker's thread stops dead, as under a kill
            yield row

    patched = exports.ReportExport(real.name, real.title, real.columns, dies_half_way, real.count)
    job = jobs.export_start(by=admin, report="sessions", fmt="xlsx", filters=RANGE, rows=40)
    with (
        mock.patch.dict(exports.REPORTS, {"sessions": patched}),
        mock.patch.object(jobs, "PROGRESS_ROWS", 5),
        consumer_run(),
    ):
        pass
    job.refresh_from_db()
    assert job.state == JobState.RUNNING and not job.file and job.rows_written >= 15
    # Nobody's heartbeat moves it on: after STALLED_AFTER it is failed, on the next look.
    client = login_client(admin)
    with mock.patch.object(jobs, "STALLED_AFTER", timedelta(0)):
        page = client.get(job.get_absolute_url()).content.decode()
    job.refresh_from_db()
    assert job.state == JobState.FAILED and "the worker writing it stopped" in page
    assert client.get(reverse("reports:export-download", args=[job.pk])).status_code == 404
    assert not any(p.name.endswith(".xlsx") for p in (jobs._scratch_path()).iterdir())

    again = jobs.export_retry(by=admin, job=job)
    with consumer_run():
        pass
    again.refresh_from_db()
    assert again.state == JobState.DONE and again.rows_written == 40
    assert client.get(reverse("reports:export-download", args=[again.pk])).status_code == 200
    assert Export.objects.filter(background=True).count() == 2
