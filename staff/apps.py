from django.apps import AppConfig


class StaffConfig(AppConfig):
    """Staff accounts for clinic admins (issue 14): invite, role, deactivate, reset two-factor,
    in the app's own pages; Django's admin is for superusers only."""

    name = "staff"
    verbose_name = "Staff"
