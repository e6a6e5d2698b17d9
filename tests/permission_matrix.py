"""Shared vocabulary of the permission matrix.

Each app has `tests/<app>/permission_cases.py` with `make_objects()` (the records its URLs need,
as a dict) and `CASES` (a list of `Case`). `tests/clinic/test_permissions.py` finds them all.
"""

from collections.abc import Callable
from dataclasses import dataclass

ANON = "anonymous"
FRONT_DESK = "front_desk"
PHYSICIAN = "physician"
CLINIC_ADMIN = "clinic_admin"
ROLES = (ANON, FRONT_DESK, PHYSICIAN, CLINIC_ADMIN)

OK, DENIED, REDIRECT, NOT_FOUND = 200, 403, 302, 404
LOGIN = "login"  # a redirect to the login page


def expect(anon, desk, doc, admin) -> dict:
    return dict(zip(ROLES, (anon, desk, doc, admin), strict=True))


@dataclass(frozen=True)
class Case:
    name: str  # the URL's name, with namespace
    method: str  # "get" or "post"
    url: Callable[[dict], str]  # objects -> path
    expected: dict
    data: dict | None = None  # POST body, if the default empty one is not right
