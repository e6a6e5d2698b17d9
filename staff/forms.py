"""Staff forms. They check the shape of input; staff.services checks meaning (a username or
e-mail already taken, an account that may not be changed)."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator

from core.roles import ROLE_LABELS

ROLE_CHOICES = list(ROLE_LABELS.items())


class InviteForm(forms.Form):
    first_name = forms.CharField(max_length=150, widget=forms.TextInput({"autocomplete": "off"}))
    last_name = forms.CharField(max_length=150, widget=forms.TextInput({"autocomplete": "off"}))
    email = forms.EmailField(
        label="E-mail",
        max_length=254,
        help_text="The invitation, with a link to choose a password, goes here.",
        widget=forms.EmailInput({"autocomplete": "off"}),
    )
    username = forms.CharField(
        max_length=150,
        required=False,
        validators=[UnicodeUsernameValidator()],
        help_text="What they log in with. Leave empty to use the e-mail's part before the @.",
        widget=forms.TextInput({"autocomplete": "off", "spellcheck": "false"}),
    )
    role = forms.ChoiceField(
        choices=ROLE_CHOICES,
        widget=forms.RadioSelect,
        help_text="More roles can be added on the account's page.",
        error_messages={"required": "Choose a role."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(Column("first_name", css_class="col-md"), Column("last_name", css_class="col-md")),
            Row(Column("email", css_class="col-md"), Column("username", css_class="col-md")),
            "role",
            Submit("invite", "Send invitation"),
        )


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        choices=ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text="Most people have one; an admin who also treats patients is a physician too.",
        error_messages={"required": "Choose at least one role."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout("roles", Submit("save", "Save roles"))


class ConfirmForm(forms.Form):
    """A confirmation step: nothing to fill in, one button (`submit`, its label)."""

    def __init__(self, *args, submit: str, danger: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        css = "btn-danger" if danger else "btn-primary"
        self.helper.layout = Layout(Submit("confirm", submit, css_class=css))
