from django.db import migrations


def sync_roles(apps, schema_editor):
    from clinic.roles import sync_roles as sync

    sync(apps)


class Migration(migrations.Migration):
    """Grant the eligibility permissions: screenings for all, review for physicians."""

    dependencies = [
        ("clinic", "0001_roles"),
        ("eligibility", "0001_initial"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
