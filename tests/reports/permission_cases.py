from django.urls import reverse

from tests.permission_matrix import CLINIC_ADMIN, OK, REDIRECT, declare

ADMIN = (CLINIC_ADMIN,)
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
    declare("reports:index", _url("reports:index"), who=ADMIN, get=OK),
    *[
        declare(f"reports:{report}", _url(f"reports:{report}"), who=ADMIN, get=OK)
        for report in REPORTS
    ],
    declare("reports:recall", _url("reports:recall", query="?lot=LOT-1"), who=ADMIN, get=OK),
    *[
        declare("reports:export", _export(report, fmt), who=ADMIN, get=OK)
        for report in REPORTS
        for fmt in ("csv", "xlsx")
    ],
    # The search is POSTed, kept in the session, and the log drawn again.
    declare("reports:audit-log", _url("reports:audit-log"), who=ADMIN, get=OK, post=REDIRECT),
    declare("reports:audit-log-export", _url("reports:audit-log-export"), who=ADMIN, get=OK),
]
