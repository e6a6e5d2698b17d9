from django.db import migrations


def sync_roles(apps, schema_editor):
    from clinic.roles import sync_roles as sync

    sync(apps)


class Migration(migrations.Migration):
    """Grant the scheduling permissions: booking for the desk, charting for physicians,
    the clinic's set-up (rooms, devices, session types, hours) for admins."""

    dependencies = [
        ("clinic", "0002_roles_eligibility"),
        ("scheduling", "0003_defaults"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
