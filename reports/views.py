"""Reports area: one page per report (chart beside a table), its CSV and XLSX downloads, and
the audit-log search. Admins only: `reports.view_reports` to look, `reports.export_reports` to
download, `auditlog.view_logentry` for the audit log."""

from html import escape
from urllib.parse import urlencode

from crispy_forms.utils import render_crispy_form
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import render
from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.views import View
from django.views.generic import TemplateView

from core.views import ObjectListView, RoleRequiredMixin, SessionSearchMixin
from reports import audit_search, figures, jobs, queries, selectors
from reports.charts import Series, bar_chart, count_table, utilisation_table
from reports.exports import (
    CSV_CONTENT_TYPE,
    REPORTS,
    XLSX_CONTENT_TYPE,
    csv_response,
    record_export,
    xlsx_response,
)
from reports.forms import ReportFilterForm, ReportFilters
from scheduling.models import Status

FORMATS = ("csv", "xlsx")
RECALL_SHOWN = 500
AUDIT_PER_PAGE = 50

BLUE, GREEN, GREY, RED, ORANGE = "#0d6efd", "#198754", "#6c757d", "#dc3545", "#fd7e14"

NAV = (
    ("sessions", "Sessions"),
    ("screenings", "Screening outcomes"),
    ("reviews", "Review turnaround"),
    ("recall", "Lot recall"),
)


# What the recall export's `matched` codes mean, for the page (the download keeps the codes).
MATCHED_LABELS = {"device": "Device serial", "cartridge": "Cartridge lot", "prp_kit": "PRP kit lot"}
STATUS_LABELS = dict(Status.choices)


def _form_for(report: str, data) -> ReportFilterForm:
    return jobs.filter_form(report, data)


def _query_string(form: ReportFilterForm) -> str:
    return urlencode({key: value for key, value in form.data.items() if value})


class ReportIndexView(RoleRequiredMixin, TemplateView):
    permission_required = "reports.view_reports"
    template_name = "reports/index.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(reports=NAV, **kwargs)


class ReportView(RoleRequiredMixin, TemplateView):
    """The shared frame: the filter form, the report's figures when the filters are valid."""

    permission_required = "reports.view_reports"
    report = ""
    #: Counts only, no patient: the figures are cached (`reports.figures`).
    cached = True

    def get_template_names(self) -> list[str]:
        return [f"reports/{self.report}.html"]

    def figures(self, filters: ReportFilters) -> dict:
        raise NotImplementedError

    def prepare_form(self, form: ReportFilterForm, context: dict) -> None:
        """Before the form is drawn (on a cache miss): nothing to do by default."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = _form_for(self.report, self.request.GET)
        state = figures.version()
        context.update(form=form, report=self.report, reports=NAV, title=REPORTS[self.report].title)
        if form.is_valid():
            filters = form.filters()
            if self.cached:
                parts = [self.report, filters.as_json()]
                context.update(figures.cached(parts, lambda: self.figures(filters), state))
            else:
                context.update(self.figures(filters))
            context["query"] = _query_string(form)

        def draw() -> SafeString:
            self.prepare_form(form, context)
            return render_crispy_form(form)

        context["form_html"] = (
            draw()
            if form.errors
            else figures.cached(_form_key(self.report, form), draw, figures.signalled(state))
        )
        return context


def _form_key(name: str, form) -> list:
    """What a drawn filter form shows besides its lists (session types, rooms, staff, which
    `figures.signalled` follows): the values of its fields."""
    return ["form", name, [form.data.get(field) for field in form.fields]]


class SessionsReportView(ReportView):
    report = "sessions"

    def figures(self, filters: ReportFilters) -> dict:
        data = queries.sessions_report(filters)
        fmt = {"day": "%d %b", "week": "w/c %d %b", "month": "%b %Y"}[filters.by]
        labels = [row["label"].strftime(fmt) for row in data.by_period]
        chart = bar_chart(
            title=f"Sessions by {filters.by}",
            labels=labels,
            series=[
                Series("Booked", [r["booked"] for r in data.by_period], BLUE),
                Series("Completed", [r["completed"] for r in data.by_period], GREEN),
                Series("Cancelled", [r["cancelled"] for r in data.by_period], GREY),
                Series("No-show", [r["no_show"] for r in data.by_period], RED),
            ],
        )
        tables = {
            "by_period": count_table(
                data.by_period, heading=capfirst(filters.by), date_format="D j M Y"
            ),
            "by_procedure": count_table(data.by_procedure, heading="Procedure"),
            "by_provider": count_table(data.by_provider, heading="Provider"),
            "by_room": count_table(data.by_room, heading="Room"),
            "rooms": utilisation_table(data.rooms, heading="Room", empty="No rooms."),
            "devices": utilisation_table(data.devices, heading="Device", empty="No devices."),
        }
        return {
            "data": data,
            "chart": chart,
            "tables": tables,
            "period_format": fmt,
            "by": filters.by,
        }

    def prepare_form(self, form: ReportFilterForm, context: dict) -> None:
        if "data" in context:
            _list_what_was_read(form, context["data"])


def _list_what_was_read(form: ReportFilterForm, data: queries.SessionsReport) -> None:
    """Give the filter form's lists the session types, staff and rooms the report has read
    already, in the same order, instead of a query each when the form is drawn."""
    lists = {
        "session_type": data.session_types,
        "provider": [person for person in data.staff if person.is_active],
        "room": data.all_rooms,
    }
    for name, objects in lists.items():
        field = form.fields[name]
        field.choices = [
            ("", field.empty_label),
            *((obj.pk, field.label_from_instance(obj)) for obj in objects),
        ]


class ScreeningsReportView(ReportView):
    report = "screenings"

    def figures(self, filters: ReportFilters) -> dict:
        data = queries.screenings_report(filters)
        chart = bar_chart(
            title="Screening outcomes per procedure",
            labels=[row["label"] for row in data.outcomes],
            series=[
                Series("Eligible", [r["eligible"] for r in data.outcomes], GREEN),
                Series("Needs review", [r["needs_review"] for r in data.outcomes], ORANGE),
                Series("Not eligible", [r["ineligible"] for r in data.outcomes], RED),
            ],
        )
        return {"data": data, "chart": chart}


def _hours(value) -> float:
    return round(value.total_seconds() / 3600, 1) if value is not None else 0


class ReviewsReportView(ReportView):
    report = "reviews"

    def figures(self, filters: ReportFilters) -> dict:
        data = queries.reviews_report(filters)
        rows = [data.overall, *data.by_procedure]
        chart = bar_chart(
            title="Waiting time for a physician's decision (hours)",
            labels=[row.label for row in rows],
            series=[
                Series("Median", [_hours(r.median) for r in rows], BLUE),
                Series("90th percentile", [_hours(r.p90) for r in rows], ORANGE),
            ],
        )
        for item in data.open_items:
            # Formatted once, with the cached figures; the ages are of each request.
            item["screened_text"] = date_filter(
                timezone.localtime(item["screened_at"]), "j M Y H:i"
            )
        return {"data": data, "rows": rows, "chart": chart}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "data" in context:
            data = context["data"]
            queries.age_open_items([*data.open_items, *data.open_by_procedure], timezone.now())
        return context


class RecallReportView(ReportView):
    """Who to contact about a device or lot. Listing patients is reading their data: logged."""

    report = "recall"
    cached = False  # each search lists patients, and each listing is logged

    def figures(self, filters: ReportFilters) -> dict:
        if not filters.lot:
            return {"searched": False}
        found = selectors.recall(user=self.request.user, filters=filters, limit=RECALL_SHOWN)
        rows = [_recall_display(row) for row in found.rows]
        return {
            "searched": True,
            "rows": rows,
            "rows_html": _recall_rows_html(rows),
            "columns": REPORTS["recall"].columns,
            "total": found.total,
            "patients": found.patients,
            "shown": RECALL_SHOWN,
            "lot": filters.lot,
        }


def _recall_rows_html(rows: list[tuple]) -> SafeString:
    """The <tr>s of the recall list, built here: up to RECALL_SHOWN rows of ten cells each
    cost more through the template engine than the rest of the page. Every value is escaped;
    the session id (the fourth value) is the download's, not the page's."""
    return SafeString(
        "".join(
            "<tr>"
            + "".join(f"<td>{escape(str(cell))}</td>" for cell in (*row[:3], *row[4:]))
            + "</tr>"
            for row in rows
        )
    )


def _recall_display(row: tuple) -> tuple:
    """A recall export row as the page shows it: the status and what matched in words."""
    *head, status, serial, cartridge, kit, matched = row
    words = ", ".join(MATCHED_LABELS.get(code, code) for code in matched.split(";") if code)
    return (*head, STATUS_LABELS.get(status, status), serial, cartridge, kit, words)


class ExportView(RoleRequiredMixin, View):
    """A report's rows as CSV or XLSX, exactly what the same filters show. A small CSV streams
    at once; a large export and every XLSX is a job (reports.jobs): GET says so, POST starts
    it and leads to its page with the progress bar."""

    permission_required = "reports.export_reports"

    def _checked(self, request, report: str, fmt: str, data):
        if report not in REPORTS or fmt not in FORMATS:
            raise Http404
        spec = REPORTS[report]
        form = _form_for(report, data)
        problem = None
        if not form.is_valid():
            problem = "The filters are not valid; nothing was exported."
        elif report == "recall" and not form.filters().lot:
            problem = "Type a device serial or lot to export a recall list."
        if problem:
            context = {"form": form, "problem": problem, "report": report, "title": spec.title}
            return None, render(request, "reports/export_error.html", context, status=400)
        return form.filters(), None

    def get(self, request, report: str, fmt: str):
        filters, refused = self._checked(request, report, fmt, request.GET)
        if refused:
            return refused
        background, rows = jobs.in_background(report, fmt, filters)
        spec = REPORTS[report]
        if background:
            context = {"title": spec.title, "fmt": fmt.upper(), "rows": rows, "report": report}
            return render(request, "reports/export_start.html", context)
        record_export(by=request.user, report=report, fmt=fmt, filters=filters.as_json())
        rows = spec.rows(filters, by=request.user)
        if fmt == "csv":
            return csv_response(report, spec.columns, rows)
        return xlsx_response(report, spec.title, spec.columns, rows)

    def post(self, request, report: str, fmt: str):
        filters, refused = self._checked(request, report, fmt, request.GET)
        if refused:
            return refused
        _, rows = jobs.in_background(report, fmt, filters)
        job = jobs.export_start(
            by=request.user, report=report, fmt=fmt, filters=filters.as_json(), rows=rows
        )
        return HttpResponseRedirect(job.get_absolute_url())


class _JobMixin:
    permission_required = "reports.export_reports"

    def job(self, pk: int):
        return selectors.export_job(user=self.request.user, pk=pk)


class ExportJobView(_JobMixin, RoleRequiredMixin, TemplateView):
    """One job: its state and progress bar; htmx asks for the bar again while it runs."""

    template_name = "reports/export_job.html"

    def get_template_names(self):
        if self.request.headers.get("HX-Request"):
            return ["reports/includes/export_progress.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        job = self.job(kwargs["pk"])
        return super().get_context_data(job=job, progress=_progress(job), **kwargs)


def _progress(job) -> dict:
    """Rows written of rows expected, and the time left at the pace so far."""
    expected = job.rows_expected or 0
    written = min(job.rows_written, expected) if expected else job.rows_written
    left = None
    if job.state == "running" and job.started_at and written and expected > written:
        elapsed = (timezone.now() - job.started_at).total_seconds()
        left = max(1, round(elapsed / written * (expected - written)))
    return {"written": written, "expected": expected, "seconds_left": left}


class ExportJobListView(_JobMixin, RoleRequiredMixin, TemplateView):
    template_name = "reports/export_list.html"

    def get_context_data(self, **kwargs):
        page = selectors.export_jobs(user=self.request.user, page=self.request.GET.get("page"))
        return super().get_context_data(page_obj=page, jobs=page.object_list, **kwargs)


class ExportDownloadView(_JobMixin, RoleRequiredMixin, View):
    """A finished job's file, streamed from private storage; logged as read."""

    def get(self, request, pk: int):
        job = self.job(pk)
        if not job.downloadable:
            raise Http404
        selectors.export_shown(user=request.user, job=job)
        types = {"xlsx": XLSX_CONTENT_TYPE, "csv": CSV_CONTENT_TYPE, "ndjson": "application/zip"}
        return FileResponse(
            job.file.open("rb"),
            as_attachment=True,
            filename=jobs.file_name(job),
            content_type=types[job.format],
        )


class BackupStartView(RoleRequiredMixin, View):
    """Back up the database now, as a job; it is kept on the server."""

    permission_required = jobs.BACKUP_PERM
    http_method_names = ["post"]

    def post(self, request):
        return HttpResponseRedirect(jobs.backup_start(by=request.user).get_absolute_url())


class FhirJobStartView(RoleRequiredMixin, View):
    """The whole clinic's FHIR export, every resource type, written in the background."""

    permission_required = jobs.FHIR_PERM
    http_method_names = ["post"]

    def post(self, request):
        return HttpResponseRedirect(jobs.fhir_start(by=request.user).get_absolute_url())


class ExportRetryView(_JobMixin, RoleRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk: int):
        job = self.job(pk)
        try:
            new = jobs.export_retry(by=request.user, job=job)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(job.get_absolute_url())
        return HttpResponseRedirect(new.get_absolute_url())


class AuditLogView(SessionSearchMixin, ObjectListView):
    permission_required = "auditlog.view_logentry"
    template_name = "reports/audit_log.html"
    table_class = audit_search.AuditTable
    per_page = AUDIT_PER_PAGE
    search_session_key = audit_search.SESSION_KEY
    search_fields = audit_search.FIELDS

    def filter_rows(self, data):
        return selectors.audit_log(user=self.request.user, search=data)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(cap=f"{audit_search.COUNT_CAP:,}", **kwargs)
        form = context["filter_form"]
        if form.is_bound:
            # A search (an MRN, perhaps) is drawn afresh, and stays out of the cache.
            context["search_form_html"] = render_crispy_form(form)
        else:
            context["search_form_html"] = figures.cached(
                _form_key("audit-log", form),
                lambda: render_crispy_form(form),
                figures.signalled(figures.version()),
            )
        return context


class AuditLogExportView(RoleRequiredMixin, View):
    """The entries the current search selects, as CSV; the export is itself logged."""

    permission_required = ("auditlog.view_logentry", "reports.export_reports")

    def get(self, request):
        search = request.session.get(audit_search.SESSION_KEY)
        form, entries = selectors.audit_log(user=request.user, search=search)
        if search and not form.is_valid():
            context = {
                "form": form,
                "problem": "The audit-log search is not valid; nothing was exported.",
                "report": "audit-log",
                "title": "Audit log",
            }
            return render(request, "reports/export_error.html", context, status=400)
        filters = form.as_filters() if search else {}
        record_export(by=request.user, report="audit_log", fmt="csv", filters=filters)
        rows = audit_search.audit_rows(entries)
        return csv_response("audit-log", audit_search.COLUMNS, rows)
