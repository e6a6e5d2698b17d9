from django.apps import AppConfig


class FhirConfig(AppConfig):
    """FHIR R4 export: one patient as a Bundle, the clinic as NDJSON (issue 17)."""

    name = "fhir"
    verbose_name = "FHIR export"
