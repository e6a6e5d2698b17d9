from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, reverse_lazy

from core.passwords import RateLimitedPasswordResetView
from core.twofactor import TwoFactorSetupView, TwoFactorVerifyView
from core.views import FORM_METHODS, DashboardView

FORM = "registration/password_form.html"
MESSAGE = "registration/password_message.html"

urlpatterns = [
    path("", DashboardView.as_view(), name="dashboard"),
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
    path(
        "account/password/",
        auth_views.PasswordChangeView.as_view(
            template_name=FORM,
            extra_context={"title": "Change your password"},
            http_method_names=FORM_METHODS,
        ),
        name="password_change",
    ),
    path(
        "account/password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name=MESSAGE,
            extra_context={"title": "Password changed", "text": "Your new password is saved."},
        ),
        name="password_change_done",
    ),
    path(
        "account/reset/",
        RateLimitedPasswordResetView.as_view(
            template_name=FORM,
            success_url=reverse_lazy("password_reset_done"),
            extra_context={"title": "Reset your password"},
            http_method_names=FORM_METHODS,
        ),
        name="password_reset",
    ),
    path(
        "account/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name=MESSAGE,
            extra_context={
                "title": "Check your e-mail",
                "text": "If the address belongs to a staff account, a link to set a new "
                "password is on its way.",
            },
        ),
        name="password_reset_done",
    ),
    path(
        "account/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name=FORM,
            extra_context={"title": "Choose a new password"},
            http_method_names=FORM_METHODS,
        ),
        name="password_reset_confirm",
    ),
    path(
        "account/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name=MESSAGE,
            extra_context={"title": "Password set", "text": "You can log in with it now."},
        ),
        name="password_reset_complete",
    ),
    path("patients/", include("intake.urls")),
    path("eligibility/", include("eligibility.urls")),
    path("schedule/", include("scheduling.urls")),
    path("reports/", include("reports.urls")),
    path("admin/", admin.site.urls),
]
