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


# Django's own form views (login, password, two-factor) take PUT as a POST: the next step is to
# give them http_method_names like the app's forms (issue 12 report); until then it is written
# down here, so a change either way shows.
PUT_AS_POST = {"put": OK}

CASES = [
    # Signed in already: straight on, whatever the method.
    declare(
        "login",
        _url("login"),
        who=(),
        others=REDIRECT,
        override={ANON: {**row(get=OK, post=OK), **PUT_AS_POST}},
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
            **dict.fromkeys((FRONT_DESK, PHYSICIAN, CLINIC_ADMIN), PUT_AS_POST),
            NO_GROUP: row(TWO_FACTOR, TWO_FACTOR, TWO_FACTOR),
            UNVERIFIED_ADMIN: {**row(OK, OK), **PUT_AS_POST},
        },
    ),
    declare(
        "two-factor-setup",
        _url("two-factor-setup"),
        who=SIGNED_IN,
        get=OK,
        post=OK,
        override={
            **dict.fromkeys(SIGNED_IN, PUT_AS_POST),
            UNVERIFIED_PHYSICIAN: {**row(OK, OK), **PUT_AS_POST},
        },
    ),
    declare(
        "password_change",
        _url("password_change"),
        who=SIGNED_IN,
        get=OK,
        post=OK,
        override=dict.fromkeys(SIGNED_IN, PUT_AS_POST),
    ),
    declare("password_change_done", _url("password_change_done"), who=SIGNED_IN, get=OK),
    # Open to anyone who has lost their password.
    declare(
        "password_reset",
        _url("password_reset"),
        who=(ANON, *SIGNED_IN),
        get=OK,
        post=OK,
        override=dict.fromkeys((ANON, *SIGNED_IN), PUT_AS_POST),
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
