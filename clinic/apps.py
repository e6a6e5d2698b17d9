from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from clinic.models import Export

        auditlog.register(Export)

        from django.contrib.auth.signals import user_logged_in

        user_logged_in.connect(_mark_active_at_login, dispatch_uid="clinic-mark-active")


def _mark_active_at_login(sender, request, user, **kwargs) -> None:
    """Login saves the session anyway: start the keep-alive period there, not on the next page."""
    from clinic.middleware import mark_active

    if request is not None and hasattr(request, "session"):
        mark_active(request.session)
