from django.urls import path

from intake import views

app_name = "intake"

urlpatterns = [
    path("", views.PatientListView.as_view(), name="patient-list"),
    path("new/", views.PatientCreateView.as_view(), name="patient-create"),
    path("picker/", views.PatientPickerView.as_view(), name="patient-picker"),
    path("<int:pk>/", views.PatientDetailView.as_view(), name="patient-detail"),
    path("<int:pk>/edit/", views.PatientUpdateView.as_view(), name="patient-update"),
    path("<int:pk>/archive/", views.PatientArchiveView.as_view(), name="patient-archive"),
    path("<int:pk>/restore/", views.PatientRestoreView.as_view(), name="patient-restore"),
    path("<int:pk>/intake/new/", views.IntakeCreateView.as_view(), name="intake-create"),
    path(
        "<int:pk>/intake/<int:intake_pk>/", views.IntakeDetailView.as_view(), name="intake-detail"
    ),
    path(
        "<int:pk>/intake/<int:intake_pk>/edit/",
        views.IntakeCreateView.as_view(),
        name="intake-edit",
    ),
]
