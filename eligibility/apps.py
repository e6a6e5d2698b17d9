from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _rescreen_after_migrate(sender, using: str = "default", **kwargs) -> None:
    """A new rule set re-evaluates stored answers as part of `migrate` (lifecycle rule 8),
    once the database has every eligibility migration (not after a partial or backward one)."""
    from django.db import connections
    from django.db.migrations.loader import MigrationLoader

    from eligibility.services import screen_rules_updated

    loader = MigrationLoader(connections[using])
    if set(loader.graph.leaf_nodes(sender.label)) <= set(loader.applied_migrations):
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
        _listen_to_intake()


def _listen_to_intake() -> None:
    """Screen every stored intake and every corrected birth date or sex, in the writer's
    transaction (the patient layer announces them; it may not call up)."""
    from eligibility import services
    from intake import signals

    def screen_intake(sender, by, intake, **kwargs) -> None:
        services.screen_intake(by=by, intake=intake)

    def screen_facts(sender, by, patient, **kwargs) -> None:
        services.screen_facts_changed(by=by, patient=patient)

    signals.intake_submitted.connect(screen_intake, weak=False, dispatch_uid="screen-intake")
    signals.patient_facts_changed.connect(screen_facts, weak=False, dispatch_uid="screen-facts")
