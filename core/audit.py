"""Audit-log helpers: reads of patient data are logged explicitly, changes by auditlog's signals.

Services wrap their writes in `actor(by)` so a change made outside a request (a management
command, a test, a script) still names the staff member who made it.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from auditlog.cid import get_cid
from auditlog.context import auditlog_value, set_actor
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Model
from django.utils import timezone
from django.utils.encoding import smart_str


@contextmanager
def actor(user) -> Iterator[None]:
    """Attribute the audit entries written inside the block to `user`.

    auditlog's own `set_actor` leaves its context in place on exit, which would silence the
    request middleware's context for the rest of the request; restore it.
    """
    previous = auditlog_value.get(None)
    try:
        with set_actor(user):
            yield
    finally:
        if previous is not None:
            auditlog_value.set(previous)


def log_access(instance: Model, *, by) -> LogEntry:
    """Record that `by` viewed `instance` (auditlog's ACCESS action)."""
    return LogEntry.objects.log_create(
        instance,
        action=LogEntry.Action.ACCESS,
        changes=None,
        actor=by,
        force_log=True,
        serialized_data=None,
    )


# The columns `log_access_many` writes, in its rows' order; the rest are NULL.
_COLUMNS = (
    "content_type_id",
    "object_pk",
    "object_id",
    "object_repr",
    "action",
    "changes_text",
    "actor_id",
    "actor_email",
    "remote_addr",
    "remote_port",
    "cid",
    "timestamp",
)
_BATCH = 500  # rows a statement: 12 parameters each, well inside SQLite's limit


def _insert_entries(rows: list[tuple]) -> None:
    """One multi-row INSERT of access entries, rows in `_COLUMNS` order. Written out rather
    than through `bulk_create`, whose per-object preparation of all sixteen fields cost more
    than the insert itself on every list page (issue 15)."""
    ops = connection.ops
    table = ops.quote_name(LogEntry._meta.db_table)
    columns = ", ".join(ops.quote_name(column) for column in _COLUMNS)
    one = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
    sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * len(rows))}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])


def log_access_many(objects: Iterable[Model], *, by) -> int:
    """Record that `by` was shown each of `objects`: one bulk insert for a page of a list or a
    chunk of an export, not a statement per object. Returns the number of entries written.

    The insert sends no signals, so what auditlog's request context would add to each entry
    (the client's address, the correlation id) is copied here.
    """
    objects = list(objects)
    if not objects:
        return 0
    content_types = ContentType.objects.get_for_models(*{type(obj) for obj in objects})
    context = auditlog_value.get(None) or {}
    ops = connection.ops
    # The same for every entry, adapted for the database once, as the ORM would.
    shared = (
        by.pk,
        getattr(by, "email", None),
        ops.adapt_ipaddressfield_value(context.get("remote_addr")),
        context.get("remote_port"),
        get_cid(),
        ops.adapt_datetimefield_value(timezone.now()),
    )
    action = LogEntry.Action.ACCESS
    rows = [
        (
            content_types[type(obj)].pk,
            str(obj.pk),
            obj.pk if isinstance(obj.pk, int) else None,
            smart_str(obj),
            action,
            "",
            *shared,
        )
        for obj in objects
    ]
    for start in range(0, len(rows), _BATCH):
        _insert_entries(rows[start : start + _BATCH])
    return len(objects)
