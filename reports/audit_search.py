"""Searching the audit log: by staff member, patient (everything that belongs to them), action
and date. The search is POSTed and kept in the session, so an MRN never appears in a URL."""

from collections.abc import Iterator
from datetime import datetime, time, timedelta
from html import escape

import django_tables2 as tables
from auditlog.models import LogEntry
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import SafeString

from core.bounds import BoundedDateField
from eligibility.models import PhysicianReview, Screening
from intake.models import IntakeQuestionnaire, Patient
from reports.exports import CHUNK
from reports.forms import StaffChoiceField
from scheduling.forms import DateInput
from scheduling.models import Consent, SessionEvent, TreatmentSession

SESSION_KEY = "auditlog_search"
FIELDS = ("staff", "mrn", "action", "date_from", "date_to")
ACTIONS = [(str(value), label) for value, label in LogEntry.Action.choices]

COLUMNS = (
    "timestamp",
    "actor",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "changed_fields",
    "remote_addr",
)


class AuditSearchForm(forms.Form):
    staff = StaffChoiceField(
        queryset=get_user_model().objects.order_by("last_name", "username"),
        required=False,
        empty_label="Anyone",
    )
    mrn = forms.CharField(label="Patient MRN", max_length=12, required=False)
    action = forms.ChoiceField(choices=[("", "Any action"), *ACTIONS], required=False)
    date_from = BoundedDateField(label="From", required=False, widget=DateInput())
    date_to = BoundedDateField(label="To", required=False, widget=DateInput())

    @cached_property
    def helper(self) -> FormHelper:
        """Crispy's layout, built when the form is drawn (mostly from the cache: reports.views).
        The page writes the <form> tag and its CSRF token around the fields, so that the
        fields, drawn the same for everyone, can be cached."""
        helper = FormHelper()
        helper.form_method = "post"
        helper.form_tag = False
        helper.disable_csrf = True
        helper.layout = Layout(
            Row(*[Column(name, css_class="col-md") for name in FIELDS]),
            Submit("search", "Search", css_class="mb-3"),
        )
        return helper

    def clean_mrn(self) -> str:
        mrn = self.cleaned_data["mrn"].strip()
        if mrn and not Patient.objects.filter(mrn__iexact=mrn).exists():
            raise forms.ValidationError("No patient has this MRN.")
        return mrn

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("The start date must be on or before the end date.")
        return cleaned

    def as_filters(self) -> dict:
        """The search as stored with an Export (ids and codes, nothing else)."""
        data = self.cleaned_data
        values = {
            "staff": data["staff"].pk if data.get("staff") else "",
            "patient_mrn": data.get("mrn", ""),
            "action": data.get("action", ""),
            "date_from": data["date_from"].isoformat() if data.get("date_from") else "",
            "date_to": data["date_to"].isoformat() if data.get("date_to") else "",
        }
        return {key: value for key, value in values.items() if value}


def _patient_q(mrn: str) -> Q:
    """The patient's own entries and those of their intakes, screenings, reviews, sessions (and
    their events) and consents."""
    patient = Patient.objects.get(mrn__iexact=mrn)
    owned = {
        IntakeQuestionnaire: IntakeQuestionnaire.objects.filter(patient=patient),
        Screening: Screening.objects.filter(patient=patient),
        PhysicianReview: PhysicianReview.objects.filter(patient=patient),
        TreatmentSession: TreatmentSession.objects.filter(patient=patient),
        SessionEvent: SessionEvent.objects.filter(session__patient=patient),
        Consent: Consent.objects.filter(patient=patient),
    }
    kinds = ContentType.objects.get_for_models(Patient, *owned)
    q = Q(content_type=kinds[Patient], object_id=patient.pk)
    for model, records in owned.items():
        q |= Q(content_type=kinds[model], object_id__in=records.values("pk"))
    return q


def audit_entries(form: AuditSearchForm | None) -> QuerySet[LogEntry]:
    """Newest first; everything when there is no search, nothing when the search is invalid."""
    qs = (
        LogEntry.objects.select_related("actor")
        # What the page shows of an entry: not the serialised record, nor the actor's password.
        # The kind of object is named from ContentType's own cache (`AuditTable.rows_html`).
        .defer("serialized_data", "changes_text", "additional_data", "actor__password")
        .order_by("-timestamp", "-id")
    )
    if form is None:
        return qs
    if not form.is_valid():
        return qs.none()
    data = form.cleaned_data
    if data.get("staff"):
        qs = qs.filter(actor=data["staff"])
    if data.get("mrn"):
        qs = qs.filter(_patient_q(data["mrn"]))
    if data.get("action"):
        qs = qs.filter(action=int(data["action"]))
    zone = timezone.get_default_timezone()
    if data.get("date_from"):
        qs = qs.filter(timestamp__gte=datetime.combine(data["date_from"], time.min, tzinfo=zone))
    if data.get("date_to"):
        upper = datetime.combine(data["date_to"] + timedelta(days=1), time.min, tzinfo=zone)
        qs = qs.filter(timestamp__lt=upper)
    return qs


def changed_fields(changes) -> str:
    """Field names only: the values can be patient data and belong on the entry itself."""
    return ", ".join(changes) if isinstance(changes, dict) else ""


def audit_rows(qs: QuerySet[LogEntry]) -> Iterator[tuple]:
    labels = dict(LogEntry.Action.choices)
    rows = qs.values_list(
        "timestamp",
        "actor__username",
        "action",
        "content_type__app_label",
        "content_type__model",
        "object_id",
        "object_repr",
        "changes",
        "remote_addr",
    )
    for stamp, username, action, app, model, object_id, text, changes, addr in rows.iterator(
        chunk_size=CHUNK
    ):
        yield (
            timezone.localtime(stamp).strftime("%Y-%m-%d %H:%M:%S"),
            username or "",
            str(labels.get(action, action)),
            f"{app}.{model}",
            object_id,
            text,
            changed_fields(changes),
            addr or "",
        )


# The page links need a count, and counting a log of millions of entries costs more than the
# page: the count stops past COUNT_CAP (the links then end at the page after it; a search
# narrows the entries).
COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        # A django-tables2 paginator pages the table's rows; their queryset is counted, in no
        # particular order (any COUNT_CAP + 1 rows tell the same).
        return self.object_list.data.data.order_by()[: COUNT_CAP + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP


class AuditTable(tables.Table):
    """Columns and pagination; the rows themselves are `rows_html`."""

    timestamp = tables.Column(verbose_name="Time", orderable=False)
    actor = tables.Column(verbose_name="Staff member", orderable=False)
    action = tables.Column(orderable=False)
    content_type = tables.Column(verbose_name="Object type", orderable=False)
    object_repr = tables.Column(verbose_name="Object", orderable=False)
    changes = tables.Column(verbose_name="Changed fields", orderable=False)

    class Meta:
        model = LogEntry
        fields = ("timestamp", "actor", "action", "content_type", "object_repr", "changes")
        attrs = {"class": "table table-sm table-hover align-middle"}
        empty_text = "No audit entries match."
        # Six columns do not fit a phone: they scroll in a focusable region, the pages below.
        template_name = "reports/includes/audit_table.html"

    def paginate(self, paginator_class=CappedPaginator, *args, **kwargs):
        return super().paginate(paginator_class, *args, **kwargs)

    def rows_html(self) -> SafeString:
        """The <tr>s of the page, built here rather than cell by cell through django-tables2's
        column machinery, which cost most of the page (issue 15; as intake's patient list).
        Every stored value is escaped (the standard library's escape, which Django's wraps)."""
        labels = {value: str(label) for value, label in LogEntry.Action.choices}
        kinds: dict[int, str] = {}
        rows = []
        for row in self.paginated_rows:
            entry = row.record
            kind = kinds.get(entry.content_type_id)
            if kind is None:
                kind = kinds[entry.content_type_id] = ContentType.objects.get_for_id(
                    entry.content_type_id
                ).name
            rows.append(_entry_row(entry, kind, labels))
        return SafeString("".join(rows))


def _entry_row(entry: LogEntry, kind: str, labels: dict) -> str:
    """One entry as the columns show it: who by name, "(system)" without an actor, the changed
    fields' names only, "\N{EM DASH}" for an object without a description."""
    when = timezone.localtime(entry.timestamp).strftime("%d %b %Y %H:%M:%S")
    who = (entry.actor.get_full_name() or entry.actor.get_username()) if entry.actor else "(system)"
    text = entry.object_repr or "\N{EM DASH}"
    return (
        "<tr>"
        f"<td>{when}</td>"
        f"<td>{escape(who)}</td>"
        f"<td>{escape(labels.get(entry.action, str(entry.action)))}</td>"
        f"<td>{escape(kind)}</td>"
        f"<td>{escape(text)}</td>"
        f"<td>{escape(changed_fields(entry.changes))}</td>"
        "</tr>\n"
    )
