"""The audit log is append-only in the database itself (issue 12, finding 9): on PostgreSQL a
trigger refuses UPDATE and DELETE of an entry, whatever the path (ORM, raw SQL, the SET_NULL of a
deleted actor); new entries and the test database's flush (TRUNCATE) still work."""

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from core.roles import FRONT_DESK
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger"),
]


def _entry() -> LogEntry:
    user = UserFactory(role=FRONT_DESK)
    return LogEntry.objects.log_create(
        user, action=LogEntry.Action.ACCESS, actor=user, force_log=True
    )


@pytest.mark.django_db
def test_an_entry_cannot_be_changed():
    entry = _entry()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).update(object_repr="nothing happened")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        entry.remote_addr = "203.0.113.7"
        entry.save()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE auditlog_logentry SET actor_id = NULL")
    entry.refresh_from_db()
    assert entry.object_repr != "nothing happened" and entry.actor is not None


@pytest.mark.django_db
def test_an_entry_cannot_be_deleted():
    entry = _entry()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).delete()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM auditlog_logentry")
    assert LogEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db
def test_deleting_a_user_cannot_blank_the_actor_of_their_entries():
    entry = _entry()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        entry.actor.delete()
    entry.refresh_from_db()
    assert entry.actor is not None


@pytest.mark.django_db(transaction=True)
def test_new_entries_and_a_flush_still_work():
    entry = _entry()
    assert LogEntry.objects.filter(pk=entry.pk).exists()
    call_command("flush", interactive=False, verbosity=0)
    assert not LogEntry.objects.exists()
