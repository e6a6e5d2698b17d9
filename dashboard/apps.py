from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The start page: a panel per role, read from every app below it (so it sits on top)."""

    name = "dashboard"
    verbose_name = "Dashboard"
