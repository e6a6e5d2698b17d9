"""Report figures, cached: computed once per filter and per state of the data, not per request.

A cached entry's key holds the filters, the clinic's date (what "waiting now" counts) and a
version of the data read in one query: `FiguresVersion.changes`, which every committed write of
a model the reports read bumps (signals, connected in `reports.apps`), and the newest id of
sessions, screenings and reviews, which also moves when rows are inserted in bulk without
signals (seeding). The version lives in the database, not in the cache: with a per-process
local-memory cache (the default) each gunicorn worker keeps its own entries, and a write in one
worker could not clear another's; a new version makes every worker's old entries unreachable,
and they expire (`TIMEOUT`). The bump runs after the commit, outside the write's transaction,
so writers never queue on the one row; a report read between the commit and the bump computes
from the committed data, and the bump makes its entry unreachable for the next request.

The filter forms of the reports area are cached the same way, as the HTML crispy-forms draws:
their lists (session types, rooms, staff) are rows of models the version follows, and drawing
them cost more than the rest of a report page.
"""

import functools
import hashlib
import json
from collections.abc import Callable, Sequence
from typing import TypeVar

from django.core.cache import cache
from django.db import connections, router, transaction
from django.db.models import F, Subquery
from django.utils import timezone

from eligibility.models import PhysicianReview, Screening
from reports.models import FiguresVersion
from scheduling.models import TreatmentSession

TIMEOUT = 10 * 60
ROW = 1
T = TypeVar("T")


def _newest(model) -> Subquery:
    return Subquery(model.objects.order_by("-pk").values("pk")[:1])


def _version_query():
    return (
        FiguresVersion.objects.filter(pk=ROW)
        .annotate(
            sessions=_newest(TreatmentSession),
            screenings=_newest(Screening),
            reviews=_newest(PhysicianReview),
        )
        .values_list("changes", "sessions", "screenings", "reviews")
        .order_by()[:1]
    )


@functools.cache
def _version_sql(alias: str) -> tuple[str, tuple]:
    """The version query's SQL for a database, compiled once: building it through the ORM on
    every request cost more than running it."""
    sql, params = _version_query().query.sql_with_params()
    return sql, tuple(params)


def version() -> tuple | None:
    """The state of the data the reports read, in one query (None without the row: then
    nothing is cached until a write makes it)."""
    alias = router.db_for_read(FiguresVersion)
    sql, params = _version_sql(alias)
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def signalled(state: tuple | None) -> tuple | None:
    """The part of a `version()` that signalled writes move. What the filter forms list
    (session types, rooms, staff) is never inserted in bulk, so this is all a drawn form
    depends on; new sessions, screenings and reviews move only the rest of the version, and
    leave the drawn forms in the cache."""
    return None if state is None else state[:1]


def _bump() -> None:
    if not FiguresVersion.objects.filter(pk=ROW).update(changes=F("changes") + 1):
        FiguresVersion.objects.get_or_create(pk=ROW, defaults={"changes": 1})


def changed(**kwargs) -> None:
    """A write that can change the figures: bump the version once it is committed (at once
    outside a transaction; never, if it rolls back)."""
    if kwargs.get("update_fields") == frozenset({"last_login"}):
        return  # a login changes no figure
    transaction.on_commit(_bump)


def cached(parts: Sequence, compute: Callable[[], T], state: tuple | None) -> T:
    """`compute()`'s value under `parts` (JSON-serialisable: the report, its filters, ...), from
    the cache while the data is in `state`, a `version()` the caller reads once a request for
    everything it caches."""
    if state is None:
        return compute()
    key = [*parts, timezone.localdate().isoformat(), *state]
    digest = hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()
    key = f"reports:figures:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value
