from django.urls import reverse

from tests.permission_matrix import (
    ANON,
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
    declare,
)

SIGNED_IN = (FRONT_DESK, PHYSICIAN, CLINIC_ADMIN, NO_GROUP)


def make_objects() -> dict:
    return {}


def _url(name, *args):
    return lambda o: reverse(name, args=args)


def row(get=NOT_ALLOWED, post=NOT_ALLOWED, rest=NOT_ALLOWED) -> dict:
    return {"get": get, "post": post, "put": rest, "patch": rest, "delete": rest}


CASES = [
    # Signed in already: straight on, whatever the method.
    declare(
        "login",
        _url("login"),
        who=(),
        others=REDIRECT,
        override={ANON: row(get=OK, post=OK)},
    ),
    declare(
        "logout",
        _url("logout"),
        who=(*SIGNED_IN, UNVERIFIED_PHYSICIAN, UNVERIFIED_ADMIN),
        post=REDIRECT,
    ),
    declare("dashboard", _url("dashboard"), who=SIGNED_IN, get=OK),
    # The two-factor pages are the ones a password-only session may reach: the one that fits.
    declare(
        "two-factor-verify",
        _url("two-factor-verify"),
        who=(FRONT_DESK, PHYSICIAN, CLINIC_ADMIN),
        get=OK,
        post=OK,
        override={
            NO_GROUP: row(TWO_FACTOR, TWO_FACTOR, TWO_FACTOR),
            UNVERIFIED_ADMIN: row(OK, OK),
        },
    ),
    declare(
        "two-factor-setup",
        _url("two-factor-setup"),
        who=SIGNED_IN,
        get=OK,
        post=OK,
        override={
            UNVERIFIED_PHYSICIAN: row(OK, OK),
        },
    ),
    declare(
        "password_change",
        _url("password_change"),
        who=SIGNED_IN,
        get=OK,
        post=OK,
    ),
    declare("password_change_done", _url("password_change_done"), who=SIGNED_IN, get=OK),
    # Open to anyone who has lost their password.
    declare(
        "password_reset",
        _url("password_reset"),
        who=(ANON, *SIGNED_IN),
        get=OK,
        post=OK,
    ),
    declare(
        "password_reset_done",
        _url("password_reset_done"),
        who=(ANON, *SIGNED_IN),
        get=OK,
    ),
    # A link that is not valid (any more) answers the same page to every method.
    declare(
        "password_reset_confirm",
        _url("password_reset_confirm", "MQ", "bad-token"),
        who=(ANON, *SIGNED_IN),
        get=OK,
        post=OK,
        override={identity: row(OK, OK, OK) for identity in (ANON, *SIGNED_IN)},
    ),
    declare(
        "password_reset_complete",
        _url("password_reset_complete"),
        who=(ANON, *SIGNED_IN),
        get=OK,
    ),
]
