from tests.permission_matrix import (
    ANON,
    BAD,
    CLINIC_ADMIN,
    FRONT_DESK,
    NO_GROUP,
    NOT_ALLOWED,
    OK,
    PHYSICIAN,
    REDIRECT,
    TWO_FACTOR,
    UNVERIFIED_ADMIN,
    UNVERIFIED_PHYSICIAN,
    page,
)

SIGNED_IN = (FRONT_DESK, PHYSICIAN, CLINIC_ADMIN, NO_GROUP)
UNAUTHORISED = 401


def make_objects() -> dict:
    return {}


def row(get=NOT_ALLOWED, post=NOT_ALLOWED, rest=NOT_ALLOWED) -> dict:
    return {"get": get, "post": post, "put": rest, "patch": rest, "delete": rest}


CASES = [
    # Signed in already: straight on, whatever the method.
    page("login", who=(), others=REDIRECT, override={ANON: row(get=OK, post=OK)}),
    page("logout", who=(*SIGNED_IN, UNVERIFIED_PHYSICIAN, UNVERIFIED_ADMIN), post=REDIRECT),
    # Public: a redirect to the static icon (a password-only session finishes two-factor first).
    page("favicon", who=(ANON, *SIGNED_IN), get=REDIRECT),
    # The two-factor pages are the ones a password-only session may reach: the one that fits.
    page(
        "two-factor-verify",
        who=(FRONT_DESK, PHYSICIAN, CLINIC_ADMIN),
        get=OK,
        post=OK,
        override={
            NO_GROUP: row(TWO_FACTOR, TWO_FACTOR, TWO_FACTOR),
            UNVERIFIED_ADMIN: row(OK, OK),
        },
    ),
    page(
        "two-factor-setup",
        who=SIGNED_IN,
        get=OK,
        post=OK,
        override={UNVERIFIED_PHYSICIAN: row(OK, OK)},
    ),
    page("password_change", who=SIGNED_IN, get=OK, post=OK),
    page("password_change_done", who=SIGNED_IN, get=OK),
    # Open to anyone who has lost their password.
    page("password_reset", who=(ANON, *SIGNED_IN), get=OK, post=OK),
    page("password_reset_done", who=(ANON, *SIGNED_IN), get=OK),
    # A link that is not valid (any more) answers the same page to every method.
    page(
        "password_reset_confirm",
        "MQ",
        "bad-token",
        who=(ANON, *SIGNED_IN),
        get=OK,
        post=OK,
        override={identity: row(OK, OK, OK) for identity in (ANON, *SIGNED_IN)},
    ),
    page("password_reset_complete", who=(ANON, *SIGNED_IN), get=OK),
    # The idle timeout (issue 14): any signed-in user, about their own session. How long is
    # left answers a signed-out script with 401, not the login page.
    page(
        "session-status",
        who=SIGNED_IN,
        get=OK,
        override={ANON: row(get=UNAUTHORISED)},
    ),
    page("session-extend", who=SIGNED_IN, post=OK),
    # Their own form drafts: a GET names the page; a POST wants JSON, so the matrix's empty
    # form is refused.
    page("form-draft", query={"path": "/"}, who=SIGNED_IN, get=OK, post=BAD),
    page("form-draft-discard", who=SIGNED_IN, post=BAD),
]
