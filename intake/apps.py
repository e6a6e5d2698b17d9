from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = "Patients and intake"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from intake.models import IntakeQuestionnaire, Patient

        auditlog.register(Patient)
        auditlog.register(IntakeQuestionnaire)
