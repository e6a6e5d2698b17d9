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
"""

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Subquery
from django.utils import timezone

from eligibility.models import PhysicianReview, Screening
from reports.forms import ReportFilters
from reports.models import FiguresVersion
from scheduling.models import TreatmentSession

TIMEOUT = 10 * 60
ROW = 1


def _newest(model) -> Subquery:
    return Subquery(model.objects.order_by("-pk").values("pk")[:1])


def version() -> tuple | None:
    """The state of the data the reports read, in one query (None without the row: then
    nothing is cached until a write makes it)."""
    return (
        FiguresVersion.objects.filter(pk=ROW)
        .annotate(
            sessions=_newest(TreatmentSession),
            screenings=_newest(Screening),
            reviews=_newest(PhysicianReview),
        )
        .values_list("changes", "sessions", "screenings", "reviews")
        .first()
    )


def _bump() -> None:
    if not FiguresVersion.objects.filter(pk=ROW).update(changes=F("changes") + 1):
        FiguresVersion.objects.get_or_create(pk=ROW, defaults={"changes": 1})


def changed(**kwargs) -> None:
    """A write that can change the figures: bump the version once it is committed (at once
    outside a transaction; never, if it rolls back)."""
    if kwargs.get("update_fields") == frozenset({"last_login"}):
        return  # a login changes no figure
    transaction.on_commit(_bump)


def cached(report: str, filters: ReportFilters, compute: Callable[[], Any]) -> Any:
    """`compute()`'s figures for `report` under `filters`, from the cache when the data has
    not changed since they were computed."""
    state = version()
    if state is None:
        return compute()
    state = [report, filters.as_json(), timezone.localdate().isoformat(), *state]
    digest = hashlib.sha256(json.dumps(state, sort_keys=True, default=str).encode()).hexdigest()
    key = f"reports:figures:{digest}"
    figures = cache.get(key)
    if figures is None:
        figures = compute()
        cache.set(key, figures, TIMEOUT)
    return figures
