from tests.permission_matrix import CLINIC_ADMIN, OK, REDIRECT, Made, page
from tests.staff.factories import invited_account, locked_out


def make_objects() -> dict:
    """A colleague with everything the account page can act on: invited (no password yet), a
    second factor, and failed logins."""
    account = invited_account(first_name="Robin", last_name="Invitee", two_factor=True)
    locked_out(account)
    return {"staff_account": account.pk}


ADMIN = (CLINIC_ADMIN,)
ACCOUNT = Made("staff_account")

CASES = [
    page("staff:list", who=ADMIN, get=OK),
    page(
        "staff:list",
        query={"q": "robin", "role": "physician", "status": "invited"},
        who=ADMIN,
        get=OK,
    ),
    # An empty invitation is refused on the form (200, with the errors).
    page("staff:invite", who=ADMIN, get=OK, post=OK),
    page("staff:detail", ACCOUNT, who=ADMIN, get=OK),
    page("staff:roles", ACCOUNT, who=ADMIN, get=OK, post=OK),
    # The confirmation steps, then back to the account; deactivate before reactivate.
    page("staff:deactivate", ACCOUNT, who=ADMIN, get=OK, post=REDIRECT),
    page("staff:reactivate", ACCOUNT, who=ADMIN, post=REDIRECT),
    page("staff:two-factor-reset", ACCOUNT, who=ADMIN, get=OK, post=REDIRECT),
    page("staff:invite-resend", ACCOUNT, who=ADMIN, post=REDIRECT),
    page("staff:unlock", ACCOUNT, who=ADMIN, post=REDIRECT),
]
