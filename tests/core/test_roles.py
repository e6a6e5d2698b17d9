import pytest
from django.contrib.auth.models import Group

from core.roles import ROLE_PERMISSIONS, role_of, sync_roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_migrated_groups_hold_exactly_the_listed_permissions():
    for role, perms in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert granted == set(perms), role


def test_sync_roles_is_idempotent():
    sync_roles()
    sync_roles()
    assert Group.objects.filter(name__in=ROLE_PERMISSIONS).count() == len(ROLE_PERMISSIONS)


@pytest.mark.parametrize("role", list(ROLE_PERMISSIONS))
def test_role_of(role):
    assert role_of(UserFactory(role=role)) == role
    assert role_of(UserFactory()) is None


def test_each_role_marker_belongs_to_that_role_only():
    from core.roles import ROLE_MARKERS

    for role, perm in ROLE_MARKERS:
        holders = [r for r, perms in ROLE_PERMISSIONS.items() if perm in perms]
        assert holders == [role], perm
