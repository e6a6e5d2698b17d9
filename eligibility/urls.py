from django.urls import path

from eligibility import views

app_name = "eligibility"

urlpatterns = [
    path("reviews/", views.ReviewQueueView.as_view(), name="review-queue"),
    path("reviews/<int:pk>/", views.ReviewDecideView.as_view(), name="review-decide"),
]
