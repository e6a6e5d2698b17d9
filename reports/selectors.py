"""Reads of the reports area that the pages show row by row: the recall list (patients' names and
phones, each read logged) and the audit log. Each takes the user and checks the permission."""

from dataclasses import dataclass

from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from core.audit import log_access
from reports import audit_search, jobs
from reports.exports import recall_queryset, recall_rows
from reports.forms import ReportFilters
from reports.models import Export, JobState


def _require(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


@dataclass(frozen=True)
class Recall:
    rows: list[tuple]  # the first `limit`, as the export writes them
    total: int  # sessions in all
    patients: int  # patients among the rows shown


def recall(*, user, filters: ReportFilters, limit: int) -> Recall:
    """Who to contact about a device or lot: the first `limit` rows, their patients' reads
    logged, and how many sessions there are in all."""
    _require(user, "reports.view_reports")
    rows = list(recall_rows(filters, by=user, limit=limit))
    # Fewer rows than the limit are all of them; the count is a scan of every session.
    total = len(rows) if len(rows) < limit else recall_queryset(filters).count()
    return Recall(rows=rows, total=total, patients=len({row[0] for row in rows}))


def audit_log(
    *, user, search: dict | None
) -> tuple[audit_search.AuditSearchForm, QuerySet[LogEntry]]:
    """(the search form, the entries it selects): everything, newest first, without a search;
    nothing when the search is not valid."""
    _require(user, "auditlog.view_logentry")
    if not search:
        return audit_search.AuditSearchForm(), audit_search.audit_entries(None)
    form = audit_search.AuditSearchForm(search)
    return form, audit_search.audit_entries(form)


# ---- export jobs ----------------------------------------------------------------------------

JOBS_PER_PAGE = 25


def export_job(*, user, pk: int) -> Export:
    """One export job (its file holds patients' data: the download is logged, see
    `export_shown`). A job whose worker stopped is marked failed before it is shown."""
    _require(user, "reports.export_reports")
    job = get_object_or_404(Export.objects.select_related("exported_by"), pk=pk, background=True)
    if job.state == JobState.RUNNING and jobs.exports_stalled():
        job.refresh_from_db()
    return job


def export_jobs(*, user, page) -> Page:
    """The export jobs, newest first, a page at a time (who asked, what, how far)."""
    _require(user, "reports.export_reports")
    jobs.exports_stalled()
    found = Export.objects.filter(background=True).select_related("exported_by")
    return Paginator(found.order_by("-exported_at", "-id"), JOBS_PER_PAGE).get_page(page)


def export_shown(*, user, job: Export) -> None:
    """A downloaded file: the read of its rows is in the access log as the export's."""
    _require(user, "reports.export_reports")
    log_access(job, by=user)
