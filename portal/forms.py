"""The patient's own forms: the birth-date check, the intake a page at a time, and the
pre-visit check. Plain words, large targets, one column (they are read on phones)."""

import copy
from dataclasses import dataclass
from datetime import date

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout, Submit
from django import forms

from intake import questionnaire
from intake.forms import IntakeForm
from intake.models import TREATMENTS
from portal import services

MONTHS = [
    (1, "January"), (2, "February"), (3, "March"), (4, "April"), (5, "May"), (6, "June"),
    (7, "July"), (8, "August"), (9, "September"), (10, "October"), (11, "November"),
    (12, "December"),
]  # fmt: skip


class BirthDateForm(forms.Form):
    day = forms.IntegerField(
        min_value=1, max_value=31, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    month = forms.TypedChoiceField(choices=[("", "Month"), *MONTHS], coerce=int)
    year = forms.IntegerField(
        min_value=1900, max_value=2100, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].widget.attrs.update(autocomplete="bday-day", size=2)
        self.fields["month"].widget.attrs.update(autocomplete="bday-month")
        self.fields["year"].widget.attrs.update(autocomplete="bday-year", size=4)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(
                "Your date of birth",
                Div(
                    Div("day", css_class="col-4 col-sm-3"),
                    Div("month", css_class="col-8 col-sm-5"),
                    Div("year", css_class="col-6 col-sm-4"),
                    css_class="row g-2",
                ),
            ),
            Submit("continue", "Continue", css_class="btn-lg w-100"),
        )

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            cleaned["born"] = date(cleaned["year"], cleaned["month"], cleaned["day"])
        except ValueError:
            raise forms.ValidationError("Enter a real date, for example 27 3 1985.") from None
        return cleaned


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    fields: tuple[str, ...]


def _questions(section: str) -> tuple[str, ...]:
    return tuple(f"q_{q.code}" for q in questionnaire.QUESTIONS if q.section == section)


STEPS: tuple[Step, ...] = (
    Step(
        "hair",
        "Your hair loss",
        (
            "onset",
            "course",
            "loss_pattern",
            "scalp_symptoms",
            "family_history",
            "family_history_details",
            *(f"treatment_{code}" for code, _ in TREATMENTS),
            "treatment_outcomes",
        ),
    ),
    Step(
        "health",
        "Your health",
        (
            "thyroid_disease",
            "iron_deficiency",
            "autoimmune_disease",
            "recent_illness_or_stress",
            "medical_details",
            *_questions("medical"),
        ),
    ),
    Step(
        "medicines",
        "Medicines and allergies",
        ("medications", "allergies", *_questions("medications")),
    ),
    Step("scalp", "Your scalp today", _questions("scalp_today")),
)
STEPS_BY_SLUG = {step.slug: step for step in STEPS}

_PLAIN_LABELS = {
    "onset": "When did your hair loss start?",
    "course": "How has it changed?",
    "loss_pattern": "What are you noticing?",
    "scalp_symptoms": "Any itching, pain or flaking on your scalp? (optional)",
    "family_history": "Has anyone in your family had hair loss?",
    "family_history_details": "Who, and what kind? (optional)",
    "treatment_outcomes": "How did those treatments work for you? (optional)",
    "thyroid_disease": "Do you have a thyroid condition?",
    "iron_deficiency": "Have you been told you are low in iron?",
    "autoimmune_disease": "Do you have an autoimmune condition (such as lupus or alopecia areata)?",
    "recent_illness_or_stress": "A major illness or stress in the last 6 months?",
    "medical_details": "Anything you would like to tell us about the above (optional)",
    "medications": "Which medicines do you take? Name and dose (optional)",
    "allergies": "Any allergies? (optional)",
}


TREATMENTS_FIRST = f"treatment_{TREATMENTS[0][0]}"
TREATMENTS_HEADING = '<p class="h5 mt-4">Have you tried any of these for your hair?</p>'


def _stacked(field: forms.Field) -> forms.Field:
    """One choice a line, big enough to tap."""
    field = copy.deepcopy(field)
    if isinstance(field.widget, forms.RadioSelect):
        field.widget.attrs = {}
    return field


class PatientIntakeStepForm(forms.Form):
    """One page of the intake, with the staff form's fields and checks, asked in plain words."""

    def __init__(self, *args, step: Step, last: bool, **kwargs):
        super().__init__(*args, **kwargs)
        full = IntakeForm()
        for name in step.fields:
            self.fields[name] = _stacked(full.fields[name])
            if name in _PLAIN_LABELS:
                self.fields[name].label = _PLAIN_LABELS[name]
        self.helper = FormHelper()
        self.helper.form_tag = False
        items = []
        for name in step.fields:
            if name == TREATMENTS_FIRST:
                items.append(HTML(TREATMENTS_HEADING))
            items.append(
                Field(name, css_class="form-control-lg") if _is_text(self.fields[name]) else name
            )
        self.helper.layout = Layout(*items)
        self.last = last


def _is_text(field: forms.Field) -> bool:
    return isinstance(field.widget, forms.TextInput | forms.Textarea)


class PatientIntakeForm(IntakeForm):
    """Every page's answers together, checked as the staff's intake is, without the
    clinician's assessment (services.ASSESSED), which is never asked of the patient."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in services.ASSESSED:
            del self.fields[name]

    def service_fields(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self._meta.fields if name in self.fields}
        data["treatments"] = self._treatments()
        data["answers"] = self._answers()
        return data


def _answer_field(question: questionnaire.Question) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=question.question,
        choices=(("yes", "Yes"), ("no", "No")),
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Please answer yes or no."},
    )


class PreVisitForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for question in services.day_of_questions():
            self.fields[question.code] = _answer_field(question)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            HTML('<p class="lead">Please answer for how your scalp is now.</p>'),
            *self.fields,
            Submit("send", "Send my answers", css_class="btn-lg w-100"),
        )
