"""Consent texts: versions per procedure, a new version for any change (issue 14).

The clinic admin reads every version and publishes new ones; nothing here edits or removes a
published version, because a signed consent must always show what the patient read.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms
from django.urls import path, reverse

from core.idempotency import IdempotentFormMixin
from core.views import ObjectFormView, ObjectView
from treatments import selectors, services

VIEW = selectors.VIEW_CONSENT_TEXTS
PUBLISH = selectors.PUBLISH_CONSENT_TEXTS


class ConsentTextForm(forms.Form):
    title = forms.CharField(max_length=200, error_messages={"required": "Give the text a title."})
    body = forms.CharField(
        label="Text",
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text="Paragraph after paragraph, with an empty line between two paragraphs.",
        error_messages={"required": "Write the text the patient reads."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        # The template draws the <form>: it carries the version the editor started from.
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout("title", "body", Submit("publish", "Publish new version"))


class ConsentTextListView(ObjectView):
    permission_required = VIEW
    template_name = "configuration/consent_text_list.html"
    selector = selectors.consent_text_history
    context_object_name = "procedures"


class ConsentTextDetailView(ObjectView):
    permission_required = VIEW
    template_name = "configuration/consent_text_detail.html"
    selector = selectors.consent_text_get
    context_object_name = "text"

    def get_context_data(self, **kwargs):
        current = selectors.current_consent_text(self.object.procedure)
        return super().get_context_data(current=current, **kwargs)


class ConsentTextPublishView(IdempotentFormMixin, ObjectFormView):
    """The publish form, prefilled with the text in use; its POST adds a version."""

    permission_required = PUBLISH
    template_name = "configuration/consent_text_publish.html"
    form_class = ConsentTextForm
    selector = selectors.consent_text_to_replace
    context_object_name = "current"

    def get_initial(self):
        return {"title": self.object.title, "body": "\n\n".join(self.object.paragraphs)}

    def call(self, form):
        return services.publish_consent_text(
            procedure=self.object.procedure,
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
            by=self.request.user,
            replaces=self.request.POST.get("replaces") or None,
        )

    def get_success_message(self, cleaned_data) -> str:
        return (
            f"{self.result.title}: version {self.result.version} is published. New consents are "
            "signed on it."
        )

    def get_success_url(self) -> str:
        return reverse("configuration:consenttext-detail", args=[self.result.pk])


urlpatterns = [
    path("", ConsentTextListView.as_view(), name="consenttext-list"),
    path("<int:pk>/", ConsentTextDetailView.as_view(), name="consenttext-detail"),
    path("<str:procedure>/publish/", ConsentTextPublishView.as_view(), name="consenttext-publish"),
]
