from django.urls import reverse

from tests.permission_matrix import LOGIN, OK, REDIRECT, Case, expect


def make_objects() -> dict:
    return {}


def _url(name, *args):
    return lambda o: reverse(name, args=args)


ALL = expect(OK, OK, OK, OK)
STAFF = expect(LOGIN, OK, OK, OK)

CASES = [
    Case("login", "get", _url("login"), expect(OK, REDIRECT, REDIRECT, REDIRECT)),
    Case("logout", "post", _url("logout"), expect(REDIRECT, REDIRECT, REDIRECT, REDIRECT)),
    Case("dashboard", "get", _url("dashboard"), STAFF),
    Case("two-factor-verify", "get", _url("two-factor-verify"), STAFF),
    Case("two-factor-verify", "post", _url("two-factor-verify"), STAFF),
    Case("two-factor-setup", "get", _url("two-factor-setup"), STAFF),
    Case("password_change", "get", _url("password_change"), STAFF),
    Case("password_change", "post", _url("password_change"), STAFF),
    Case("password_change_done", "get", _url("password_change_done"), STAFF),
    Case("password_reset", "get", _url("password_reset"), ALL),
    Case("password_reset", "post", _url("password_reset"), ALL),
    Case("password_reset_done", "get", _url("password_reset_done"), ALL),
    Case("password_reset_confirm", "get", _url("password_reset_confirm", "MQ", "bad-token"), ALL),
    Case("password_reset_complete", "get", _url("password_reset_complete"), ALL),
]
