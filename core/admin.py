"""Staff administration without escalation.

Clinic admins hold `auth.change_user` to manage staff. Django's stock user admin would let them
tick "superuser", grant raw permissions, join any group or delete users (which blanks the actor
of every audit entry that user made). Here a non-superuser sees only what the role allows:
names, e-mail, active, and the three role groups; staff access follows from the admin role; a
superuser's account is read-only to them, and so are their own groups and active flag. Nobody
deletes a user through the admin: deactivate instead. Only a superuser makes a superuser.
"""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.roles import CLINIC_ADMIN, ROLE_LABELS

STAFF_FIELDS = ("is_active", "groups")


class StaffUserAdmin(UserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "is_active")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or request.user.is_superuser:
            return fieldsets
        return tuple(
            (name, {**options, "fields": _without_escalation(options["fields"])})
            for name, options in fieldsets
        )

    def get_readonly_fields(self, request, obj=None):
        readonly = [*super().get_readonly_fields(request, obj), "last_login", "date_joined"]
        if request.user.is_superuser:
            return readonly
        readonly.append("is_staff")
        if obj is not None and obj.pk == request.user.pk:
            # No promoting or locking out oneself.
            readonly.extend(STAFF_FIELDS)
        return readonly

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = Group.objects.filter(name__in=ROLE_LABELS).order_by("name")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_related(self, request, form, formsets, change):
        if request.user.is_superuser:
            super().save_related(request, form, formsets, change)
            return
        user = form.instance
        # Groups a superuser gave, outside the roles, are not offered here: keep them.
        other_groups = list(user.groups.exclude(name__in=ROLE_LABELS)) if change else []
        super().save_related(request, form, formsets, change)
        user.groups.add(*other_groups)
        is_admin = user.groups.filter(name=CLINIC_ADMIN).exists()
        if user.is_staff != is_admin:
            user.is_staff = is_admin
            user.save(update_fields=["is_staff"])


def _without_escalation(fields):
    return tuple(f for f in fields if f not in {"is_superuser", "user_permissions"})


class SuperuserEditsMixin:
    """Only a superuser adds, changes or deletes."""

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class RoleGroupAdmin(SuperuserEditsMixin, GroupAdmin):
    """Groups are the roles (core.roles sets their permissions); only a superuser edits them."""


class SuperuserTOTPDeviceAdmin(SuperuserEditsMixin, TOTPDeviceAdmin):
    """A second factor is its owner's; only a superuser sees or resets one in the admin."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser


for model, model_admin in (
    (User, StaffUserAdmin),
    (Group, RoleGroupAdmin),
    (TOTPDevice, SuperuserTOTPDeviceAdmin),
):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
