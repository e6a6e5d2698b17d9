from importlib import import_module

from django.apps import AppConfig
from django.db import DEFAULT_DB_ALIAS


class TreatmentsConfig(AppConfig):
    """What the clinic offers: the session types and the consent texts, below eligibility so it
    can read them too."""

    name = "treatments"
    verbose_name = "Treatments"

    def ready(self) -> None:
        from auditlog.registry import auditlog
        from django.db.models.signals import post_migrate

        from treatments.models import ConsentText, SessionType

        auditlog.register(SessionType, m2m_fields={"providers"})
        auditlog.register(ConsentText)
        post_migrate.connect(
            _restore_consent_texts, sender=self, dispatch_uid="treatments-consent-texts"
        )


def _restore_consent_texts(sender, apps=None, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    """Every procedure needs a text to be consented to: a flushed database (the test runner's,
    between transactional tests) gets migration 0005's texts back, as it gets its permissions
    back. After `migrate` they are there already, and this reads once and writes nothing."""
    from django.apps import apps as global_apps

    try:
        consent_text = (apps or global_apps).get_model("treatments", "ConsentText")
    except LookupError:  # migrated back to before the texts
        return
    import_module("treatments.migrations.0005_consent_texts_2026_11_1").add_missing(
        consent_text, using
    )
