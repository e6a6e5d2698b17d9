from django.apps import AppConfig


class EligibilityConfig(AppConfig):
    name = "eligibility"
    verbose_name = "Eligibility"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from eligibility.models import PhysicianReview, Screening

        auditlog.register(Screening)
        auditlog.register(PhysicianReview)
