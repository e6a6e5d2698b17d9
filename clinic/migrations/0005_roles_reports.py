from django.db import migrations


def sync_roles(apps, schema_editor):
    from clinic.roles import sync_roles as sync

    sync(apps)


class Migration(migrations.Migration):
    """Grant the reports permissions (view and export) to clinic admins."""

    dependencies = [("clinic", "0004_export")]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
