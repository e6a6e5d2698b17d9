"""Reads of the reports area that the pages show row by row: the recall list (patients' names and
phones, each read logged) and the audit log. Each takes the user and checks the permission."""

from dataclasses import dataclass

from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from reports import audit_search
from reports.exports import recall_queryset, recall_rows
from reports.forms import ReportFilters


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
