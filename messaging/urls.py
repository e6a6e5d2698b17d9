from django.urls import path

from messaging import views

app_name = "messaging"

urlpatterns = [
    path("patient/<int:pk>/contact/", views.ContactUpdateView.as_view(), name="contact-update"),
    path("stop/<str:token>/", views.UnsubscribeView.as_view(), name="unsubscribe"),
]
