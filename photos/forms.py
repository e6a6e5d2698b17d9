"""Photo forms: they check the shape of input; photos.images and the services check the file
and what it means (consent, a session that took place)."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.utils.formats import date_format

from photos.models import PhotoView


def _helper(*layout, submit: str) -> FormHelper:
    helper = FormHelper()
    helper.layout = Layout(*layout, Submit("save", submit))
    return helper


class ViewChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: PhotoView) -> str:
        return obj.label


class PhotoUploadForm(forms.Form):
    """One view at a time. On a tablet `capture` opens the back camera; elsewhere it is an
    ordinary file chooser."""

    view = ViewChoiceField(queryset=PhotoView.objects.none(), empty_label=None)
    image = forms.FileField(
        label="Photo",
        help_text="Take it with the camera or choose an image (JPEG, PNG or WebP). Location and "
        "camera details are removed when it is saved.",
        widget=forms.FileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    def __init__(self, *args, views=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["view"].queryset = views
        self.helper = _helper("view", "image", submit="Save photo")


class PhotoConsentForm(forms.Form):
    typed_name = forms.CharField(label="Patient's name, typed by the patient", max_length=200)
    agreed = forms.BooleanField(
        label="The patient has read this consent and agrees to clinical scalp photographs.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("typed_name", "agreed", submit="Record photo consent")


class PhotoViewForm(forms.Form):
    code = forms.SlugField(
        max_length=30, help_text="A short stored name (letters, numbers, _); it never changes."
    )
    label = forms.CharField(max_length=100)
    position = forms.IntegerField(
        min_value=0, max_value=32767, help_text="Views are listed by this number, lowest first."
    )
    active = forms.BooleanField(
        required=False, help_text="An inactive view is not offered for new photos."
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["code"]
            layout = [Row(Column("label"), Column("position")), "active"]
        else:
            del self.fields["active"]
            layout = [Row(Column("code"), Column("label"), Column("position"))]
        self.helper = _helper(*layout, submit="Save view")


class CompareForm(forms.Form):
    """The view and the two sessions to compare, by id: nothing in the URL names anyone."""

    view = forms.TypedChoiceField(coerce=int, label="View")
    before = forms.TypedChoiceField(coerce=int, label="From")
    after = forms.TypedChoiceField(coerce=int, label="To")

    def __init__(self, *args, views=(), sessions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["view"].choices = [(view.pk, view.label) for view in views]
        dates = [(s.pk, date_format(s.start, "j M Y")) for s in sessions]
        self.fields["before"].choices = dates
        self.fields["after"].choices = dates
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_tag = True
        self.helper.layout = Layout(
            Row(
                Column("view", css_class="col-sm-4"),
                Column("before", css_class="col-sm-3"),
                Column("after", css_class="col-sm-3"),
                Column(
                    Submit("compare", "Compare"),
                    css_class="col-sm-2 d-flex align-items-end mb-3",
                ),
            )
        )


class WithdrawForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Submit("withdraw", "Withdraw photo consent", css_class="btn-danger")
        )
