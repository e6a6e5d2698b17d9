from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The patient's own answers: intake by link or tablet, the pre-visit check (issue 16)."""

    name = "portal"
    verbose_name = "Patient self-service"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from portal import tasks  # noqa: F401  (registers the periodic task)
        from portal.models import PatientAccess

        # The answers in progress are the patient's draft, not a record: the intake they
        # become is audited when it is stored.
        auditlog.register(PatientAccess, exclude_fields=["token_hash", "draft"])
