from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """The top layer: reports, exports, charts and the audit search read every app below."""

    name = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        from auditlog.registry import auditlog
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save

        from eligibility.models import PhysicianReview, Screening
        from intake.models import Patient
        from reports import figures, tasks  # noqa: F401  (tasks: registers the export jobs)
        from reports.models import Export
        from scheduling.models import (
            ClosedDay,
            Device,
            OpeningHours,
            Room,
            SessionType,
            TreatmentSession,
        )

        auditlog.register(Export)
        # What the figures read: a write to any of these makes the cached figures old.
        read = (
            TreatmentSession, SessionType, Room, Device, OpeningHours, ClosedDay,
            Screening, PhysicianReview, Patient, get_user_model(),
        )  # fmt: skip
        for model in read:
            post_save.connect(figures.changed, sender=model, dispatch_uid=f"figures-{model}")
            post_delete.connect(figures.changed, sender=model, dispatch_uid=f"figures-d-{model}")
