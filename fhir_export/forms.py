"""The export page's one form: which patient's Bundle to download, by MRN. It is POSTed, so
the MRN is in no URL, no history and no server log line."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms


class PatientBundleForm(forms.Form):
    mrn = forms.CharField(
        label="MRN",
        max_length=12,
        help_text="The patient's medical record number, as on their page.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False  # the template's form holds the CSRF token
        self.helper.layout = Layout("mrn", Submit("bundle", "Download the Bundle"))
