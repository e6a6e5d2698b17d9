"""Every URL, every role: the expected answer is written down, and a new URL without an
expectation fails this test (deny by default has to be checked, not hoped for)."""

import pytest
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from clinic.roles import CLINIC_ADMIN, FRONT_DESK, PHYSICIAN
from tests.factories import IntakeFactory, UserFactory

pytestmark = pytest.mark.django_db

ANON = "anonymous"
ROLES = (ANON, FRONT_DESK, PHYSICIAN, CLINIC_ADMIN)

OK, LOGIN, DENIED, REDIRECT = 200, "login", 403, 302


def expect(anon, desk, doc, admin):
    return dict(zip(ROLES, (anon, desk, doc, admin), strict=True))


# (url name, method) -> expected status per role. LOGIN means a redirect to the login page.
EXPECTATIONS = {
    ("login", "get"): expect(OK, REDIRECT, REDIRECT, REDIRECT),
    ("logout", "post"): expect(REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    ("dashboard", "get"): expect(LOGIN, OK, OK, OK),
    ("intake:patient-list", "get"): expect(LOGIN, OK, OK, DENIED),
    ("intake:patient-list", "post"): expect(LOGIN, REDIRECT, REDIRECT, DENIED),
    ("intake:patient-create", "get"): expect(LOGIN, OK, DENIED, DENIED),
    ("intake:patient-create", "post"): expect(LOGIN, OK, DENIED, DENIED),
    ("intake:patient-detail", "get"): expect(LOGIN, OK, OK, DENIED),
    ("intake:patient-update", "get"): expect(LOGIN, OK, DENIED, DENIED),
    ("intake:patient-update", "post"): expect(LOGIN, OK, DENIED, DENIED),
    ("intake:patient-archive", "get"): expect(LOGIN, OK, DENIED, DENIED),
    ("intake:patient-archive", "post"): expect(LOGIN, OK, DENIED, DENIED),
    ("intake:patient-restore", "post"): expect(LOGIN, REDIRECT, DENIED, DENIED),
    ("intake:intake-create", "get"): expect(LOGIN, OK, OK, DENIED),
    ("intake:intake-create", "post"): expect(LOGIN, OK, OK, DENIED),
    ("intake:intake-detail", "get"): expect(LOGIN, OK, OK, DENIED),
    ("intake:intake-edit", "get"): expect(LOGIN, OK, OK, DENIED),
    ("intake:intake-edit", "post"): expect(LOGIN, OK, OK, DENIED),
}

# URL names that are not this app's pages (Django admin has its own login and permissions and
# is covered by test_admin_site_is_for_admins).
NOT_APP_PAGES = {"admin"}


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
    covered = {name for name, _ in EXPECTATIONS}
    missing = _url_names(get_resolver()) - covered
    assert not missing, f"URLs without a permission expectation: {sorted(missing)}"


@pytest.fixture
def objects():
    intake = IntakeFactory()
    return {"pk": intake.patient.pk, "intake_pk": intake.pk}


def _reverse(name: str, objects: dict) -> str:
    for kwargs in ({}, {"pk": objects["pk"]}, objects):
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    raise AssertionError(f"cannot reverse {name}")


def _client(role: str) -> Client:
    client = Client()
    if role != ANON:
        client.force_login(UserFactory(role=role, is_staff=role == CLINIC_ADMIN))
    return client


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(role, objects):
    client = _client(role)
    failures = []
    for (name, method), expected_by_role in EXPECTATIONS.items():
        url = _reverse(name, objects)
        response = getattr(client, method)(url)
        expected = expected_by_role[role]
        if expected == LOGIN:
            ok = response.status_code == 302 and response.url.startswith(reverse("login"))
        else:
            ok = response.status_code == expected
        if not ok:
            failures.append(f"{method.upper()} {name}: got {response.status_code}, want {expected}")
        if role != ANON and name == "logout":
            client = _client(role)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    ("role", "allowed"), [(FRONT_DESK, False), (PHYSICIAN, False), (CLINIC_ADMIN, True)]
)
def test_admin_site_is_for_admins(role, allowed):
    client = _client(role)
    response = client.get(reverse("admin:auth_user_changelist"))
    if allowed:
        assert response.status_code == 200
    else:
        assert response.status_code == 302 and "/admin/login/" in response.url
