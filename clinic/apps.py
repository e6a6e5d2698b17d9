from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from clinic.models import Export

        auditlog.register(Export)
