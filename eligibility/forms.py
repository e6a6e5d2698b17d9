from datetime import timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms

from eligibility.models import Decision


class ReviewDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose clear, decline or ask for more information."},
    )
    cleared_until = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Only for a clearance: the last day it holds.",
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        error_messages={"required": "A note is required for every decision."},
    )

    def __init__(self, *args, screening, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("cleared_until", screening.valid_until)
        self.fields["cleared_until"].widget.attrs["max"] = (
            screening.valid_until + timedelta(days=366)
        ).isoformat()
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "decision", "cleared_until", "note", Submit("decide", "Record decision")
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == Decision.CLEARED and not cleaned.get("cleared_until"):
            self.add_error("cleared_until", "A clearance needs an end date.")
        return cleaned
