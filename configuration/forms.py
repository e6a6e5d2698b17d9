"""Clinic-settings forms. They check the shape of input (required, lengths, times in order);
the services check what it means for what is booked."""

from datetime import time

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row, Submit
from django import forms

from configuration import selectors
from core.bounds import BoundedDateField, DateInput, days_from_today
from eligibility.models import Procedure
from scheduling.forms import HORIZON_DAYS, TimeInput
from scheduling.models import Weekday
from scheduling.selectors import provider_name
from treatments.models import Colour, DeviceKind, RoomKind, SessionType

NO_PROCEDURE = [("", "None")]


class _ServiceForm(forms.Form):
    def service_fields(self) -> dict:
        """The cleaned data in the shape the service takes (without the form's token)."""
        return {
            k: v for k, v in self.cleaned_data.items() if k in self.fields and k != "form_token"
        }


def _helper(*layout, submit: str, danger: bool = False) -> FormHelper:
    helper = FormHelper()
    helper.layout = Layout(
        *layout, Submit("save", submit, css_class="btn-danger" if danger else "btn-primary")
    )
    return helper


class RoomForm(_ServiceForm):
    name = forms.CharField(max_length=50)
    kind = forms.ChoiceField(choices=RoomKind.choices)

    def __init__(self, *args, submit: str = "Save room", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Row(Column("name"), Column("kind")), submit=submit)


class DeviceForm(_ServiceForm):
    name = forms.CharField(max_length=50)
    kind = forms.ChoiceField(choices=DeviceKind.choices)
    serial = forms.CharField(
        label="Serial number", max_length=50, help_text="As printed on the device; unique."
    )

    def __init__(self, *args, submit: str = "Save device", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Row(Column("name"), Column("kind"), Column("serial")), submit=submit)


class ProvidersField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return provider_name(obj)

    def _check_values(self, value):
        """A number no key can be is no choice: SQLite would overflow on looking it up."""
        for pk in value:
            text = str(pk)
            if text.isdigit() and int(text) >= 2**63:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": text},
                )
        return super()._check_values(value)


class SessionTypeForm(forms.Form):
    """The procedures in the order they are done: a first, and up to two more."""

    name = forms.CharField(max_length=60)
    procedure_1 = forms.ChoiceField(label="First procedure", choices=Procedure.choices)
    procedure_2 = forms.ChoiceField(
        label="Second procedure (optional)",
        choices=NO_PROCEDURE + Procedure.choices,
        required=False,
    )
    procedure_3 = forms.ChoiceField(
        label="Third procedure (optional)", choices=NO_PROCEDURE + Procedure.choices, required=False
    )
    duration_minutes = forms.IntegerField(
        label="Length (minutes)",
        min_value=5,
        max_value=480,
        help_text="5 to 480. A new length applies to bookings and moves from now on.",
    )
    room_kind = forms.ChoiceField(label="Room", choices=RoomKind.choices)
    device_kind = forms.ChoiceField(label="Device", choices=DeviceKind.choices)
    colour = forms.ChoiceField(
        choices=Colour.choices, help_text="How the schedule and badges show it."
    )
    providers = ProvidersField(
        queryset=selectors.treating_staff(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Who may perform it",
    )

    def __init__(self, *args, submit: str = "Save session type", listed=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Those listed already stay choices (an inactive account, say), so saving keeps them.
        self.fields["providers"].queryset = selectors.provider_choices(keep=[p.pk for p in listed])
        self.helper = _helper(
            "name",
            Fieldset(
                "Procedures, in order",
                Row(Column("procedure_1"), Column("procedure_2"), Column("procedure_3")),
            ),
            Row(Column("duration_minutes"), Column("room_kind"), Column("device_kind")),
            "colour",
            "providers",
            submit=submit,
        )

    def clean(self):
        cleaned = super().clean()
        chosen = [cleaned.get(name) for name in ("procedure_1", "procedure_2", "procedure_3")]
        procedures = [code for code in chosen if code]
        for index, code in enumerate(chosen[1:], start=2):
            if code and procedures.count(code) > 1:
                self.add_error(f"procedure_{index}", "A procedure appears twice.")
                break
        cleaned["procedures"] = procedures
        return cleaned

    @staticmethod
    def initial_from(session_type: SessionType) -> dict:
        codes = [*session_type.procedures, "", ""]
        return {
            "name": session_type.name,
            "procedure_1": codes[0],
            "procedure_2": codes[1],
            "procedure_3": codes[2],
            "duration_minutes": session_type.duration_minutes,
            "room_kind": session_type.room_kind,
            "device_kind": session_type.device_kind,
            "colour": session_type.colour,
            "providers": list(session_type.providers.all()),
        }

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "procedures": data["procedures"],
            "duration_minutes": data["duration_minutes"],
            "room_kind": data["room_kind"],
            "device_kind": data["device_kind"],
            "colour": data["colour"],
            "providers": list(data["providers"]),
        }


class ConfirmForm(forms.Form):
    """A button that asks nothing more: deactivating a room, device or session type."""

    def __init__(self, *args, submit: str = "Deactivate", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(submit=submit, danger=True)


class OpeningHoursForm(forms.Form):
    """The week: per weekday, open or not and, if open, from when to when."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        days = []
        for weekday, label in Weekday.choices:
            self.fields[f"open_{weekday}"] = forms.BooleanField(
                label=f"Open on {label}s", required=False
            )
            self.fields[f"opens_{weekday}"] = forms.TimeField(
                label=f"{label}: opens", required=False, widget=TimeInput()
            )
            self.fields[f"closes_{weekday}"] = forms.TimeField(
                label=f"{label}: closes", required=False, widget=TimeInput()
            )
            days.append(
                Fieldset(
                    label,
                    f"open_{weekday}",
                    Row(
                        Column(f"opens_{weekday}", css_class="col"),
                        Column(f"closes_{weekday}", css_class="col"),
                    ),
                )
            )
        self.helper = _helper(*days, submit="Save opening hours")

    @staticmethod
    def initial_from(week: list[selectors.Day]) -> dict:
        initial: dict = {}
        for day in week:
            initial[f"open_{day.weekday}"] = day.hours is not None
            if day.hours is not None:
                initial[f"opens_{day.weekday}"] = day.hours.opens
                initial[f"closes_{day.weekday}"] = day.hours.closes
        return initial

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(f"open_{weekday}") for weekday in Weekday.values):
            raise forms.ValidationError("Tick at least one day the clinic is open.")
        for weekday, label in Weekday.choices:
            if not cleaned.get(f"open_{weekday}"):
                continue
            opens, closes = cleaned.get(f"opens_{weekday}"), cleaned.get(f"closes_{weekday}")
            for name, value in ((f"opens_{weekday}", opens), (f"closes_{weekday}", closes)):
                if value is None and name not in self.errors:
                    self.add_error(name, f"Give the time, or untick “Open on {label}s”.")
            if opens and closes and not opens < closes:
                self.add_error(f"closes_{weekday}", "Closing time must be after opening time.")
        return cleaned

    def week(self) -> dict[int, tuple[time, time] | None]:
        data = self.cleaned_data
        return {
            weekday: (data[f"opens_{weekday}"], data[f"closes_{weekday}"])
            if data[f"open_{weekday}"]
            else None
            for weekday in Weekday.values
        }


class ClosedDayForm(_ServiceForm):
    reason = forms.CharField(
        max_length=100, required=False, help_text="Shown to the front desk, e.g. a bank holiday."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"] = BoundedDateField(
            earliest=days_from_today(0),
            latest=days_from_today(HORIZON_DAYS),
            widget=DateInput(),
            help_text="Today or later.",
        )
        self.order_fields(["day", "reason"])
        self.helper = _helper(Row(Column("day"), Column("reason")), submit="Close the clinic")


class ProviderHoursForm(_ServiceForm):
    weekday = forms.TypedChoiceField(coerce=int, choices=Weekday.choices)
    start = forms.TimeField(widget=TimeInput())
    end = forms.TimeField(widget=TimeInput())

    def __init__(self, *args, submit: str = "Add hours", **kwargs):
        super().__init__(*args, **kwargs)
        # On a phone the day takes a line and the two times share the next.
        self.helper = _helper(
            Row(
                Column("weekday", css_class="col-12"),
                Column("start", css_class="col"),
                Column("end", css_class="col"),
            ),
            submit=submit,
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and not start < end:
            self.add_error("end", "The end must be after the start.")
        return cleaned
