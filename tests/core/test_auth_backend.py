"""core.auth.PermissionBackend: the permissions ModelBackend grants, read in one query."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.auth import PermissionBackend
from core.roles import FRONT_DESK
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _fresh(user):
    return type(user).objects.get(pk=user.pk)


def test_a_users_own_and_group_permissions_are_read_in_one_query():
    user = UserFactory(role=FRONT_DESK)
    own = Permission.objects.get(content_type__app_label="auditlog", codename="view_logentry")
    user.user_permissions.add(own)
    fresh = _fresh(user)
    with CaptureQueriesContext(connection) as queries:
        perms = PermissionBackend().get_all_permissions(fresh)
    assert len(queries) == 1
    assert perms == ModelBackend().get_all_permissions(_fresh(user))
    assert "auditlog.view_logentry" in perms and "intake.add_patient" in perms


def test_superusers_have_every_permission_and_inactive_users_none():
    boss = UserFactory(is_superuser=True)
    assert PermissionBackend().get_all_permissions(boss) == ModelBackend().get_all_permissions(
        _fresh(boss)
    )
    gone = UserFactory(role=FRONT_DESK, is_active=False)
    assert PermissionBackend().get_all_permissions(gone) == set()
    assert not gone.has_perm("intake.add_patient")


def test_a_role_change_shows_on_the_next_request():
    user = UserFactory(role=FRONT_DESK)
    assert _fresh(user).has_perm("intake.add_patient")
    user.groups.clear()
    assert not _fresh(user).has_perm("intake.add_patient")
