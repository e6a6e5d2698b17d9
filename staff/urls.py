from django.urls import path

from staff import views

app_name = "staff"

urlpatterns = [
    path("", views.StaffListView.as_view(), name="list"),
    path("invite/", views.StaffInviteView.as_view(), name="invite"),
    path("<int:pk>/", views.StaffDetailView.as_view(), name="detail"),
    path("<int:pk>/roles/", views.StaffRolesView.as_view(), name="roles"),
    path("<int:pk>/deactivate/", views.StaffDeactivateView.as_view(), name="deactivate"),
    path("<int:pk>/reactivate/", views.StaffReactivateView.as_view(), name="reactivate"),
    path(
        "<int:pk>/two-factor/reset/",
        views.StaffTwoFactorResetView.as_view(),
        name="two-factor-reset",
    ),
    path("<int:pk>/invite/resend/", views.StaffInviteResendView.as_view(), name="invite-resend"),
    path("<int:pk>/unlock/", views.StaffUnlockView.as_view(), name="unlock"),
]
