from django.db import migrations

COLUMNS = "id, report, format, filters, exported_by_id, exported_at"


def take_over_clinic_exports(apps, schema_editor):
    """Keep the export log of a database made when exports lived in the project package.

    Copies `clinic_export` into this app's table and drops it; a new database has no such table.
    """
    connection = schema_editor.connection
    if "clinic_export" not in connection.introspection.table_names():
        return
    schema_editor.execute(
        f"INSERT INTO reports_export ({COLUMNS}) SELECT {COLUMNS} FROM clinic_export"
    )
    schema_editor.execute("DROP TABLE clinic_export")
    if connection.vendor == "postgresql":
        schema_editor.execute(
            "SELECT setval(pg_get_serial_sequence('reports_export', 'id'), "
            "COALESCE((SELECT MAX(id) FROM reports_export), 1))"
        )


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(take_over_clinic_exports, migrations.RunPython.noop)]
