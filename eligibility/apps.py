from django.apps import AppConfig


class EligibilityConfig(AppConfig):
    name = "eligibility"
    verbose_name = "Eligibility"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from eligibility.models import PhysicianReview, Screening

        auditlog.register(Screening, exclude_fields=["is_latest"])
        auditlog.register(PhysicianReview)
