from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo and benchmark data: management commands that build a clinic to try or to time."""

    name = "demo"
    verbose_name = "Demo data"
