"""One way to run a write that can lose a race to another: try again, a few times.

On PostgreSQL two bookings of one slot both pass the service's check; the exclusion constraints
of migration 0002 refuse the loser (an IntegrityError), or the database aborts one of two
transactions that wait on each other (deadlock_detected, serialization_failure). Trying again
sees the winner: the write then picks another free resource, or refuses naming what is taken.
A loser may try again before the winner has committed, so each retry first waits a moment, a
little longer each time and jittered, for the winner to commit.
"""

import random
import time
from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, OperationalError

T = TypeVar("T")

ATTEMPTS = 5
# PostgreSQL's deadlock_detected and serialization_failure.
_RACE_SQLSTATES = {"40P01", "40001"}


def is_race(exc: Exception) -> bool:
    """The loser of a race between two writes: a constraint violation, or a deadlock."""
    if isinstance(exc, IntegrityError):
        return True
    return getattr(exc.__cause__, "pgcode", None) in _RACE_SQLSTATES


def retry_races(
    attempt: Callable[[], T], *, lost: Callable[[Exception], T], attempts: int = ATTEMPTS
) -> T:
    """Run `attempt` (one whole transaction) until it does not lose a race, at most `attempts`
    times; when the last one loses too, return what `lost(exc)` returns, or raise what it
    raises. Any other database error goes straight up."""
    for tried in range(1, attempts + 1):
        try:
            return attempt()
        except (IntegrityError, OperationalError) as exc:
            if not is_race(exc):
                raise
            if tried == attempts:
                return lost(exc)
        time.sleep(random.uniform(0.02, 0.08) * tried)
    raise AssertionError("unreachable")
