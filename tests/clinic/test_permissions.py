"""Every URL, every role: the expected answer is written down per app (permission_cases.py),
and a URL without an expectation fails this test: deny by default is checked, not hoped for."""

import importlib
import pkgutil

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests
from clinic.roles import CLINIC_ADMIN, FRONT_DESK, PHYSICIAN
from tests.factories import UserFactory, login_client
from tests.permission_matrix import ANON, LOGIN, ROLES

pytestmark = pytest.mark.django_db

# Django admin has its own login and permissions: see test_admin_site_is_for_admins.
NOT_APP_PAGES = {"admin"}


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
CASES = [case for module in MODULES for case in module.CASES]


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


def test_every_url_has_expectations():
    missing = _url_names(get_resolver()) - {case.name for case in CASES}
    assert not missing, f"URLs without a permission expectation: {sorted(missing)}"


def _client(role: str) -> Client:
    if role == ANON:
        return Client()
    return login_client(UserFactory(role=role, is_staff=role == CLINIC_ADMIN))


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(role):
    objects = {}
    for module in MODULES:
        objects.update(module.make_objects())
    client = _client(role)
    failures = []
    for case in CASES:
        url = case.url(objects)
        response = getattr(client, case.method)(url, case.data or {})
        expected = case.expected[role]
        if expected == LOGIN:
            ok = response.status_code == 302 and response.url.startswith(reverse("login"))
        else:
            ok = response.status_code == expected
        if not ok:
            failures.append(
                f"{case.method.upper()} {url} ({case.name}): got "
                f"{response.status_code}, want {expected}"
            )
        if case.name == "logout" and role != ANON:
            client = _client(role)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    ("role", "allowed"), [(FRONT_DESK, False), (PHYSICIAN, False), (CLINIC_ADMIN, True)]
)
def test_admin_site_is_for_admins(role, allowed):
    response = _client(role).get(reverse("admin:auth_user_changelist"))
    if allowed:
        assert response.status_code == 200
    else:
        assert response.status_code == 302 and "/admin/login/" in response.url
