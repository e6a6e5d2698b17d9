from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from messaging import sms
from messaging.models import Via


class ContactForm(forms.Form):
    channel = forms.ChoiceField(
        label="Send messages by",
        choices=Via.choices,
        widget=forms.RadioSelect,
        help_text="Appointment reminders, the after-care sheet, and links to forms.",
    )
    consent = forms.BooleanField(
        label="The patient agreed to be contacted this way",
        required=False,
    )

    def __init__(self, *args, consented: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not sms.enabled():
            self.fields["channel"].choices = [c for c in Via.choices if c[0] != Via.SMS]
        if consented:
            self.fields["consent"].help_text = "Consent is on record already."
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", "Save"))
