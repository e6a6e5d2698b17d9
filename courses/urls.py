from django.urls import path

from courses import views

app_name = "courses"

urlpatterns = [
    path("overdue/", views.OverdueView.as_view(), name="overdue"),
    path("patients/<int:pk>/plan/", views.PlanCreateView.as_view(), name="plan-create"),
    path("plans/<int:pk>/end/", views.PlanEndView.as_view(), name="plan-end"),
    path("sessions/<int:pk>/outcome/", views.OutcomeRecordView.as_view(), name="outcome-record"),
]
