from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.templatetags.static import static
from django.urls import include, path, reverse_lazy
from django.views.generic import RedirectView

from core.drafts import FormDraftDiscardView, FormDraftView
from core.idle import session_extend, session_status
from core.passwords import RateLimitedPasswordResetView
from core.twofactor import TwoFactorSetupView, TwoFactorVerifyView
from core.views import FORM_METHODS
from dashboard.views import DashboardView


def _form(route: str, view, name: str, title: str, **kwargs):
    """A password page with a form (one template for all of them)."""
    return path(
        route,
        view.as_view(
            template_name="registration/password_form.html",
            extra_context={"title": title},
            http_method_names=FORM_METHODS,
            **kwargs,
        ),
        name=name,
    )


def _message(route: str, view, name: str, title: str, text: str):
    """A password page that only says what happened."""
    return path(
        route,
        view.as_view(
            template_name="registration/password_message.html",
            extra_context={"title": title, "text": text},
        ),
        name=name,
    )


class FaviconView(RedirectView):
    """Browsers ask for /favicon.ico whatever the page links: send them to the SVG icon. Looked
    up per request, as the name is hashed in production; not permanent, as the hash changes."""

    http_method_names = ["get", "head"]

    def get_redirect_url(self, *args, **kwargs) -> str:
        return static("favicon.svg")


urlpatterns = [
    path("", DashboardView.as_view(), name="dashboard"),
    path("favicon.ico", login_not_required(FaviconView.as_view()), name="favicon"),
    path(
        "login/",
        login_not_required(
            auth_views.LoginView.as_view(
                redirect_authenticated_user=True, http_method_names=FORM_METHODS
            )
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/two-factor/", TwoFactorVerifyView.as_view(), name="two-factor-verify"),
    path("account/two-factor/setup/", TwoFactorSetupView.as_view(), name="two-factor-setup"),
    path("account/session/", session_status, name="session-status"),
    path("account/session/extend/", session_extend, name="session-extend"),
    path("account/drafts/", FormDraftView.as_view(), name="form-draft"),
    path("account/drafts/discard/", FormDraftDiscardView.as_view(), name="form-draft-discard"),
    _form(
        "account/password/",
        auth_views.PasswordChangeView,
        "password_change",
        "Change your password",
    ),
    _message(
        "account/password/done/",
        auth_views.PasswordChangeDoneView,
        "password_change_done",
        "Password changed",
        "Your new password is saved.",
    ),
    _form(
        "account/reset/",
        RateLimitedPasswordResetView,
        "password_reset",
        "Reset your password",
        success_url=reverse_lazy("password_reset_done"),
    ),
    _message(
        "account/reset/sent/",
        auth_views.PasswordResetDoneView,
        "password_reset_done",
        "Check your e-mail",
        "If the address belongs to a staff account, a link to set a new password is on its way.",
    ),
    _form(
        "account/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView,
        "password_reset_confirm",
        "Choose a new password",
    ),
    _message(
        "account/reset/done/",
        auth_views.PasswordResetCompleteView,
        "password_reset_complete",
        "Password set",
        "You can log in with it now.",
    ),
    path("patients/", include("intake.urls")),
    path("eligibility/", include("eligibility.urls")),
    path("schedule/", include("scheduling.urls")),
    path("reports/", include("reports.urls")),
    path("staff/", include("staff.urls")),
    path("settings/", include("configuration.urls")),
    path("messages/", include("messaging.urls")),
    path("", include("portal.urls")),
    path("photos/", include("photos.urls")),
    path("courses/", include("courses.urls")),
    path("fhir/", include("fhir_export.urls")),
    path("admin/", admin.site.urls),
]

# A provider's delivery events (bounces), only once it is configured with a webhook secret:
# anymail's views check it (HTTP basic auth) and messaging records the bounces.
if settings.ANYMAIL.get("WEBHOOK_SECRET"):
    urlpatterns.append(path("anymail/", include("anymail.urls")))
