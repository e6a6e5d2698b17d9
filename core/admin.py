"""Django's admin, for superusers only (issue 14).

Clinic admins manage staff in the app's own pages (the `staff` app: invite, roles, deactivate,
reset two-factor, each guarded and audited), so the admin site admits only an active superuser:
a clinic admin who opens /admin/ is sent to its login page, whatever permissions the role holds.
What a superuser does here is audited like any change (core.apps registers users and devices).
Nobody deletes a user, not even a superuser: deleting blanks the actor of every audit entry
that user made; deactivate instead.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User


def superusers_only(request) -> bool:
    """The admin site's `has_permission`: an active superuser, nobody else."""
    return request.user.is_active and request.user.is_superuser


admin.site.has_permission = superusers_only


class StaffUserAdmin(UserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "is_active", "is_superuser")

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "last_login", "date_joined"]

    def has_delete_permission(self, request, obj=None):
        return False


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, StaffUserAdmin)
