"""Two-factor authentication with a TOTP app (django-otp).

Physicians and admins must use it (setting TWO_FACTOR_REQUIRED_ROLES); front desk may opt in,
and once they have a device it is required for them too.
"""

import segno
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.generic import FormView
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.roles import role_of


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def needs_second_factor(user) -> str | None:
    """Where to send an unverified user, or None when no second factor is needed."""
    if confirmed_device(user) is not None:
        return reverse("two-factor-verify")
    if role_of(user) in settings.TWO_FACTOR_REQUIRED_ROLES:
        return reverse("two-factor-setup")
    return None


class TokenForm(forms.Form):
    token = forms.CharField(
        label="6-digit code from your authenticator app",
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def __init__(self, *args, device: TOTPDevice, submit: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device
        self.helper = FormHelper()
        self.helper.layout = Layout("token", Submit("verify", submit))

    def clean_token(self):
        token = self.cleaned_data["token"].strip()
        if not token.isdigit() or not self.device.verify_token(token):
            raise forms.ValidationError("That code is not right. Check your app and try again.")
        return token


class TwoFactorVerifyView(FormView):
    template_name = "registration/two_factor_verify.html"
    form_class = TokenForm

    def dispatch(self, request, *args, **kwargs):
        self.device = confirmed_device(request.user)
        if self.device is None:
            return redirect("two-factor-setup")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "device": self.device, "submit": "Verify"}

    def form_valid(self, form):
        otp_login(self.request, self.device)
        return redirect(self.request.GET.get("next") or "dashboard")


class TwoFactorSetupView(FormView):
    template_name = "registration/two_factor_setup.html"
    form_class = TokenForm

    def dispatch(self, request, *args, **kwargs):
        if confirmed_device(request.user) is not None and not request.user.is_verified():
            return redirect("two-factor-verify")
        self.device, _ = TOTPDevice.objects.get_or_create(
            user=request.user, confirmed=False, defaults={"name": "Authenticator app"}
        )
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "device": self.device, "submit": "Turn on"}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        svg = segno.make(self.device.config_url, error="m").svg_inline(scale=5)
        context.update(qr_svg=mark_safe(svg), secret=_base32(self.device))
        return context

    def form_valid(self, form):
        TOTPDevice.objects.filter(user=self.request.user, confirmed=True).delete()
        self.device.confirmed = True
        self.device.save()
        otp_login(self.request, self.device)
        messages.success(self.request, "Two-factor authentication is on.")
        return redirect("dashboard")


def _base32(device: TOTPDevice) -> str:
    from base64 import b32encode

    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))
