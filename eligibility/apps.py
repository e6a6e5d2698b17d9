from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _rescreen_after_migrate(sender, **kwargs) -> None:
    """A new rule set re-evaluates stored answers as part of `migrate` (lifecycle rule 8)."""
    from eligibility.services import screen_rules_updated

    screen_rules_updated()


class EligibilityConfig(AppConfig):
    name = "eligibility"
    verbose_name = "Eligibility"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from eligibility import checks  # noqa: F401 - registers the settings checks
        from eligibility.models import PhysicianReview, PlanSignOff, Screening

        # Bookkeeping kept by the services for the review queue, not clinical facts.
        auditlog.register(Screening, exclude_fields=["is_latest", "current_status", "status_until"])
        auditlog.register(PhysicianReview)
        auditlog.register(PlanSignOff)
        post_migrate.connect(_rescreen_after_migrate, sender=self)
