"""Staff accounts for clinic admins (issue 14): declarations on core's base views. Selectors
read, one service writes; the services hold the guards, the pages only leave out the buttons
that would be refused."""

from django.contrib import messages
from django.urls import reverse

from core.idempotency import IdempotentFormMixin
from core.views import ObjectActionView, ObjectFormView, ObjectListView, ObjectView
from staff import selectors, services
from staff.filters import StaffFilter
from staff.forms import ConfirmForm, InviteForm, RolesForm
from staff.tables import StaffTable


def name_of(account) -> str:
    return account.get_full_name() or account.get_username()


def site_url(request) -> str:
    """Where an invitation's link starts: this site, as the request reached it (its host is
    one of ALLOWED_HOSTS), as Django's password reset builds its links."""
    return request.build_absolute_uri("/")


def _invitation_message(request, invitation: services.Invitation, done: str) -> None:
    account = invitation.user
    if invitation.sent:
        messages.success(
            request,
            f"{done} An e-mail with a link to choose a password is on its way to {account.email}.",
        )
    else:
        messages.warning(
            request,
            f"{done} The e-mail could not be sent (the mail server refused it); try "
            "Resend invitation later.",
        )


class _AccountMixin:
    """A page about the account of the URL; after a change, back to its page."""

    context_object_name = "account"

    def get_success_url(self) -> str:
        return reverse("staff:detail", args=[self.object.pk])


class StaffListView(ObjectListView):
    permission_required = "auth.view_user"
    template_name = "staff/staff_list.html"
    selector = selectors.staff_list
    filterset_class = StaffFilter
    table_class = StaffTable


class StaffInviteView(IdempotentFormMixin, ObjectFormView):
    permission_required = "auth.add_user"
    template_name = "staff/staff_invite.html"
    form_class = InviteForm

    def call(self, form) -> services.Invitation:
        fields = ("first_name", "last_name", "email", "username", "role")
        return services.staff_invite(
            by=self.request.user,
            base_url=site_url(self.request),
            **{name: form.cleaned_data[name] for name in fields},
        )

    def get_success_url(self) -> str:
        return reverse("staff:detail", args=[self.result.user.pk])

    def get_success_message(self, cleaned_data) -> str:
        _invitation_message(self.request, self.result, f"Invited {name_of(self.result.user)}.")
        return ""


class StaffDetailView(_AccountMixin, ObjectView):
    permission_required = "auth.view_user"
    template_name = "staff/staff_detail.html"
    selector = selectors.staff_get

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, account = self.request.user, self.object
        context.update(
            roles=selectors.role_labels(account),
            own=account.pk == user.pk,
            superuser_only=account.is_superuser and not user.is_superuser,
        )
        if user.has_perm("auth.change_user"):
            form = RolesForm(initial={"roles": selectors.role_codes(account)})
            form.helper.form_action = reverse("staff:roles", args=[account.pk])
            context["roles_form"] = form
        if user.has_perm("axes.view_accessattempt"):
            context["lockout"] = selectors.login_lockout(user=user, account=account)
        if user.has_perm("auditlog.view_logentry"):
            context["history"] = selectors.staff_history(user=user, account=account)
        return context


class StaffRolesView(_AccountMixin, ObjectFormView):
    permission_required = "auth.change_user"
    template_name = "staff/staff_roles.html"
    selector = selectors.staff_for_change
    form_class = RolesForm

    def get_initial(self):
        return {"roles": selectors.role_codes(self.object)}

    def call(self, form):
        return services.staff_set_roles(
            by=self.request.user, account=self.object, roles=form.cleaned_data["roles"]
        )

    def get_success_message(self, cleaned_data) -> str:
        return f"Roles saved for {name_of(self.object)}."


class _ConfirmView(_AccountMixin, ObjectFormView):
    """A change that asks first: the page says what it does, one button does it."""

    permission_required = "auth.change_user"
    template_name = "staff/staff_confirm.html"
    selector = selectors.staff_for_change
    form_class = ConfirmForm
    title = ""
    explanation = ""
    submit = ""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "submit": self.submit, "danger": True}

    def get_context_data(self, **kwargs):
        name = name_of(self.object)
        return super().get_context_data(
            title=self.title.format(name=name),
            explanation=self.explanation.format(name=name),
            **kwargs,
        )


class StaffDeactivateView(_ConfirmView):
    title = "Deactivate {name}?"
    explanation = (
        "{name} will no longer be able to log in, and is logged out everywhere now. Nothing is "
        "deleted: their name stays on everything they did, and the account can be reactivated."
    )
    submit = "Deactivate"

    def call(self, form) -> int:
        return services.staff_deactivate(by=self.request.user, account=self.object)

    def get_success_message(self, cleaned_data) -> str:
        ended = f" {self.result} open session{'s' if self.result != 1 else ''} ended."
        return f"{name_of(self.object)} is deactivated.{ended if self.result else ''}"


class StaffTwoFactorResetView(_ConfirmView):
    title = "Reset two-factor authentication for {name}?"
    explanation = (
        "Their authenticator app stops working for this account (for a lost or replaced "
        "phone). The next time {name} logs in, they set it up again with their password and "
        "a new QR code."
    )
    submit = "Reset two-factor"

    def call(self, form) -> int:
        return services.staff_reset_two_factor(by=self.request.user, account=self.object)

    def get_success_message(self, cleaned_data) -> str:
        return (
            f"Two-factor authentication is reset for {name_of(self.object)}: they set it up "
            "again at their next login."
        )


class StaffReactivateView(_AccountMixin, ObjectActionView):
    permission_required = "auth.change_user"
    selector = selectors.staff_for_change

    def call(self):
        return services.staff_reactivate(by=self.request.user, account=self.object)

    def get_success_message(self, cleaned_data) -> str:
        return f"{name_of(self.object)} is active again and can log in."


class StaffInviteResendView(_AccountMixin, ObjectActionView):
    permission_required = "auth.change_user"
    selector = selectors.staff_for_change

    def call(self) -> services.Invitation:
        return services.staff_invite_resend(
            by=self.request.user, account=self.object, base_url=site_url(self.request)
        )

    def get_success_message(self, cleaned_data) -> str:
        _invitation_message(self.request, self.result, "Invitation sent again.")
        return ""


class StaffUnlockView(_AccountMixin, ObjectActionView):
    permission_required = ("auth.change_user", "axes.delete_accessattempt")
    selector = selectors.staff_for_change

    def call(self) -> int:
        return services.staff_unlock(by=self.request.user, account=self.object)

    def get_success_message(self, cleaned_data) -> str:
        return f"Failed logins cleared: {name_of(self.object)} can log in again."
