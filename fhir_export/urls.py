from django.urls import path

from fhir_export import views

app_name = "fhir"

urlpatterns = [
    path("", views.ExportView.as_view(), name="export"),
    path("patients/<int:pk>/bundle.json", views.PatientBundleView.as_view(), name="patient-bundle"),
    path("ndjson/<str:resource_type>.ndjson", views.NdjsonView.as_view(), name="ndjson"),
    path("Questionnaire/intake", views.QuestionnaireView.as_view(), name="questionnaire"),
]
