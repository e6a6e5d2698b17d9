"""A backup restores into a fresh database with every patient, intake, screening and session."""

import sqlite3
import subprocess
import uuid

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection

from eligibility.models import Screening
from eligibility.services import screen_intake
from intake.models import IntakeQuestionnaire, Patient
from tests.factories import IntakeFactory

TABLES = ("intake_patient", "intake_intakequestionnaire", "eligibility_screening")


def _counts_here() -> dict:
    return {
        "intake_patient": Patient.objects.count(),
        "intake_intakequestionnaire": IntakeQuestionnaire.objects.count(),
        "eligibility_screening": Screening.objects.count(),
    }


def _session_table() -> list[str]:
    from django.apps import apps

    if apps.is_installed("scheduling") and "scheduling_treatmentsession" in (
        connection.introspection.table_names()
    ):
        return ["scheduling_treatmentsession"]
    return []


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_into_a_fresh_database(tmp_path):
    for _ in range(3):
        intake = IntakeFactory()
        screen_intake(by=intake.taken_by, intake=intake)
    expected = _counts_here()
    assert expected["intake_patient"] == 3 and expected["eligibility_screening"] == 9
    tables = [*TABLES, *_session_table()]
    dump = tmp_path / "core.backup"
    call_command("backup", output=str(dump))
    assert dump.stat().st_size > 0

    if connection.vendor == "sqlite":
        target = tmp_path / "restored.sqlite3"
        call_command("restore", str(dump), target=str(target))
        with sqlite3.connect(target) as db:
            restored = {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}
        db.close()
    else:
        params = connection.settings_dict
        name = f"restore_{uuid.uuid4().hex[:10]}"
        base = ["-h", params["HOST"] or "127.0.0.1", "-U", params["USER"] or "postgres"]
        if params.get("PORT"):
            base += ["-p", str(params["PORT"])]
        subprocess.run(["createdb", *base, name], check=True)
        try:
            call_command("restore", str(dump), target=name)
            with (
                psycopg2.connect(
                    dbname=name,
                    host=params["HOST"] or "127.0.0.1",
                    user=params["USER"] or "postgres",
                    port=params.get("PORT") or 5432,
                ) as db,
                db.cursor() as cursor,
            ):
                restored = {}
                for table in tables:
                    cursor.execute(f"SELECT COUNT(*) FROM {table}")
                    restored[table] = cursor.fetchone()[0]
            db.close()
        finally:
            subprocess.run(["dropdb", *base, "--if-exists", name], check=True)
    for table in TABLES:
        assert restored[table] == expected[table], table


def test_restore_refuses_a_database_that_holds_data(tmp_path):
    from core.backup import BackupError, restore_sqlite

    source = tmp_path / "a.sqlite3"
    sqlite3.connect(source).execute("CREATE TABLE t (x)").connection.commit()
    target = tmp_path / "b.sqlite3"
    sqlite3.connect(target).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(BackupError, match="already holds"):
        restore_sqlite(source, target=target)
