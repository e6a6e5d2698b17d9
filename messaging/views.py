"""The contact preference form (front desk) and the patient's own unsubscribe link."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View

from core.views import ObjectActionView, ObjectFormView
from intake import selectors as intake_selectors
from messaging import selectors, services
from messaging.forms import ContactForm
from portal import selectors as portal_selectors
from portal.services import ISSUE


class ContactUpdateView(ObjectFormView):
    permission_required = selectors.CHANGE_CONTACT
    template_name = "messaging/contact_form.html"
    form_class = ContactForm
    context_object_name = "patient"
    log_selector = intake_selectors.shown
    success_message = "Contact preference saved."
    error_message = "Not saved: see why below."

    def load(self, user, *, pk: int):
        return selectors.contact_patient(user=user, pk=pk)

    def get_form_kwargs(self):
        contact = services.contact_of(self.object)
        return {
            **super().get_form_kwargs(),
            "initial": {"channel": contact.channel},
            "consented": contact.consent_at is not None,
        }

    def call(self, form):
        return services.contact_set(
            by=self.request.user,
            patient=self.object,
            channel=form.cleaned_data["channel"],
            consent=form.cleaned_data["consent"],
        )

    def get_context_data(self, **kwargs):
        contact = services.contact_of(self.object)
        return super().get_context_data(contact=contact, **kwargs)


@method_decorator(login_not_required, name="dispatch")
class UnsubscribeView(View):
    """The link at the end of every message. GET asks (a mail scanner following links must not
    unsubscribe anyone); POST stops all messages. The page names no one."""

    http_method_names = ["get", "post"]

    def get(self, request, token: str):
        if not services.token_known(token):
            raise Http404
        return render(request, "messaging/unsubscribe.html", {"clinic": settings.CLINIC_NAME})

    def post(self, request, token: str):
        if not services.unsubscribe(token=token):
            raise Http404
        return render(
            request,
            "messaging/unsubscribed.html",
            {"clinic": settings.CLINIC_NAME, "phone": settings.CLINIC_PHONE},
        )


class IntakeLinkSendView(ObjectActionView):
    """Send the patient a link to fill in their intake at home, the way they chose."""

    permission_required = ISSUE
    selector = portal_selectors.issuing_patient

    def call(self):
        try:
            return services.intake_link_queue(by=self.request.user, patient=self.object)
        except services.NotReachable:
            raise services.NotReachable(
                "Not sent: the patient has not agreed to messages or has no address for them. "
                "Record their contact preference, or print the link as a QR code."
            ) from None

    def get_success_message(self, cleaned_data) -> str:
        return f"Intake link queued: it goes by {self.result.get_channel_display().lower()}."
