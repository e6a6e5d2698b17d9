"""Every URL, every identity, every method: the expected answer is declared per view
(tests/<app>/permission_cases.py, see tests/permission_matrix.py) and a URL without a
declaration fails here: deny by default is checked, not hoped for (issue 12, "the permission
matrix per method")."""

import importlib
import pkgutil

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests
from core.roles import CLINIC_ADMIN, FRONT_DESK, PHYSICIAN
from tests.factories import UserFactory, login_client
from tests.permission_matrix import (
    ANON,
    IDENTITIES,
    LINK_HOLDER,
    LOGIN,
    METHODS,
    NO_GROUP,
    TABLET,
    TABLET_HOME,
    TWO_FACTOR,
    UNVERIFIED_ADMIN,
    UNVERIFIED_PHYSICIAN,
)
from tests.portal.permission_cases import link_holder_client, tablet_client

pytestmark = pytest.mark.django_db

# Django admin has its own login and permissions: see test_admin_site_is_for_superusers_only.
NOT_APP_PAGES = {"admin"}
# Pages whose POST ends the browser's session (a sign-out, the tablet's exit, a hand-over):
# the walk goes on in a new one.
ENDS_SESSION = {"logout", "portal:exit", "portal:kiosk-start"}
# The matrix is at least this big (URLs declared x identities x methods); printed with -s.
MINIMUM_SIZE = 1900


def _case_modules():
    modules = []
    for info in pkgutil.iter_modules(tests.__path__):
        if info.ispkg:
            try:
                modules.append(importlib.import_module(f"tests.{info.name}.permission_cases"))
            except ModuleNotFoundError:
                continue
    return modules


MODULES = _case_modules()
DECLARATIONS = [case for module in MODULES for case in module.CASES]
# One case per view and method a role is let through: what other tests walk.
CASES = [case for declaration in DECLARATIONS for case in declaration.per_method()]


def _url_names(resolver: URLResolver, prefix: str = "") -> set[str]:
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name in NOT_APP_PAGES:
                continue
            ns = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            names |= _url_names(pattern, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(prefix + pattern.name)
    return names


def url_names() -> set[str]:
    """Every named URL of the site (recursively through the includes), Django admin's aside."""
    return _url_names(get_resolver())


def test_every_url_has_expectations():
    missing = url_names() - {case.name for case in DECLARATIONS}
    assert not missing, f"URLs without a permission expectation: {sorted(missing)}"
    stale = {case.name for case in DECLARATIONS} - url_names()
    assert not stale, f"Expectations for URLs that no longer exist: {sorted(stale)}"


def test_matrix_size():
    size = len(DECLARATIONS) * len(IDENTITIES) * len(METHODS)
    print(
        f"\npermission matrix: {len(url_names())} URLs in {len(DECLARATIONS)} declarations x "
        f"{len(IDENTITIES)} identities x {len(METHODS)} methods = {size} requests"
    )
    assert size >= MINIMUM_SIZE


def _client(identity: str) -> Client:
    if identity == ANON:
        return Client()
    if identity == LINK_HOLDER:
        return link_holder_client()
    if identity == TABLET:
        return tablet_client()
    if identity == NO_GROUP:
        return login_client(UserFactory(), verified=False)
    if identity == UNVERIFIED_PHYSICIAN:
        # Has never set up a device: sent to set one up.
        return login_client(UserFactory(role=PHYSICIAN), verified=False)
    if identity == UNVERIFIED_ADMIN:
        # Has a device, has not given a code this session: sent to give one.
        user = UserFactory(role=CLINIC_ADMIN, is_staff=True)
        login_client(user)
        return login_client(user, verified=False)
    return login_client(UserFactory(role=identity, is_staff=identity == CLINIC_ADMIN))


def _matches(response, expected) -> bool:
    if expected == LOGIN:
        return response.status_code == 302 and response.url.startswith(reverse("login"))
    if expected == TABLET_HOME:
        return response.status_code == 302 and response.url == reverse("portal:home")
    if expected == TWO_FACTOR:
        return response.status_code == 302 and response.url.startswith(
            (reverse("two-factor-verify"), reverse("two-factor-setup"))
        )
    if response.status_code == 302 and expected == 302:
        return not response.url.startswith(
            (reverse("two-factor-verify"), reverse("two-factor-setup"))
        )
    return response.status_code == expected


@pytest.mark.parametrize("identity", IDENTITIES)
def test_permission_matrix(identity):
    objects = {}
    for module in MODULES:
        objects.update(module.make_objects())
    client = _client(identity)
    failures = []
    for case in DECLARATIONS:
        url = case.url(objects)
        for method in METHODS:
            expected = case.expected(identity, method)
            send = getattr(client, method)
            response = send(url, case.data or {}) if method == "post" else send(url)
            if not _matches(response, expected):
                where = f" -> {response.url}" if response.status_code == 302 else ""
                failures.append(
                    f"{method.upper()} {url} ({case.name}): got {response.status_code}{where}, "
                    f"want {expected}"
                )
            if case.name in ENDS_SESSION and method == "post" and identity != ANON:
                client = _client(identity)
    assert not failures, f"{identity}:\n" + "\n".join(failures)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [(FRONT_DESK, False), (PHYSICIAN, False), (CLINIC_ADMIN, False), ("superuser", True)],
)
def test_admin_site_is_for_superusers_only(role, allowed):
    """Clinic admins manage staff in the app's pages (staff:list); /admin/ is for superusers."""
    if role == "superuser":
        client = login_client(User.objects.create_superuser("root", "root@example.com", "pw"))
    else:
        client = _client(role)
    response = client.get(reverse("admin:auth_user_changelist"))
    if allowed:
        assert response.status_code == 200
    else:
        assert response.status_code == 302 and "/admin/login/" in response.url
