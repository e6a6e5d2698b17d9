"""One submission per form: a double click or a back-and-resubmit does not save twice.

Each rendered form carries a fresh token; the first POST that succeeds with it records where it
led, and any later POST with the same token is sent there instead of being saved again.
"""

import secrets

from django import forms
from django.http import HttpResponseRedirect

SESSION_KEY = "completed_form_tokens"
_KEEP = 50


class FormTokenField(forms.CharField):
    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, max_length=64, **kwargs)


def new_token() -> str:
    return secrets.token_urlsafe(16)


def completed_redirect(request) -> HttpResponseRedirect | None:
    """The redirect to send a repeated submission to, or None for a fresh one."""
    token = request.POST.get("form_token", "")
    url = request.session.get(SESSION_KEY, {}).get(token) if token else None
    return HttpResponseRedirect(url) if url else None


def mark_completed(request, url: str) -> None:
    token = request.POST.get("form_token", "")
    if not token:
        return
    done = dict(request.session.get(SESSION_KEY, {}))
    done[token] = url
    request.session[SESSION_KEY] = dict(list(done.items())[-_KEEP:])


class IdempotentFormMixin:
    """For FormViews: adds the token field; a repeated POST redirects to the first result."""

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields["form_token"] = FormTokenField()
        if getattr(form, "helper", None) is not None:
            form.helper.render_hidden_fields = True
        if not self.request.POST.get("form_token"):
            form.initial["form_token"] = new_token()
        return form

    def post(self, request, *args, **kwargs):
        repeated = completed_redirect(request)
        if repeated is not None:
            return repeated
        return super().post(request, *args, **kwargs)
