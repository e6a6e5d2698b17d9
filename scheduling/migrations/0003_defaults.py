"""The five default session types of CLINICAL.md and the clinic's opening hours.

Admins edit both afterwards; this only fills empty tables, so it never overwrites their changes.
"""

from datetime import time

from django.conf import settings
from django.db import migrations

# name, procedures, minutes, room kind, device kind (CLINICAL.md's protocol defaults)
SESSION_TYPES = (
    ("Microneedling", "microneedling", 45, "procedure", "mn_pen"),
    ("PRP", "prp", 60, "procedure", "centrifuge"),
    ("PRP with microneedling", "prp+microneedling", 75, "procedure", "centrifuge"),
    ("Laser (LLLT)", "lllt", 30, "laser", "laser"),
    ("Microneedling then LLLT", "microneedling+lllt", 60, "laser", "laser"),
)


def _parse_hours(text: str) -> tuple[time, time]:
    opens, closes = (time.fromisoformat(part.strip()) for part in text.split("-"))
    return opens, closes


def seed(apps, schema_editor):
    session_type = apps.get_model("scheduling", "SessionType")
    if not session_type.objects.exists():
        for name, codes, minutes, room_kind, device_kind in SESSION_TYPES:
            session_type.objects.create(
                name=name,
                procedure_codes=codes,
                duration_minutes=minutes,
                room_kind=room_kind,
                device_kind=device_kind,
            )
    opening_hours = apps.get_model("scheduling", "OpeningHours")
    if not opening_hours.objects.exists():
        opens, closes = _parse_hours(settings.SCHEDULING_OPENING_HOURS)
        for weekday in settings.SCHEDULING_OPEN_WEEKDAYS:
            opening_hours.objects.create(weekday=weekday, opens=opens, closes=closes)


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0002_no_double_booking")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
