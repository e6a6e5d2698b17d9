"""Two-factor authentication with a TOTP app (django-otp).

Physicians and admins must use it (setting TWO_FACTOR_REQUIRED_ROLES); front desk may opt in,
and once they have a device it is required for them too.

Setting up a device asks for the password again and, when the user already has a device, a
current code from it: a session left open on a shared computer must not be enough to move the
second factor to someone else's phone. The new key lives in the session until a code from it
proves the app has it; only then is a device row written (issue 12, finding 7).
"""

import time
from base64 import b32encode
from urllib.parse import urlencode

import segno
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.generic import FormView
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from core.redirects import safe_next
from core.roles import role_of
from core.views import FORM_METHODS

#: The session key holding the key of a device being set up, until a code from it is right.
PENDING_KEY = "two_factor_pending_key"
DEVICE_NAME = "Authenticator app"
WRONG_CODE = "That code is not right. Check your app and try again."


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def needs_second_factor(user, next_path: str | None = None) -> str | None:
    """Where to send an unverified user, or None when no second factor is needed.

    `next_path`, the page the user asked for, rides along as `?next=` so the two-factor step
    ends there (the dashboard, where it ends anyway, is left out)."""
    if confirmed_device(user) is not None:
        target = reverse("two-factor-verify")
    elif role_of(user) in settings.TWO_FACTOR_REQUIRED_ROLES:
        target = reverse("two-factor-setup")
    else:
        return None
    if next_path and next_path != reverse("dashboard"):
        target = f"{target}?{urlencode({'next': next_path})}"
    return target


def _token_field(label: str, *, autofocus: bool = False) -> forms.CharField:
    attrs = {"autocomplete": "one-time-code", "inputmode": "numeric"}
    if autofocus:
        attrs["autofocus"] = True
    return forms.CharField(
        label=label, max_length=6, min_length=6, widget=forms.TextInput(attrs=attrs)
    )


class TokenForm(forms.Form):
    token = _token_field("6-digit code from your authenticator app", autofocus=True)

    def __init__(self, *args, device: TOTPDevice, submit: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device
        self.helper = FormHelper()
        self.helper.layout = Layout("token", Submit("verify", submit))

    def clean_token(self):
        token = self.cleaned_data["token"].strip()
        if not _code_right(self.device, token):
            raise forms.ValidationError(WRONG_CODE)
        return token


def _code_right(device: TOTPDevice, token: str) -> bool:
    return token.isdigit() and device.verify_token(token)


def _verified(request, device: TOTPDevice):
    """The session verified with `device`, and on to where the two-factor step ends: the `next`
    it was given if it is on this site."""
    otp_login(request, device)
    # A new session id for the stronger login: one seen before this step is worth nothing.
    request.session.cycle_key()
    return redirect(safe_next(request, request.GET.get("next"), reverse("dashboard")))


class _TwoFactorStep(FormView):
    """A page of the two-factor step; `device` is the user's confirmed one, if any."""

    http_method_names = FORM_METHODS

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.device = confirmed_device(request.user)


class TwoFactorVerifyView(_TwoFactorStep):
    template_name = "registration/two_factor_verify.html"
    form_class = TokenForm

    def dispatch(self, request, *args, **kwargs):
        if self.device is None:
            return redirect("two-factor-setup")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "device": self.device, "submit": "Verify"}

    def form_valid(self, form):
        return _verified(self.request, self.device)


class SetupForm(forms.Form):
    """The password again, a current code when a device exists, and a code from the new key."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    current_token = _token_field("6-digit code from the authenticator app you use now")
    token = _token_field("6-digit code the app shows for the new key")

    def __init__(self, *args, request, pending_key: str, current: TOTPDevice | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.pending_key = pending_key
        self.current = current
        self.new_t: int | None = None
        if current is None:
            del self.fields["current_token"]
        self.helper = FormHelper()
        self.helper.layout = Layout(*self.fields, Submit("verify", "Turn on"))

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        user = self.request.user
        # Through the authentication backends, so django-axes counts wrong passwords here too.
        same = authenticate(
            self.request, username=user.get_username(), password=cleaned["password"]
        )
        if same is None or same.pk != user.pk:
            self.add_error("password", "That is not your password.")
            return cleaned
        current_token = cleaned.get("current_token", "").strip()
        if self.current is not None and not _code_right(self.current, current_token):
            self.add_error("current_token", WRONG_CODE)
        self.new_t = _verify_pending(self.pending_key, cleaned["token"].strip())
        if self.new_t is None:
            self.add_error("token", WRONG_CODE)
        return cleaned


def _pending_device(user, key: str) -> TOTPDevice:
    """The device being set up, unsaved: the QR code and the check of its first code."""
    return TOTPDevice(user=user, name=DEVICE_NAME, key=key, confirmed=False)


def _verify_pending(key: str, token: str) -> int | None:
    """The time step `token` matches for a key not yet saved, or None. (TOTPDevice.verify_token
    would save the unsaved device, right code or wrong.)"""
    if not token.isdigit():
        return None
    device = _pending_device(None, key)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return totp.t() if totp.verify(int(token), device.tolerance) else None


class TwoFactorSetupView(_TwoFactorStep):
    template_name = "registration/two_factor_setup.html"
    form_class = SetupForm

    def dispatch(self, request, *args, **kwargs):
        if self.device is not None and not request.user.is_verified():
            return redirect("two-factor-verify")
        if not request.session.get(PENDING_KEY):
            request.session[PENDING_KEY] = random_hex(20)
        self.pending_key = request.session[PENDING_KEY]
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "request": self.request,
            "pending_key": self.pending_key,
            "current": self.device,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        device = _pending_device(self.request.user, self.pending_key)
        svg = segno.make(device.config_url, error="m").svg_inline(scale=5)
        context.update(qr_svg=mark_safe(svg), secret=_base32(device), replacing=self.device)
        return context

    def form_valid(self, form):
        user = self.request.user
        with transaction.atomic():
            TOTPDevice.objects.filter(user=user).delete()
            device = TOTPDevice.objects.create(
                user=user, name=DEVICE_NAME, key=self.pending_key, confirmed=True, last_t=form.new_t
            )
        del self.request.session[PENDING_KEY]
        messages.success(self.request, "Two-factor authentication is on.")
        return _verified(self.request, device)


def _base32(device: TOTPDevice) -> str:
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))
