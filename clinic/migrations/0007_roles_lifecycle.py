from django.db import migrations


def sync_roles(apps, schema_editor):
    from clinic.roles import sync_roles as sync

    sync(apps)


class Migration(migrations.Migration):
    """Physicians sign off same-day microneedling then LLLT; everyone who reads a patient sees
    the sign-off."""

    dependencies = [
        ("clinic", "0006_roles_security"),
        ("eligibility", "0005_lifecycle_backfill"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
