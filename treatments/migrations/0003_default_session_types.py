"""The five default session types, with their colours: created if the table is empty, else the
ones there (from scheduling migration 0003, or an admin) that bear a default's name are coloured."""

from django.db import migrations

# name, procedures, minutes, room kind, device kind, colour: CLINICAL.md's protocol defaults,
# written out so this migration keeps doing what it did whatever the app's code becomes.
DEFAULTS = (
    ("Microneedling", "microneedling", 45, "procedure", "mn_pen", "primary"),
    ("PRP", "prp", 60, "procedure", "centrifuge", "danger"),
    ("PRP with microneedling", "prp+microneedling", 75, "procedure", "centrifuge", "warning"),
    ("Laser (LLLT)", "lllt", 30, "laser", "laser", "info"),
    ("Microneedling then LLLT", "microneedling+lllt", 60, "laser", "laser", "dark"),
)


def seed(apps, schema_editor):
    """Fill an empty table with the defaults; otherwise colour the defaults that are there,
    only where the colour is still the field's default, so an admin's choice is never undone."""
    session_type = apps.get_model("treatments", "SessionType")
    if not session_type.objects.exists():
        session_type.objects.bulk_create(
            session_type(
                name=name,
                procedure_codes=codes,
                duration_minutes=minutes,
                room_kind=room_kind,
                device_kind=device_kind,
                colour=colour,
            )
            for name, codes, minutes, room_kind, device_kind, colour in DEFAULTS
        )
        return
    for name, *_, colour in DEFAULTS:
        session_type.objects.filter(name=name, colour="primary").update(colour=colour)


class Migration(migrations.Migration):
    dependencies = [("treatments", "0002_sessiontype_colour")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
