"""Patient and intake forms. They check the shape of input; services and rules check meaning."""

import copy

from crispy_forms.bootstrap import InlineRadios, StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Div, Fieldset, Layout, Row, Submit
from django import forms
from django.utils import timezone

from core.bounds import DateInput
from intake import questionnaire
from intake.models import TREATMENTS, IntakeQuestionnaire, Patient, TreatmentUse
from intake.services import PATIENT_FIELDS

YES_NO = (("yes", "Yes"), ("no", "No"))
CONFIRM = "confirm_not_duplicate"
#: The registration button that goes on to the patient's first intake.
SAVE_AND_INTAKE = "save_and_intake"


class PatientForm(forms.ModelForm):
    confirm_not_duplicate = forms.BooleanField(
        required=False,
        label="I have checked: this is a different person from the records listed above.",
    )

    class Meta:
        model = Patient
        fields = PATIENT_FIELDS
        widgets = {
            "date_of_birth": DateInput(),
            "address": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "phone": "Include the country code for numbers from abroad, e.g. +1 415 555 0100.",
        }

    def __init__(self, *args, offer_intake: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date_of_birth"].widget.attrs["max"] = timezone.localdate().isoformat()
        buttons = [Submit("save", "Save patient")]
        if offer_intake:
            # First, so that Enter in a field takes it: a new patient's next step is the intake.
            buttons = [
                Submit(SAVE_AND_INTAKE, "Save and take the intake"),
                StrictButton(
                    "Save patient",
                    type="submit",
                    name="save",
                    css_id="submit-id-save",
                    css_class="btn-outline-primary",
                ),
            ]
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(
                "Patient",
                Row(Column("first_name"), Column("last_name"), Column("preferred_name")),
                Row(Column("date_of_birth"), Column("sex")),
            ),
            Fieldset(
                "Contact",
                Row(Column("phone"), Column("email")),
                "address",
                Row(Column("emergency_contact_name"), Column("emergency_contact_phone")),
            ),
            Fieldset("Notes", "notes"),
            Div(*buttons, css_class="d-flex flex-wrap gap-2"),
        )
        # Asked once a registration was refused as a likely duplicate, and kept while the
        # user who ticked it corrects something else.
        del self.fields[CONFIRM]
        if CONFIRM in self.data:
            self.ask_to_confirm()

    def ask_to_confirm(self) -> None:
        """Show the "this is a different person" box, above the button."""
        if CONFIRM in self.fields:
            return
        self.fields[CONFIRM] = copy.deepcopy(self.base_fields[CONFIRM])
        self.helper.layout.insert(len(self.helper.layout) - 1, CONFIRM)

    def service_fields(self) -> dict:
        """The cleaned data in the shape `patient_register` and `patient_update` take."""
        return {name: self.cleaned_data[name] for name in PATIENT_FIELDS}

    def clean_date_of_birth(self):
        dob = self.cleaned_data["date_of_birth"]
        if dob > timezone.localdate():
            raise forms.ValidationError("The date of birth cannot be in the future.")
        if dob.year < 1900:
            raise forms.ValidationError("The date of birth must be after 1900.")
        return dob


class ArchiveForm(forms.Form):
    reason = forms.CharField(
        max_length=200,
        required=True,
        help_text="Why the record is archived (e.g. duplicate of another record, moved away).",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout("reason", Submit("archive", "Archive", css_class="btn-danger"))


def _yes_no_field(condition: questionnaire.Question) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=condition.question,
        choices=YES_NO,
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect(attrs={"class": "form-check-inline"}),
        required=True,
        error_messages={"required": "Please answer yes or no."},
    )


def _treatment_field(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=TreatmentUse.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-inline"}),
        error_messages={"required": "Please choose never, now or in the past."},
    )


def _questions(section: str) -> list[InlineRadios]:
    """The catalogue's yes/no questions of one section of the questionnaire."""
    return [
        InlineRadios(f"q_{condition.code}")
        for condition in questionnaire.QUESTIONS
        if condition.section == section
    ]


def _history_section() -> Fieldset:
    return Fieldset(
        "1. Hair-loss history",
        Row(
            Column("onset"),
            Column(InlineRadios("family_history")),
            Column("family_history_details"),
        ),
        Row(Column(InlineRadios("course")), Column(InlineRadios("loss_pattern"))),
        "scalp_symptoms",
        Row(Column("scale"), Column("grade"), Column("fitzpatrick")),
        HTML('<p class="fw-semibold mb-1">Treatments so far</p>'),
        Row(
            *[
                Column(InlineRadios(f"treatment_{code}"), css_class="col-md-6")
                for code, _ in TREATMENTS
            ]
        ),
        "treatment_outcomes",
        css_class="intake-section",
    )


def _intake_layout() -> Layout:
    """The four sections: history, then the catalogue's questions by section."""
    titles = dict(questionnaire.SECTIONS)
    return Layout(
        _history_section(),
        Fieldset(
            f"2. {titles['medical']}",
            Row(Column(InlineRadios("thyroid_disease")), Column(InlineRadios("iron_deficiency"))),
            Row(
                Column(InlineRadios("autoimmune_disease")),
                Column(InlineRadios("recent_illness_or_stress")),
            ),
            "medical_details",
            *_questions("medical"),
            css_class="intake-section",
        ),
        Fieldset(
            f"3. {titles['medications']}",
            "medications",
            "allergies",
            *_questions("medications"),
            css_class="intake-section",
        ),
        Fieldset(
            f"4. {titles['scalp_today']}",
            HTML('<p class="text-body-secondary">Look at the scalp with the patient today.</p>'),
            *_questions("scalp_today"),
            css_class="intake-section",
        ),
        Submit("submit", "Submit intake"),
    )


class IntakeForm(forms.ModelForm):
    """The intake in four sections; every catalogue question is a required yes/no."""

    class Meta:
        model = IntakeQuestionnaire
        fields = (
            "onset",
            "course",
            "loss_pattern",
            "scalp_symptoms",
            "family_history",
            "family_history_details",
            "scale",
            "grade",
            "fitzpatrick",
            "treatment_outcomes",
            "thyroid_disease",
            "iron_deficiency",
            "autoimmune_disease",
            "recent_illness_or_stress",
            "medical_details",
            "medications",
            "allergies",
        )
        radio = forms.RadioSelect(attrs={"class": "form-check-inline"})
        widgets = {
            "scalp_symptoms": forms.Textarea(attrs={"rows": 2}),
            "treatment_outcomes": forms.Textarea(attrs={"rows": 2}),
            "medical_details": forms.Textarea(attrs={"rows": 2}),
            "medications": forms.Textarea(attrs={"rows": 2}),
            "allergies": forms.Textarea(attrs={"rows": 2}),
            "course": radio,
            "loss_pattern": radio,
            "family_history": radio,
            "thyroid_disease": radio,
            "iron_deficiency": radio,
            "autoimmune_disease": radio,
            "recent_illness_or_stress": radio,
        }
        labels = {
            "course": "How has it progressed?",
            "loss_pattern": "What is happening?",
            "scalp_symptoms": "Scalp symptoms (itching, pain, flaking…)",
            "family_history": "Hair loss in the family?",
            "scale": "Scale",
            "grade": "Pattern and grade",
            "treatment_outcomes": "How did those treatments go?",
            "thyroid_disease": "Thyroid disease?",
            "iron_deficiency": "Iron deficiency?",
            "autoimmune_disease": "Autoimmune disease?",
            "recent_illness_or_stress": "Major illness or stress in the last 6 months?",
            "medical_details": "Details of the above",
            "medications": "All current medications (name, dose)",
            "allergies": "Allergies",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Staff always assess these; only a patient's own intake leaves them blank.
        for name in ("scale", "grade", "fitzpatrick"):
            self.fields[name].required = True
        for code, label in TREATMENTS:
            self.fields[f"treatment_{code}"] = _treatment_field(label)
        for condition in questionnaire.QUESTIONS:
            self.fields[f"q_{condition.code}"] = _yes_no_field(condition)
        for field in self.fields.values():
            if isinstance(field.widget, forms.RadioSelect):
                # A radio list has no "nothing chosen" entry: unanswered is simply none ticked.
                field.choices = [c for c in field.choices if c[0] != ""]
        self.helper = FormHelper()
        # Kept as a draft through the idle timeout (static/js/drafts.js, core.drafts).
        self.helper.attrs = {"data-draft": "intake"}
        self.helper.layout = _intake_layout()

    @classmethod
    def initial_from(cls, intake: IntakeQuestionnaire, *, with_answers: bool) -> dict:
        """Pre-fill a new intake from an earlier one, so an edit only changes what changed.

        The screening answers are pre-filled only for those allowed to see them (physicians);
        the front desk asks them again, which is what a re-screen needs anyway.
        """
        initial = {name: getattr(intake, name) for name in cls._meta.fields}
        for code, _ in TREATMENTS:
            initial[f"treatment_{code}"] = intake.treatments.get(code)
        if not with_answers:
            return initial
        for condition in questionnaire.QUESTIONS:
            value = intake.answers.get(condition.code)
            if isinstance(value, bool):
                initial[f"q_{condition.code}"] = "yes" if value else "no"
        return initial

    def clean(self):
        cleaned = super().clean()
        scale, grade = cleaned.get("scale"), cleaned.get("grade")
        if scale and grade and grade not in questionnaire.GRADES_BY_SCALE[scale]:
            self.add_error("grade", "Choose a grade from the chosen scale.")
        return cleaned

    def _post_clean(self):
        # The model's own checks need the answers, which only exist once every question has
        # been answered; until then the form's field errors already say what is wrong.
        if self._errors:
            return
        self.instance.treatments = self._treatments()
        self.instance.answers = self._answers()
        super()._post_clean()

    def _treatments(self) -> dict[str, str]:
        return {code: self.cleaned_data[f"treatment_{code}"] for code, _ in TREATMENTS}

    def _answers(self) -> dict[str, bool]:
        return {c.code: self.cleaned_data[f"q_{c.code}"] for c in questionnaire.QUESTIONS}

    def service_fields(self) -> dict:
        """The cleaned data in the shape `intake_submit` takes."""
        data = {name: self.cleaned_data[name] for name in self._meta.fields}
        data["treatments"] = self._treatments()
        data["answers"] = self._answers()
        return data
