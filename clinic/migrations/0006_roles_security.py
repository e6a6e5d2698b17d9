from django.db import migrations


def sync_roles(apps, schema_editor):
    from clinic.roles import sync_roles as sync

    sync(apps)


class Migration(migrations.Migration):
    """Let clinic admins see and clear login lockouts (django-axes)."""

    dependencies = [
        ("clinic", "0005_roles_reports"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
