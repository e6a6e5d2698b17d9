from django.urls import reverse

from tests.permission_matrix import LOGIN, OK, REDIRECT, Case, expect


def make_objects() -> dict:
    return {}


CASES = [
    Case("login", "get", lambda o: reverse("login"), expect(OK, REDIRECT, REDIRECT, REDIRECT)),
    Case(
        "logout",
        "post",
        lambda o: reverse("logout"),
        expect(REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    ),
    Case("dashboard", "get", lambda o: reverse("dashboard"), expect(LOGIN, OK, OK, OK)),
]
