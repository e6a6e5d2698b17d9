from django.urls import path

from eligibility import views

app_name = "eligibility"

urlpatterns = [
    path("reviews/", views.ReviewQueueView.as_view(), name="review-queue"),
    path("reviews/<int:pk>/", views.ReviewDecideView.as_view(), name="review-decide"),
    path(
        "patients/<int:pk>/decide/<slug:procedure>/",
        views.PatientDecideView.as_view(),
        name="decide",
    ),
    path("patients/<int:pk>/signoff/", views.SignOffRecordView.as_view(), name="signoff-record"),
    path("signoffs/<int:pk>/end/", views.SignOffEndView.as_view(), name="signoff-end"),
]
