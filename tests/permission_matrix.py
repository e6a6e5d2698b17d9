"""Shared vocabulary of the permission matrix (issue 12, "the permission matrix per method").

Each app has `tests/<app>/permission_cases.py` with `make_objects()` (the records its URLs need,
as a dict) and `CASES`, one `page(...)` per view: the roles it is for and what it answers to
each method it accepts. From that, every identity's answer to every method is set down:

- anonymous: sent to the login page (unless the view says otherwise);
- a physician or admin who has given the password but not the second factor: sent to the
  two-factor step, whatever the page;
- a role the view is not for, and a user in no group: 403 (the permission is checked before the
  method);
- a role the view is for: the declared answer for GET and POST, 405 for a method the view does
  not accept;
- a patient holding a link: what anonymous gets, but on the patient's own pages;
- the clinic's tablet handed to a patient: sent back to the patient's page, whatever the URL.

`tests/core/test_permissions.py` walks the URLconf and fails for a URL without a declaration.
"""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

ANON = "anonymous"
FRONT_DESK = "front_desk"
PHYSICIAN = "physician"
CLINIC_ADMIN = "clinic_admin"
NO_GROUP = "no_group"
UNVERIFIED_PHYSICIAN = "physician_password_only"
UNVERIFIED_ADMIN = "clinic_admin_password_only"
# A patient holding a link (opened, birth date confirmed), and the clinic's tablet handed to a
# patient (issue 16). The link holder is anonymous to every page but the patient's own; the
# tablet answers every other URL with its questionnaire.
LINK_HOLDER = "link_holder"
TABLET = "tablet"
ROLES = (FRONT_DESK, PHYSICIAN, CLINIC_ADMIN)
UNVERIFIED = (UNVERIFIED_PHYSICIAN, UNVERIFIED_ADMIN)
IDENTITIES = (ANON, *ROLES, NO_GROUP, *UNVERIFIED, LINK_HOLDER, TABLET)
ALL_SIGNED_IN = (*ROLES, NO_GROUP)  # past the second factor, or needing none
METHODS = ("get", "post", "put", "patch", "delete")

OK, DENIED, REDIRECT, NOT_FOUND, NOT_ALLOWED, BAD = 200, 403, 302, 404, 405, 400
LOGIN = "login"  # a redirect to the login page
TWO_FACTOR = "two-factor"  # a redirect to the two-factor step (verify or set up)
TABLET_HOME = "tablet-home"  # a redirect to the patient's page on the tablet (portal:home)


@dataclass(frozen=True)
class Case:
    name: str  # the URL's name, with namespace
    url: Callable[[dict], str]  # objects -> path
    answers: dict[str, dict[str, object]]  # identity -> method -> expected answer
    data: dict | None = None  # POST body, if the default empty one is not right

    def expected(self, identity: str, method: str):
        return self.answers[identity][method]

    def per_method(self) -> list["MethodCase"]:
        """The declaration as one case per method some role is let through (GET and POST),
        for tests that walk pages or forms (CSRF, content security policy)."""
        refused = (NOT_ALLOWED, DENIED, LOGIN, TWO_FACTOR)
        return [
            MethodCase(
                self.name,
                method,
                self.url,
                {i: self.answers[i][method] for i in IDENTITIES},
                self.data,
            )
            for method in ("get", "post")
            if any(self.answers[role][method] not in refused for role in ROLES)
        ]


@dataclass(frozen=True)
class MethodCase:
    name: str
    method: str
    url: Callable[[dict], str]
    expected: dict  # identity -> answer
    data: dict | None = None


def declare(
    name: str,
    url: Callable[[dict], str],
    *,
    who: tuple[str, ...],
    get=None,
    post=None,
    anonymous=LOGIN,
    others=DENIED,
    unverified=TWO_FACTOR,
    override: dict[str, dict[str, object]] | None = None,
    data: dict | None = None,
) -> Case:
    """A view's expected answers. `who`: the identities it is for (with ANON for a public page,
    a password-only identity for a page of the two-factor step); `get` / `post`: what they get
    (None: the method is not accepted, 405); `others`: what every other signed-in identity gets
    (403 when the view checks a permission); `override`: exceptions, identity -> method ->
    answer."""
    accepted = {"get": get, "post": post}
    answers: dict[str, dict[str, object]] = {}
    for identity in IDENTITIES:
        if identity in who:
            row = {m: accepted.get(m) or NOT_ALLOWED for m in METHODS}
        elif identity == ANON:
            row = dict.fromkeys(METHODS, anonymous)
        elif identity == LINK_HOLDER:
            row = {m: answers[ANON][m] for m in METHODS}  # anonymous to the site
        elif identity == TABLET:
            row = dict.fromkeys(METHODS, TABLET_HOME)
        elif identity in UNVERIFIED:
            row = dict.fromkeys(METHODS, unverified)
        else:
            row = dict.fromkeys(METHODS, others)
        row.update((override or {}).get(identity, {}))
        answers[identity] = row
    return Case(name, url, answers, data)


@dataclass(frozen=True)
class Made:
    """In a `page()` declaration: the value `make_objects()` returned under `key`."""

    key: str


def page(name: str, *args, query: dict | None = None, **expected) -> Case:
    """`declare()` for the URL named `name`, reversed with `args` and `query` appended; in
    either, a `Made` stands for a record `make_objects()` made."""

    def url(objects: dict) -> str:
        def value(arg):
            return objects[arg.key] if isinstance(arg, Made) else arg

        path = reverse(name, args=[value(arg) for arg in args])
        if query:
            path += "?" + urlencode({key: value(arg) for key, arg in query.items()})
        return path

    return declare(name, url, **expected)
