"""Session types, which admins keep up to date (with rooms and devices, in scheduling's admin)."""

from django.contrib import admin

from treatments.models import SessionType


@admin.register(SessionType)
class SessionTypeAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "procedure_codes",
        "duration_minutes",
        "room_kind",
        "device_kind",
        "colour",
        "active",
    )
    list_filter = ("active",)
    filter_horizontal = ("providers",)
