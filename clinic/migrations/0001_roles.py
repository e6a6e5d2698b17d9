from django.db import migrations


def sync_roles(apps, schema_editor):
    from clinic.roles import sync_roles as sync

    sync(apps)


class Migration(migrations.Migration):
    """Create the staff roles (front desk, physician, clinic admin) with their permissions."""

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auditlog", "0017_add_actor_email"),
        ("intake", "0001_initial"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
