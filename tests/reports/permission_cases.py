from tests.permission_matrix import CLINIC_ADMIN, OK, REDIRECT, page

ADMIN = (CLINIC_ADMIN,)
REPORTS = ("sessions", "screenings", "reviews", "recall")


def make_objects() -> dict:
    return {}


CASES = [
    page("reports:index", who=ADMIN, get=OK),
    *[page(f"reports:{report}", who=ADMIN, get=OK) for report in REPORTS],
    page("reports:recall", query={"lot": "LOT-1"}, who=ADMIN, get=OK),
    *[
        # A recall export needs a lot; without one it is a 400 that says so.
        page(
            "reports:export",
            report,
            fmt,
            query={"lot": "NO-SUCH-LOT"} if report == "recall" else None,
            who=ADMIN,
            get=OK,
        )
        for report in REPORTS
        for fmt in ("csv", "xlsx")
    ],
    # The search is POSTed, kept in the session, and the log drawn again.
    page("reports:audit-log", who=ADMIN, get=OK, post=REDIRECT),
    page("reports:audit-log-export", who=ADMIN, get=OK),
]
