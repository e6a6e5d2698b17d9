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
from django.db.models import Model
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


def log_access_many(objects: Iterable[Model], *, by) -> int:
    """Record that `by` was shown each of `objects`: one bulk insert for a page of a list or a
    chunk of an export, not a statement per object. Returns the number of entries written.

    `bulk_create` sends no signals, so what auditlog's request context would add to each entry
    (the client's address, the correlation id) is copied here.
    """
    objects = list(objects)
    if not objects:
        return 0
    content_types = ContentType.objects.get_for_models(*{type(obj) for obj in objects})
    context = auditlog_value.get(None) or {}
    extra = {
        "actor_id": by.pk,
        "actor_email": getattr(by, "email", None),
        "remote_addr": context.get("remote_addr"),
        "remote_port": context.get("remote_port"),
        "cid": get_cid(),
    }
    LogEntry.objects.bulk_create(
        [
            # By id: assigning the objects would check each of them as an unsaved relation.
            LogEntry(
                content_type_id=content_types[type(obj)].pk,
                object_pk=str(obj.pk),
                object_id=obj.pk if isinstance(obj.pk, int) else None,
                object_repr=smart_str(obj),
                action=LogEntry.Action.ACCESS,
                **extra,
            )
            for obj in objects
        ],
        batch_size=500,
    )
    return len(objects)
