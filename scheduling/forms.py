"""Scheduling forms. They check the shape of input; the services check every booking gate."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Field, Fieldset, Layout, Row, Submit
from django import forms

from core.bounds import BoundedDateField, DateInput, days_from_today
from eligibility import rules
from scheduling import selectors, times
from scheduling.models import Device, Room, TreatmentSession
from scheduling.services import TREATMENT_FIELDS
from treatments.models import SessionType

YES_NO = (("yes", "Yes"), ("no", "No"))

#: How far ahead a session may be booked or moved, or free slots searched: two years.
HORIZON_DAYS = 2 * 366


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class ProviderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return selectors.provider_name(obj)


#: The patient picker (templates/includes/patient_picker.html) draws a form's `patient`: a
#: hidden id, chosen by type-ahead, so no name or birth date travels in the form or a URL.
PICKER_TEMPLATE = "includes/patient_picker.html"
PICKED = {"data-picker-value": ""}


def _picker(name: str = "patient") -> Field:
    return Field(name, template=PICKER_TEMPLATE)


class _WhenMixin:
    """A date and a time in the clinic's zone, combined into `start`."""

    def clean(self):
        cleaned = super().clean()
        day, clock = cleaned.get("day"), cleaned.get("time")
        if day and clock:
            cleaned["start"] = times.at(day, clock)
        return cleaned


def _when_fields(form: forms.Form) -> None:
    """A day from today up to the horizon (an earlier time today is the service's to refuse)."""
    form.fields["day"] = BoundedDateField(
        earliest=days_from_today(0), latest=days_from_today(HORIZON_DAYS), widget=DateInput()
    )
    form.fields["time"] = forms.TimeField(
        widget=TimeInput(attrs={"step": times.slot_step().seconds})
    )


class BookingForm(_WhenMixin, forms.Form):
    patient = forms.ModelChoiceField(
        queryset=selectors.active_patients(),
        widget=forms.HiddenInput(attrs=PICKED),
        error_messages={"required": "Choose the patient: type a name, MRN, birth date or phone."},
    )
    session_type = forms.ModelChoiceField(queryset=SessionType.objects.filter(active=True))
    provider = ProviderChoiceField(
        queryset=selectors.providers(), required=False, empty_label="Any free provider"
    )
    room = forms.ModelChoiceField(
        queryset=Room.objects.filter(active=True), required=False, empty_label="Any free room"
    )
    device = forms.ModelChoiceField(
        queryset=Device.objects.filter(active=True),
        required=False,
        empty_label="Any free device",
    )
    override_note = forms.CharField(
        label="Minimum-interval override note",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only to book inside the minimum gap between sessions: say why.",
    )

    def __init__(self, *args, can_override: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        _when_fields(self)
        if not can_override:
            del self.fields["override_note"]
        self.helper = FormHelper()
        # Kept as a draft through the idle timeout (static/js/drafts.js, core.drafts).
        self.helper.attrs = {"data-draft": "booking"}
        self.helper.layout = Layout(
            Fieldset(
                "Session",
                Row(Column(_picker()), Column("session_type")),
                Row(Column("day"), Column("time")),
                Row(Column("provider"), Column("room"), Column("device")),
                *(["override_note"] if can_override else []),
            ),
            Submit("book", "Book session"),
        )


class RescheduleForm(_WhenMixin, forms.Form):
    provider = ProviderChoiceField(queryset=selectors.providers())
    room = forms.ModelChoiceField(queryset=Room.objects.filter(active=True))
    device = forms.ModelChoiceField(queryset=Device.objects.filter(active=True))
    override_note = forms.CharField(
        label="Minimum-interval override note",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, can_override: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        _when_fields(self)
        if not can_override:
            del self.fields["override_note"]
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(Column("day"), Column("time")),
            Row(Column("provider"), Column("room"), Column("device")),
            *(["override_note"] if can_override else []),
            Submit("move", "Move session"),
        )


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=200, help_text="Why the session is cancelled.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "reason", Submit("cancel", "Cancel session", css_class="btn-danger")
        )


class CheckInForm(forms.Form):
    """The day-of scalp questions (CLINICAL.md), each a required yes/no."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code in rules.DAY_OF_CODES:
            self.fields[code] = forms.TypedChoiceField(
                label=rules.CATALOGUE_BY_CODE[code].question,
                choices=YES_NO,
                coerce=lambda v: v == "yes",
                widget=forms.RadioSelect(attrs={"class": "form-check-inline"}),
                error_messages={"required": "Please answer yes or no."},
            )
        self.helper = FormHelper()
        self.helper.layout = Layout(
            HTML('<p class="text-body-secondary">Ask the patient and look at the scalp today.</p>'),
            *rules.DAY_OF_CODES,
            Submit("check_in", "Check in"),
        )

    def answers(self) -> dict[str, bool]:
        return {code: self.cleaned_data[code] for code in rules.DAY_OF_CODES}


_FIELDS_BY_PROCEDURE = {
    rules.MICRONEEDLING: ("needle_depth_mm", "passes", "cartridge_lot"),
    rules.PRP: ("prp_kit_lot", "prp_volume_ml"),
    rules.LLLT: ("lllt_minutes",),
}


class TreatmentForm(forms.ModelForm):
    class Meta:
        model = TreatmentSession
        fields = TREATMENT_FIELDS
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, procedures=(), can_set_depth: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        wanted = {name for p in procedures for name in _FIELDS_BY_PROCEDURE[p]}
        for name in (n for fields in _FIELDS_BY_PROCEDURE.values() for n in fields):
            if name not in wanted:
                del self.fields[name]
        if "needle_depth_mm" in self.fields:
            self.fields["needle_depth_mm"].widget.attrs.update(min="0.5", max="2.5", step="0.05")
            if not can_set_depth:
                self.fields["needle_depth_mm"].disabled = True
                self.fields["needle_depth_mm"].help_text = "Set by the physician."
        self.helper = FormHelper()
        self.helper.layout = Layout(
            *[name for name in self.fields if name not in ("topicals", "notes", "post_care_given")],
            "topicals",
            "notes",
            "post_care_given",
            Submit("save", "Save treatment record"),
        )

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields if name in TREATMENT_FIELDS}


class ConsentForm(forms.Form):
    typed_name = forms.CharField(label="Patient's full name, typed by the patient", max_length=200)
    agreed = forms.BooleanField(
        label="I have read this, had my questions answered, and agree to the treatment.",
        required=True,
        error_messages={"required": "The patient must tick that they agree."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout("typed_name", "agreed", Submit("sign", "Record consent"))


class FreeSlotsForm(forms.Form):
    session_type = forms.ModelChoiceField(queryset=SessionType.objects.filter(active=True))
    day = BoundedDateField(label="From", latest=days_from_today(HORIZON_DAYS), widget=DateInput())
    provider = ProviderChoiceField(
        queryset=selectors.providers(), required=False, empty_label="Any provider"
    )
    room = forms.ModelChoiceField(
        queryset=Room.objects.filter(active=True), required=False, empty_label="Any room"
    )
    patient = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput(attrs=PICKED)
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            Row(Column(_picker(), css_class="col-md-6")),
            Row(
                Column("session_type"),
                Column("day"),
                Column("provider"),
                Column("room"),
                Column(Submit("find", "Find free slots", css_class="mt-md-4")),
            ),
        )


class AddendumForm(forms.Form):
    reason = forms.CharField(
        max_length=200,
        help_text="Why the record needs it, e.g. wrong lot number typed, a detail left out.",
    )
    text = forms.CharField(
        label="Addendum",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What is corrected or added. The record itself stays as it was signed.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout("reason", "text", Submit("save", "Add to the record"))
