"""The patient's pages (no sign-in: the access in the browser session is the key) and the
staff's buttons that hand one out (the tablet, a printed QR code) or take it back.

The token is in one URL only, `portal:open`, which swaps it for the access's id in a fresh
session and redirects to a URL without it: it is not in the history, the Referer or any later
log line (core.logging redacts that one request's line too).
"""

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from core.views import ObjectActionView
from portal import selectors, services
from portal.forms import (
    STEPS,
    STEPS_BY_SLUG,
    BirthDateForm,
    PatientIntakeForm,
    PatientIntakeStepForm,
    PreVisitForm,
)
from portal.models import Channel, Purpose

ACCESS = "portal_access"  # the session key holding the access's id
KIOSK = "portal_kiosk"  # set for a tablet's session: nothing outside /p/ answers it
DONE = "portal_done"  # what the patient finished: the thank-you page to show


def _context(**extra) -> dict:
    return {"clinic": settings.CLINIC_NAME, "phone": settings.CLINIC_PHONE, **extra}


def _closed(request):
    """One answer for every link that does not work (unknown, expired, used, revoked,
    locked): a token's holder learns nothing from which."""
    return render(request, "portal/closed.html", _context(), status=404)


def _enter(request, access, *, kiosk: bool = False) -> None:
    """A fresh session holding only the access: a staff member's sign-in in this browser ends."""
    if request.user.is_authenticated:
        logout(request)
    else:
        request.session.flush()
    request.session[ACCESS] = access.pk
    if kiosk:
        request.session[KIOSK] = True


@method_decorator([login_not_required, never_cache], name="dispatch")
class PatientView(View):
    """A page of the patient's: loads the session's access, or answers "link closed"."""

    http_method_names = ["get", "post"]
    purpose: str | None = None
    needs_verified = True

    def dispatch(self, request, *args, **kwargs):
        method = request.method.lower()
        if method not in self.http_method_names or not hasattr(self, method):
            return self.http_method_not_allowed(request, *args, **kwargs)
        self.access = services.access_current(request.session.get(ACCESS))
        if self.access is None:
            if request.session.get(DONE):
                return redirect("portal:done")
            return _closed(request)
        if self.needs_verified and self.access.verified_at is None:
            return redirect("portal:verify")
        if self.purpose is not None and self.access.purpose != self.purpose:
            return redirect("portal:home")
        return super().dispatch(request, *args, **kwargs)

    def finish(self, what: str):
        self.request.session[DONE] = what
        return redirect("portal:done")


@method_decorator([login_not_required, never_cache], name="dispatch")
class OpenView(View):
    http_method_names = ["get"]

    def get(self, request, token: str):
        access = services.access_by_token(token)
        if access is None:
            return _closed(request)
        _enter(request, access)
        return redirect("portal:home")


class HomeView(PatientView):
    """Where a patient's session goes next."""

    needs_verified = False

    def get(self, request):
        if self.access.verified_at is None:
            return redirect("portal:verify")
        if self.access.purpose == Purpose.PRE_VISIT:
            return redirect("portal:pre-visit")
        done = self.access.draft
        step = next((s for s in STEPS if s.slug not in done), STEPS[-1])
        return redirect("portal:intake", step=step.slug)


class VerifyView(PatientView):
    needs_verified = False
    template_name = "portal/verify.html"

    def get(self, request):
        return self._page(BirthDateForm())

    def post(self, request):
        form = BirthDateForm(request.POST)
        if not form.is_valid():
            return self._page(form)
        result, left = services.birth_date_check(access=self.access, born=form.cleaned_data["born"])
        if result == services.Check.OK:
            return redirect("portal:home")
        if result == services.Check.LOCKED:
            request.session.flush()
            return render(request, "portal/locked.html", _context(), status=403)
        form.add_error(
            None,
            f"That date does not match our records. You can try {left} more "
            f"time{'s' if left != 1 else ''}.",
        )
        return self._page(form)

    def _page(self, form):
        return render(self.request, self.template_name, _context(form=form))


@method_decorator([login_not_required, never_cache], name="dispatch")
class IntakeStepView(PatientView):
    """One page of the intake; each page's answers are kept when it is sent, the last sends
    them all."""

    purpose = Purpose.INTAKE

    def dispatch(self, request, *args, step: str = "", **kwargs):
        self.step = STEPS_BY_SLUG.get(step)
        if self.step is None:
            return _closed(request)
        self.index = STEPS.index(self.step)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        # Shown as the patient left it, not yet checked (a half-answered page shows no errors).
        saved = self.access.draft.get(self.step.slug, {})
        return self._page(self._form(initial=saved))

    def post(self, request):
        raw = {name: request.POST.get(name, "") for name in self.step.fields}
        if "back" in request.POST and self.index > 0:
            # Kept as typed, checked when the page is sent: going back never loses anything.
            services.draft_save(access=self.access, step=self.step.slug, data=raw)
            return redirect("portal:intake", step=STEPS[self.index - 1].slug)
        form = self._form(request.POST)
        if not form.is_valid():
            return self._page(form, status=400)
        services.draft_save(access=self.access, step=self.step.slug, data=raw)
        if self.index + 1 < len(STEPS):
            return redirect("portal:intake", step=STEPS[self.index + 1].slug)
        return self._send()

    def _send(self):
        merged = {k: v for page in self.access.draft.values() for k, v in page.items()}
        whole = PatientIntakeForm(merged)
        if not whole.is_valid():
            first = next(s for s in STEPS if any(f in whole.errors for f in s.fields))
            messages.error(self.request, "Some answers are missing: please check this page.")
            return redirect("portal:intake", step=first.slug)
        try:
            services.intake_complete(access=self.access, fields=whole.service_fields())
        except ValidationError:
            return _closed(self.request)
        return self.finish("kiosk" if self.access.channel == Channel.KIOSK else "intake")

    def _form(self, data=None, initial=None):
        last = self.index + 1 == len(STEPS)
        return PatientIntakeStepForm(data, initial=initial, step=self.step, last=last)

    def _page(self, form, status: int = 200):
        return render(
            self.request,
            "portal/intake_step.html",
            _context(
                form=form,
                step=self.step,
                number=self.index + 1,
                total=len(STEPS),
                first=self.index == 0,
                last=self.index + 1 == len(STEPS),
            ),
            status=status,
        )


class PreVisitView(PatientView):
    purpose = Purpose.PRE_VISIT

    def get(self, request):
        return self._page(PreVisitForm())

    def post(self, request):
        form = PreVisitForm(request.POST)
        if not form.is_valid():
            return self._page(form, status=400)
        try:
            said_yes = services.pre_visit_answer(access=self.access, answers=form.cleaned_data)
        except ValidationError:
            return _closed(request)
        return self.finish("call_us" if said_yes else "see_you")

    def _page(self, form, status: int = 200):
        session = self.access.session
        return render(
            self.request,
            "portal/pre_visit.html",
            _context(form=form, start=session.start if session else None),
            status=status,
        )


@method_decorator([login_not_required, never_cache], name="dispatch")
class DoneView(View):
    http_method_names = ["get"]

    def get(self, request):
        what = request.session.get(DONE)
        if what is None:
            return _closed(request)
        return render(request, "portal/done.html", _context(what=what))


@method_decorator([login_not_required, never_cache], name="dispatch")
class ExitView(View):
    """The tablet's way back to the staff: the session ends, and the sign-in page asks again."""

    http_method_names = ["post"]

    def post(self, request):
        request.session.flush()
        return HttpResponseRedirect(reverse(settings.LOGIN_URL))


# ---- staff ------------------------------------------------------------------------------


class KioskStartView(ObjectActionView):
    """Hand this device to the patient: the staff member is signed out of it, and it shows the
    patient's questionnaire and nothing else until a staff member signs in again."""

    permission_required = services.ISSUE
    selector = selectors.issuing_patient

    def post(self, request, *args, **kwargs):
        try:
            access, _ = services.access_issue(
                by=request.user, patient=self.object, purpose=Purpose.INTAKE, channel=Channel.KIOSK
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(self.object.get_absolute_url())
        _enter(request, access, kiosk=True)
        return redirect("portal:home")


class QrCodeView(ObjectActionView):
    """A printable page with a new intake link as a QR code (and typed out): the token is
    shown this once, never stored."""

    permission_required = services.ISSUE
    selector = selectors.issuing_patient

    def post(self, request, *args, **kwargs):
        try:
            _, token = services.access_issue(
                by=request.user, patient=self.object, purpose=Purpose.INTAKE
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(self.object.get_absolute_url())
        url = settings.CLINIC_SITE_URL.rstrip("/") + reverse("portal:open", args=[token])
        qr = segno.make(url, error="m")
        return render(
            request,
            "portal/qr.html",
            {
                "patient": self.object,
                "url": url,
                "qr": qr.svg_inline(scale=6, title="QR code of the intake link"),
                "hours": int(services.LINK_LIFETIME.total_seconds() // 3600),
            },
        )


class AccessRevokeView(ObjectActionView):
    permission_required = services.ISSUE
    selector = selectors.access_get
    success_message = "Link closed: it no longer opens anything."

    def call(self):
        return services.access_revoke(by=self.request.user, access=self.object)

    def get_success_url(self) -> str:
        return self.object.patient.get_absolute_url()
