"""The export jobs' tasks. The work and every outcome are in reports.jobs; a job is never
retried on its own (the user's "Try again" makes a new one)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from reports import jobs


@db_task()
def run_export(pk: int) -> str:
    return jobs.export_run(pk)


@db_periodic_task(crontab(minute="*"))
def fail_stalled_exports() -> int:
    return jobs.exports_stalled()


@db_periodic_task(crontab(minute=15))
def delete_expired_exports() -> int:
    return jobs.exports_expire()
