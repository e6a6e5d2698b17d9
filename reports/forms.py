"""The one filter form every report shares, and what it cleans into (`ReportFilters`).

The filters are not patient data (dates, procedure, ids of session types, staff and rooms, a
status, a lot number), so they travel as GET parameters and the URL of a report can be shared.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.functional import cached_property

from core.bounds import BoundedDateField, DateInput
from eligibility.models import Procedure
from scheduling.models import Room, SessionType, Status

DEFAULT_DAYS = 30
MAX_DAYS = 5 * 366
MAX_DAY_POINTS = 366

BY_CHOICES = (("day", "Day"), ("week", "Week"), ("month", "Month"))


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


@dataclass(frozen=True)
class ReportFilters:
    """Cleaned filters; `None` dates mean "no limit" (the recall search spans all time)."""

    date_from: date | None = None
    date_to: date | None = None
    procedure: str = ""
    session_type: SessionType | None = None
    provider: object | None = None
    room: Room | None = None
    status: str = ""
    by: str = "day"
    lot: str = ""

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """The range as aware datetimes: from the clinic's midnight to the next day's."""
        zone = timezone.get_default_timezone()
        lower = upper = None
        if self.date_from:
            lower = datetime.combine(self.date_from, time.min, tzinfo=zone)
        if self.date_to:
            upper = datetime.combine(self.date_to + timedelta(days=1), time.min, tzinfo=zone)
        return lower, upper

    def as_json(self) -> dict:
        """What the Export row keeps: plain values, ids for objects, empty filters left out."""
        values = {
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "procedure": self.procedure,
            "session_type": self.session_type.pk if self.session_type else "",
            "provider": self.provider.pk if self.provider else "",
            "room": self.room.pk if self.room else "",
            "status": self.status,
            "by": self.by,
            "lot": self.lot,
        }
        return {key: value for key, value in values.items() if value not in ("", None)}


# Each filter keeps a readable width and the row wraps (issue 14): eight equal columns at
# 1366 px squeezed the selects to under 100 px and cut off their choices.
FILTER_COLUMN = "col-12 col-sm-6 col-lg-4 col-xl-3"


class ReportFilterForm(forms.Form):
    # Bounded, so the range's end plus a day is still a date (issue 12, finding 6): a refused
    # filter makes an export answer 400 before its Export row is written.
    date_from = BoundedDateField(label="From", required=False, widget=DateInput())
    date_to = BoundedDateField(label="To", required=False, widget=DateInput())
    procedure = forms.ChoiceField(
        label="Procedure", choices=[("", "Any procedure"), *Procedure.choices], required=False
    )
    session_type = forms.ModelChoiceField(
        label="Session type",
        queryset=SessionType.objects.order_by("name"),
        required=False,
        empty_label="Any session type",
    )
    provider = StaffChoiceField(
        label="Provider",
        queryset=get_user_model().objects.filter(is_active=True).order_by("last_name", "username"),
        required=False,
        empty_label="Any provider",
    )
    room = forms.ModelChoiceField(
        label="Room", queryset=Room.objects.order_by("name"), required=False, empty_label="Any room"
    )
    status = forms.ChoiceField(
        label="Status", choices=[("", "Any status"), *Status.choices], required=False
    )
    by = forms.ChoiceField(label="Group by", choices=BY_CHOICES, required=False)

    #: Without dates the range is the last DEFAULT_DAYS days, today included.
    default_range = True
    submit_label = "Show"

    def __init__(self, data=None, *args, **kwargs):
        data = {key: data.get(key) for key in data} if data is not None else {}
        if self.default_range:
            today = timezone.localdate()
            if not data.get("date_to"):
                data["date_to"] = today.isoformat()
            if not data.get("date_from"):
                data["date_from"] = (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat()
        data.setdefault("by", "day")
        super().__init__(data, *args, **kwargs)

    @cached_property
    def helper(self) -> FormHelper:
        """Crispy's layout, built when the form is drawn: a drawn form is mostly served from
        the cache (reports.views), and most requests never need it."""
        helper = FormHelper()
        helper.form_method = "get"
        helper.disable_csrf = True
        helper.layout = self.layout()
        return helper

    def layout(self) -> Layout:
        return Layout(
            Row(*[Column(name, css_class=FILTER_COLUMN) for name in self.fields]),
            Submit("", self.submit_label, css_class="mb-3"),
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end:
            if start > end:
                raise forms.ValidationError("The start date must be on or before the end date.")
            days = (end - start).days + 1
            if days > MAX_DAYS:
                raise forms.ValidationError("Choose a range of at most five years.")
            if cleaned.get("by") == "day" and days > MAX_DAY_POINTS:
                # A chart of more days than that is unreadable; weeks say the same thing.
                cleaned["by"] = "week"
        return cleaned

    def filters(self) -> ReportFilters:
        data = self.cleaned_data
        return ReportFilters(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            procedure=data.get("procedure") or "",
            session_type=data.get("session_type"),
            provider=data.get("provider"),
            room=data.get("room"),
            status=data.get("status") or "",
            by=data.get("by") or "day",
            lot=(data.get("lot") or "").strip(),
        )


class RecallFilterForm(ReportFilterForm):
    """The recall search: a lot or serial over all time, narrowed by the other filters if set."""

    lot = forms.CharField(
        label="Device serial or lot",
        max_length=50,
        required=False,
        help_text="A device serial number, a cartridge lot or a PRP kit lot (exact match).",
    )
    default_range = False
    submit_label = "Search"

    field_order = ["lot"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["by"]

    def layout(self) -> Layout:
        return Layout(
            Row(Column("lot", css_class="col-12 col-md-6 col-xl-4")),
            Row(*[Column(name, css_class=FILTER_COLUMN) for name in self.fields if name != "lot"]),
            Submit("", self.submit_label, css_class="mb-3"),
        )
