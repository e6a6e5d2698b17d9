from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "scheduling"
    verbose_name = "Scheduling"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from scheduling import models

        for model in (
            models.TreatmentSession,
            models.SessionEvent,
            models.Consent,
            models.SessionType,
            models.Room,
            models.Device,
            models.OpeningHours,
            models.ClosedDay,
            models.ProviderHours,
        ):
            auditlog.register(model)
