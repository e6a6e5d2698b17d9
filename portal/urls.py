from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    # The patient's pages. The token is in `open` only (core.logging redacts it).
    path("p/<str:token>/", views.OpenView.as_view(), name="open"),
    path("p/", views.HomeView.as_view(), name="home"),
    path("you/confirm/", views.VerifyView.as_view(), name="verify"),
    path("you/intake/<slug:step>/", views.IntakeStepView.as_view(), name="intake"),
    path("you/check/", views.PreVisitView.as_view(), name="pre-visit"),
    path("you/done/", views.DoneView.as_view(), name="done"),
    path("you/exit/", views.ExitView.as_view(), name="exit"),
    # The staff's.
    path("patients/<int:pk>/tablet/", views.KioskStartView.as_view(), name="kiosk-start"),
    path("patients/<int:pk>/intake-qr/", views.QrCodeView.as_view(), name="qr"),
    path("access/<int:pk>/close/", views.AccessRevokeView.as_view(), name="revoke"),
]
