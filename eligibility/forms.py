"""Physicians' decision and sign-off forms. They check the shape of input; the services check
what may be decided (eligibility.services.decision_record, signoff_record)."""

from datetime import timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms

from core.bounds import BoundedDateField, DateInput
from eligibility.lifecycle import LIFTS, MAX_LASTING_CLEARANCE_DAYS, MAX_SIGNOFF_DAYS
from eligibility.models import Decision


def _note_field(help_text: str, required: str) -> forms.CharField:
    """The physician's note every decision and sign-off carries."""
    return forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text=help_text,
        error_messages={"required": required},
    )


class DecisionForm(forms.Form):
    """A physician's decision on reasons of one procedure.

    `code_choices` are the reasons open to some decision today (value, label). Lifting a finding
    (resolved on examination, entered in error) names the findings it lifts; the other decisions
    cover every reason open to them when none is ticked.
    """

    decision = forms.ChoiceField(
        choices=Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a decision."},
    )
    codes = forms.MultipleChoiceField(
        label="Reasons this decision is about",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=(
            "Resolved on examination and entered in error need the findings ticked. For the "
            "other decisions, none ticked means every reason open to that decision."
        ),
    )
    cleared_until = BoundedDateField(
        label="Cleared until",
        required=False,
        widget=DateInput(),
        help_text=(
            "Only for a clearance: the last day it holds. Empty: the longest allowed (the "
            f"screening's validity for a temporary reason, {MAX_LASTING_CLEARANCE_DAYS} days "
            "for a lasting one)."
        ),
    )
    note = _note_field(
        "Required: what you saw or why you decided so. Shown in the patient's timeline.",
        "A note is required for every decision.",
    )

    def __init__(self, *args, code_choices=(), today=None, submit="Record decision", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["codes"].choices = list(code_choices)
        if len(self.fields["codes"].choices) == 1:
            self.initial.setdefault("codes", [self.fields["codes"].choices[0][0]])
        if today is not None:
            self.fields["cleared_until"].widget.attrs.update(
                min=today.isoformat(),
                max=(today + timedelta(days=MAX_LASTING_CLEARANCE_DAYS)).isoformat(),
            )
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "decision", "codes", "cleared_until", "note", Submit("decide", submit)
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") in LIFTS and not cleaned.get("codes"):
            self.add_error("codes", "Tick the findings this decision lifts.")
        if cleaned.get("decision") != Decision.CLEARED:
            cleaned["cleared_until"] = None
        return cleaned


class ReviewDecisionForm(DecisionForm):
    """The review queue's form: the same decisions, on the screening's patient and procedure."""


class SignOffForm(forms.Form):
    note = _note_field(
        "Required: the plan you are signing off, and why same-day treatment is safe.",
        "A note is required for a sign-off.",
    )
    until = BoundedDateField(
        label="Signed off until",
        required=False,
        widget=DateInput(),
        help_text=f"The last day it holds; empty means {MAX_SIGNOFF_DAYS} days from today.",
    )

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        if today is not None:
            self.fields["until"].widget.attrs.update(
                min=today.isoformat(), max=(today + timedelta(days=MAX_SIGNOFF_DAYS)).isoformat()
            )
        self.helper = FormHelper()
        self.helper.layout = Layout("note", "until", Submit("sign_off", "Sign off"))


class SignOffEndForm(forms.Form):
    note = _note_field(
        "Required: why the sign-off ends (the plan changed, a finding, …).",
        "Say why the sign-off ends.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout("note", Submit("end", "End sign-off"))
