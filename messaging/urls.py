from django.urls import path

from messaging import views

app_name = "messaging"

urlpatterns = [
    path("patient/<int:pk>/contact/", views.ContactUpdateView.as_view(), name="contact-update"),
    path("patient/<int:pk>/intake-link/", views.IntakeLinkSendView.as_view(), name="intake-link"),
    path("stop/<str:token>/", views.UnsubscribeView.as_view(), name="unsubscribe"),
]
