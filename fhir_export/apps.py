from django.apps import AppConfig


class FhirConfig(AppConfig):
    """FHIR R4 export: one patient as a Bundle, the clinic as NDJSON (issue 17)."""

    # The package is fhir_export, so that it never hides the `fhir.resources` package (its
    # namespace is `fhir`); the app keeps the label fhir: its permissions, table and URLs.
    name = "fhir_export"
    label = "fhir"
    verbose_name = "FHIR export"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from fhir_export.models import FhirExport

        auditlog.register(FhirExport)
