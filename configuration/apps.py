from django.apps import AppConfig


class ConfigurationConfig(AppConfig):
    """The clinic's set-up for clinic admins (issue 14): rooms, devices, opening and provider
    hours, session types and consent texts, in the app's own pages, every change audited."""

    name = "configuration"
    verbose_name = "Clinic settings"
