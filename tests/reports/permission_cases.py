from tests.permission_matrix import CLINIC_ADMIN, OK, REDIRECT, Made, page

ADMIN = (CLINIC_ADMIN,)
REPORTS = ("sessions", "screenings", "reviews", "recall")


def make_objects() -> dict:
    from reports import jobs
    from tests.factories import UserFactory

    job = jobs.export_start(
        by=UserFactory(role=CLINIC_ADMIN), report="sessions", fmt="xlsx", filters={}, rows=0
    )
    jobs.export_run(job.pk)
    return {"export_job": job.pk}


CASES = [
    page("reports:index", who=ADMIN, get=OK),
    *[page(f"reports:{report}", who=ADMIN, get=OK) for report in REPORTS],
    page("reports:recall", query={"lot": "LOT-1"}, who=ADMIN, get=OK),
    *[
        # A recall export needs a lot; without one it is a 400 that says so.
        page(
            "reports:export",
            report,
            fmt,
            query={"lot": "NO-SUCH-LOT"} if report == "recall" else None,
            who=ADMIN,
            get=OK,
            # POST starts it as a job, and leads to the job's page.
            post=REDIRECT,
        )
        for report in REPORTS
        for fmt in ("csv", "xlsx")
    ],
    # The search is POSTed, kept in the session, and the log drawn again.
    page("reports:audit-log", who=ADMIN, get=OK, post=REDIRECT),
    page("reports:audit-log-export", who=ADMIN, get=OK),
    page("reports:export-jobs", who=ADMIN, get=OK),
    page("reports:export-job", Made("export_job"), who=ADMIN, get=OK),
    page("reports:export-download", Made("export_job"), who=ADMIN, get=OK),
    # A finished job is not tried again: back to its page, with why.
    page("reports:export-retry", Made("export_job"), who=ADMIN, post=REDIRECT),
    # Buttons that start a job and lead to its page.
    page("reports:backup-start", who=ADMIN, post=REDIRECT),
    page("reports:fhir-job-start", who=ADMIN, post=REDIRECT),
]
