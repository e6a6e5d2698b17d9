from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from clinic.views import DashboardView

urlpatterns = [
    path("", DashboardView.as_view(), name="dashboard"),
    path(
        "login/",
        login_not_required(auth_views.LoginView.as_view(redirect_authenticated_user=True)),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("patients/", include("intake.urls")),
    path("eligibility/", include("eligibility.urls")),
    path("schedule/", include("scheduling.urls")),
    path("admin/", admin.site.urls),
]
