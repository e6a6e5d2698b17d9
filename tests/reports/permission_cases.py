from django.urls import reverse

from tests.permission_matrix import DENIED, LOGIN, OK, REDIRECT, Case, expect

ADMIN_ONLY = expect(LOGIN, DENIED, DENIED, OK)
REPORTS = ("sessions", "screenings", "reviews", "recall")


def make_objects() -> dict:
    return {}


def _url(name, *args, query=""):
    return lambda o: reverse(name, args=args) + query


def _export(report, fmt):
    # A recall export needs a lot; without one it is a 400 that says so.
    return _url(
        "reports:export", report, fmt, query="?lot=NO-SUCH-LOT" if report == "recall" else ""
    )


CASES = [
    Case("reports:index", "get", _url("reports:index"), ADMIN_ONLY),
    *[
        Case(f"reports:{report}", "get", _url(f"reports:{report}"), ADMIN_ONLY)
        for report in REPORTS
    ],
    Case("reports:recall", "get", _url("reports:recall", query="?lot=LOT-1"), ADMIN_ONLY),
    *[
        Case("reports:export", "get", _export(report, fmt), ADMIN_ONLY)
        for report in REPORTS
        for fmt in ("csv", "xlsx")
    ],
    Case("reports:audit-log", "get", _url("reports:audit-log"), ADMIN_ONLY),
    Case(
        "reports:audit-log",
        "post",
        _url("reports:audit-log"),
        expect(LOGIN, DENIED, DENIED, REDIRECT),
    ),
    Case("reports:audit-log-export", "get", _url("reports:audit-log-export"), ADMIN_ONLY),
]
