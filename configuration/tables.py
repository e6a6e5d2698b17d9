"""The settings lists. On a phone (below Bootstrap's md breakpoint) each keeps its name, status
and actions, and leaves out the secondary columns, so it fits without scrolling sideways."""

import django_tables2 as tables

from scheduling.models import Device, Room
from treatments.models import SessionType

WIDE_ONLY = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}}
# A tablet's width holds the session types' key columns; the rest from a laptop's on.
LAPTOP_ONLY = {"th": {"class": "d-none d-lg-table-cell"}, "td": {"class": "d-none d-lg-table-cell"}}
AHEAD = "Booked ahead"


class _SettingsTable(tables.Table):
    """Name, status and the row's actions (edit; deactivate or reactivate), whose URLs are
    named `<url_prefix>-update` and so on."""

    url_prefix = ""

    status = tables.TemplateColumn(
        template_name="configuration/includes/status_cell.html",
        order_by=("active",),
        verbose_name="Status",
    )
    booked_ahead = tables.Column(verbose_name=AHEAD, attrs=WIDE_ONLY)
    actions = tables.TemplateColumn(
        template_name="configuration/includes/row_actions.html",
        orderable=False,
        verbose_name="Actions",
    )

    class Meta:
        template_name = "django_tables2/bootstrap5-responsive.html"
        attrs = {"class": "table table-hover align-middle"}


class RoomTable(_SettingsTable):
    url_prefix = "configuration:room"
    name = tables.Column(linkify=False)
    kind = tables.Column(attrs=WIDE_ONLY)

    class Meta(_SettingsTable.Meta):
        model = Room
        fields = ("name", "kind")
        sequence = ("name", "kind", "booked_ahead", "status", "actions")
        empty_text = "No rooms yet."


class DeviceTable(_SettingsTable):
    url_prefix = "configuration:device"
    serial = tables.Column(verbose_name="Serial")
    kind = tables.Column(attrs=WIDE_ONLY)

    class Meta(_SettingsTable.Meta):
        model = Device
        fields = ("name", "kind", "serial")
        sequence = ("name", "serial", "kind", "booked_ahead", "status", "actions")
        empty_text = "No devices yet."


class SessionTypeTable(_SettingsTable):
    url_prefix = "configuration:sessiontype"
    name = tables.TemplateColumn(template_name="configuration/includes/sessiontype_name.html")
    procedure_codes = tables.Column(verbose_name="Procedures", attrs=WIDE_ONLY)
    duration_minutes = tables.Column(verbose_name="Minutes", attrs=WIDE_ONLY)
    room_kind = tables.Column(verbose_name="Room", attrs=LAPTOP_ONLY)
    device_kind = tables.Column(verbose_name="Device", attrs=LAPTOP_ONLY)
    provider_count = tables.Column(verbose_name="Providers", attrs=LAPTOP_ONLY)

    class Meta(_SettingsTable.Meta):
        model = SessionType
        fields = ("name", "procedure_codes", "duration_minutes", "room_kind", "device_kind")
        sequence = (
            "name",
            "procedure_codes",
            "duration_minutes",
            "room_kind",
            "device_kind",
            "provider_count",
            "booked_ahead",
            "status",
            "actions",
        )
        empty_text = "No session types yet."

    def render_procedure_codes(self, record: SessionType) -> str:
        return record.procedure_labels
