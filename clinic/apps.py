from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from clinic.models import Export

        auditlog.register(Export)
        _register_staff_audit(auditlog)

        from django.contrib.auth.signals import user_logged_in

        user_logged_in.connect(_mark_active_at_login, dispatch_uid="clinic-mark-active")


def _mark_active_at_login(sender, request, user, **kwargs) -> None:
    """Login saves the session anyway: start the keep-alive period there, not on the next page."""
    from clinic.middleware import mark_active

    if request is not None and hasattr(request, "session"):
        mark_active(request.session)


def _register_staff_audit(auditlog) -> None:
    """Who changed a staff account, its roles or its second factor: the admin's own changes
    are audited like a patient's. Secrets and per-login bookkeeping are left out."""
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    auditlog.register(
        get_user_model(),
        m2m_fields={"groups", "user_permissions"},
        exclude_fields=["password", "last_login"],
    )
    auditlog.register(
        TOTPDevice,
        exclude_fields=[
            "key",
            "drift",
            "last_t",
            "last_used_at",
            "throttling_failure_timestamp",
            "throttling_failure_count",
        ],
    )
