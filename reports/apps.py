from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """The top layer: reports, exports, charts and the audit search read every app below."""

    name = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from reports.models import Export

        auditlog.register(Export)
