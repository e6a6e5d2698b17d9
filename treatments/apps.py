from django.apps import AppConfig


class TreatmentsConfig(AppConfig):
    """What the clinic offers: the session types, below eligibility so it can read them too."""

    name = "treatments"
    verbose_name = "Treatments"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from treatments.models import SessionType

        auditlog.register(SessionType)
