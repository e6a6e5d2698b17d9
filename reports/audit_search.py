"""Searching the audit log: by staff member, patient (everything that belongs to them), action
and date. The search is POSTed and kept in the session, so an MRN never appears in a URL."""

from collections.abc import Iterator
from datetime import datetime, time, timedelta

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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "post"
        self.helper.layout = Layout(
            Row(*[Column(name, css_class="col-md") for name in FIELDS]),
            Submit("search", "Search", css_class="mb-3"),
        )

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
    qs = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-id")
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
        # A django-tables2 paginator pages the table's rows; their queryset is counted.
        return self.object_list.data.data[: COUNT_CAP + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP


class AuditTable(tables.Table):
    timestamp = tables.Column(verbose_name="Time", orderable=False)
    actor = tables.Column(verbose_name="Staff member", orderable=False, default="(system)")
    action = tables.Column(orderable=False)
    content_type = tables.Column(verbose_name="Object type", orderable=False)
    object_repr = tables.Column(verbose_name="Object", orderable=False)
    changes = tables.Column(verbose_name="Changed fields", orderable=False, default="")

    class Meta:
        model = LogEntry
        fields = ("timestamp", "actor", "action", "content_type", "object_repr", "changes")
        attrs = {"class": "table table-sm table-hover align-middle"}
        empty_text = "No audit entries match."
        # Six columns do not fit a phone: they scroll in a focusable region, the pages below.
        template_name = "reports/includes/audit_table.html"

    def paginate(self, paginator_class=CappedPaginator, *args, **kwargs):
        return super().paginate(paginator_class, *args, **kwargs)

    def render_timestamp(self, value) -> str:
        return timezone.localtime(value).strftime("%d %b %Y %H:%M:%S")

    def render_actor(self, value) -> str:
        return value.get_full_name() or value.get_username()

    def render_action(self, record) -> str:
        return record.get_action_display()

    def render_content_type(self, value) -> str:
        return value.name

    def render_changes(self, value) -> str:
        return changed_fields(value)
