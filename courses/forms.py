"""Course and outcome forms. They check the shape of input; the services check the meaning
(one open plan per session type, a grade of the chosen scale, a session checked in)."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms

from core.bounds import BoundedDateField, DateInput, days_from_today
from courses.models import GlobalAssessment
from intake import questionnaire
from treatments.models import SessionType

PROTOCOLS = (
    "Protocol defaults: PRP 3–5 sessions about 28 days apart, then maintenance every 90–180 "  # noqa: RUF001
    "days; microneedling weekly to monthly (7–28 days)."  # noqa: RUF001
)


class PlanForm(forms.Form):
    session_type = forms.ModelChoiceField(
        queryset=SessionType.objects.none(),
        error_messages={"required": "Choose the session type of the course."},
    )
    sessions_planned = forms.IntegerField(
        label="Number of sessions",
        min_value=1,
        max_value=52,
        initial=3,
        error_messages={"required": "Say how many sessions the course has."},
    )
    interval_days = forms.IntegerField(
        label="Days between sessions",
        min_value=1,
        max_value=365,
        initial=28,
        help_text=PROTOCOLS,
        error_messages={"required": "Say how many days apart the sessions are."},
    )
    maintenance_interval_days = forms.IntegerField(
        label="Maintenance: one session every … days",
        min_value=7,
        max_value=730,
        required=False,
        help_text="Empty: no maintenance after the planned sessions.",
    )
    starts_on = BoundedDateField(
        label="Starts on",
        widget=DateInput(),
        earliest=days_from_today(-365),
        latest=days_from_today(730),
        help_text="The first session is due on this day.",
        error_messages={"required": "Choose the day the course starts."},
    )
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False
    )

    def __init__(self, *args, session_types=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session_type"].queryset = session_types or SessionType.objects.none()
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "session_type",
            Row(
                Column("sessions_planned", css_class="col-sm-4"),
                Column("interval_days", css_class="col-sm-4"),
                Column("maintenance_interval_days", css_class="col-sm-4"),
            ),
            "starts_on",
            "notes",
            Submit("save", "Plan the course"),
        )


class PlanEndForm(forms.Form):
    reason = forms.CharField(
        max_length=200,
        help_text="Required: why the plan ends (course finished, treatment changed, …).",
        error_messages={"required": "Say why the plan ends."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout("reason", Submit("end", "End the plan"))


def _grade_choices() -> list:
    """Every grade, grouped by scale: the service checks that it belongs to the scale chosen."""
    return [
        ("", "---------"),
        *(
            (label, [(grade, grade) for grade in questionnaire.GRADES_BY_SCALE[code]])
            for code, label in questionnaire.SCALES
        ),
    ]


class OutcomeForm(forms.Form):
    scale = forms.ChoiceField(
        choices=[("", "---------"), *questionnaire.SCALES],
        error_messages={"required": "Choose the scale you graded on."},
    )
    grade = forms.ChoiceField(
        choices=_grade_choices,
        help_text="A grade of the scale chosen.",
        error_messages={"required": "Choose the grade."},
    )
    patient_assessment = forms.TypedChoiceField(
        label="The patient's global assessment",
        choices=[("", "Not asked"), *GlobalAssessment.choices],
        coerce=int,
        empty_value=None,
        required=False,
        help_text="Asked of the patient: since the course began, is their hair …",
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(Column("scale", css_class="col-sm-6"), Column("grade", css_class="col-sm-6")),
            "patient_assessment",
            "note",
            Submit("save", "Save the outcome"),
        )
