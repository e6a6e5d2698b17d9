"""The clinic's set-up for admins: rooms, devices and hours (session types: treatments' admin).

Sessions and consents are patient data and are not here; they are worked on in the app's pages.
"""

from django.contrib import admin

from scheduling.models import ClosedDay, Device, OpeningHours, ProviderHours, Room


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "active")
    list_filter = ("kind", "active")


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "serial", "active")
    list_filter = ("kind", "active")
    search_fields = ("name", "serial")


@admin.register(OpeningHours)
class OpeningHoursAdmin(admin.ModelAdmin):
    list_display = ("weekday", "opens", "closes")


@admin.register(ClosedDay)
class ClosedDayAdmin(admin.ModelAdmin):
    list_display = ("day", "reason")
    date_hierarchy = "day"


@admin.register(ProviderHours)
class ProviderHoursAdmin(admin.ModelAdmin):
    list_display = ("provider", "weekday", "start", "end")
    list_filter = ("weekday", "provider")
