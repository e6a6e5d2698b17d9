from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The kernel every app stands on: roles, audit, two-factor, middleware, base views."""

    name = "core"
    verbose_name = "Clinic"

    def ready(self) -> None:
        from auditlog.registry import auditlog
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_migrate

        _register_staff_audit(auditlog)
        user_logged_in.connect(_mark_active_at_login, dispatch_uid="core-mark-active")
        post_migrate.connect(_sync_roles_after_migrate, dispatch_uid="core-sync-roles")


def _sync_roles_after_migrate(sender, apps=None, **kwargs) -> None:
    """Grant the roles their permissions once every app's permissions exist.

    migrate (and a test database's flush) sends post_migrate once per app, in INSTALLED_APPS
    order, after Django has created that app's permissions; the last app's turn is the moment
    they all exist, so a new permission anywhere reaches its roles without a migration.
    """
    from django.apps import apps as global_apps

    from core.roles import sync_roles

    with_models = [c for c in global_apps.get_app_configs() if c.models_module is not None]
    if with_models and sender.label == with_models[-1].label:
        sync_roles(apps or global_apps)


def _mark_active_at_login(sender, request, user, **kwargs) -> None:
    """Login saves the session anyway: start the keep-alive period there, not on the next page."""
    from core.middleware import mark_active

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
