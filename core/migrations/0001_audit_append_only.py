from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION follicle_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % on auditlog_logentry refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS follicle_audit_append_only ON auditlog_logentry;
CREATE TRIGGER follicle_audit_append_only
    BEFORE UPDATE OR DELETE ON auditlog_logentry
    FOR EACH ROW EXECUTE FUNCTION follicle_audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS follicle_audit_append_only ON auditlog_logentry;
DROP FUNCTION IF EXISTS follicle_audit_append_only();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, None)

    return run


class Migration(migrations.Migration):
    """The audit log is append-only in the database, not just in the app: on PostgreSQL a
    trigger refuses every UPDATE and DELETE of an entry, whoever asks (a bug, the shell, a
    deleted user's SET_NULL). Row triggers do not fire on TRUNCATE, which only the table's
    owner may run and which the test database's flush uses.

    SQLite, the development default, gets no trigger: Django empties its tables between
    transactional tests with DELETE, which the trigger would refuse.
    """

    # A database made before the kernel left the project package has the trigger already
    # (clinic 0008): the function is replaced and the trigger dropped first, so this is safe.
    dependencies = [("auditlog", "0017_add_actor_email")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
