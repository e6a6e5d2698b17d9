from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.ReportIndexView.as_view(), name="index"),
    path("sessions/", views.SessionsReportView.as_view(), name="sessions"),
    path("screenings/", views.ScreeningsReportView.as_view(), name="screenings"),
    path("reviews/", views.ReviewsReportView.as_view(), name="reviews"),
    path("recall/", views.RecallReportView.as_view(), name="recall"),
    path("audit-log/", views.AuditLogView.as_view(), name="audit-log"),
    path("audit-log/export.csv", views.AuditLogExportView.as_view(), name="audit-log-export"),
    path("<slug:report>/export.<slug:fmt>", views.ExportView.as_view(), name="export"),
    path("exports/", views.ExportJobListView.as_view(), name="export-jobs"),
    path("exports/<int:pk>/", views.ExportJobView.as_view(), name="export-job"),
    path("exports/<int:pk>/download/", views.ExportDownloadView.as_view(), name="export-download"),
    path("exports/<int:pk>/retry/", views.ExportRetryView.as_view(), name="export-retry"),
    path("backup/", views.BackupStartView.as_view(), name="backup-start"),
    path("fhir-export/", views.FhirJobStartView.as_view(), name="fhir-job-start"),
]
