"""Audit-log helpers: reads of patient data are logged explicitly, changes by auditlog's signals.

Services wrap their writes in `actor(by)` so a change made outside a request (a management
command, a test, a script) still names the staff member who made it.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from auditlog.context import auditlog_value, set_actor
from auditlog.models import LogEntry
from django.db.models import Model


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
