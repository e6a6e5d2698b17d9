"""Staff administration without escalation (issue 12, finding 2): a clinic admin manages staff in
the Django admin but cannot make anyone a superuser, grant raw permissions, join a group outside
the roles, edit a superuser, delete a user, or reach second-factor devices; every change to a
staff account, its groups and its devices is in the audit log."""

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.roles import CLINIC_ADMIN, FRONT_DESK, PHYSICIAN, ROLE_PERMISSIONS
from tests.factories import UserFactory, login_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss():
    return UserFactory(username="boss", role=CLINIC_ADMIN, is_staff=True)


@pytest.fixture
def boss_client(boss):
    return login_client(boss)


def _change_url(user) -> str:
    return reverse("admin:auth_user_change", args=[user.pk])


def _form(user, **overrides) -> dict:
    """What the admin's change form posts for `user`, with `overrides`."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on" if user.is_active else "",
        "groups": [str(pk) for pk in user.groups.values_list("pk", flat=True)],
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value not in ("", None)}


def _escalation() -> dict:
    everything = Permission.objects.values_list("pk", flat=True)
    return {
        "is_superuser": "on",
        "is_staff": "on",
        "user_permissions": [str(pk) for pk in everything],
    }


def test_clinic_admin_cannot_make_themselves_superuser(boss, boss_client):
    page = boss_client.get(_change_url(boss)).content.decode()
    assert 'name="is_superuser"' not in page
    assert 'name="user_permissions"' not in page
    physician = Group.objects.get(name=PHYSICIAN)
    boss_client.post(_change_url(boss), _form(boss, groups=[str(physician.pk)], **_escalation()))
    boss.refresh_from_db()
    assert not boss.is_superuser
    assert not boss.user_permissions.exists()
    # Own roles are read-only: no promoting oneself to physician either.
    assert list(boss.groups.values_list("name", flat=True)) == [CLINIC_ADMIN]
    assert not boss.has_perm("intake.view_patient")


def test_clinic_admin_manages_a_colleague_within_the_roles(boss_client):
    desk = UserFactory(role=FRONT_DESK)
    physician = Group.objects.get(name=PHYSICIAN)
    response = boss_client.post(
        _change_url(desk),
        _form(desk, first_name="Renamed", groups=[str(physician.pk)], **_escalation()),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    desk.refresh_from_db()
    assert desk.first_name == "Renamed"
    assert list(desk.groups.values_list("name", flat=True)) == [PHYSICIAN]
    assert not desk.is_superuser and not desk.is_staff
    assert not desk.user_permissions.exists()


def test_only_role_groups_are_offered(boss_client):
    desk = UserFactory(role=FRONT_DESK)
    other = Group.objects.create(name="powerful")
    other.permissions.set(Permission.objects.all())
    page = boss_client.get(_change_url(desk)).content.decode()
    assert "powerful" not in page
    response = boss_client.post(_change_url(desk), _form(desk, groups=[str(other.pk)]))
    assert response.status_code == 200  # the form refuses the choice
    assert not desk.groups.filter(name="powerful").exists()


def test_staff_access_follows_the_admin_role(boss_client):
    desk = UserFactory(role=FRONT_DESK)
    admin_group = Group.objects.get(name=CLINIC_ADMIN)
    boss_client.post(_change_url(desk), _form(desk, groups=[str(admin_group.pk)]))
    desk.refresh_from_db()
    assert desk.is_staff
    boss_client.post(_change_url(desk), _form(desk, groups=[]))
    desk.refresh_from_db()
    assert not desk.is_staff


def test_clinic_admin_cannot_edit_a_superuser(boss_client):
    root = User.objects.create_superuser("root", "root@example.com", "root-password-123")
    page = boss_client.get(_change_url(root))
    assert page.status_code == 200 and 'name="username"' not in page.content.decode()
    assert boss_client.post(_change_url(root), _form(root, is_active="")).status_code == 403
    password = reverse("admin:auth_user_password_change", args=[root.pk])
    assert boss_client.get(password).status_code == 403
    root.refresh_from_db()
    assert root.is_active


def test_nobody_deletes_a_user_in_the_admin_deactivating_keeps_the_audit_actor(boss_client):
    desk = UserFactory(role=FRONT_DESK)
    entry = LogEntry.objects.log_create(
        desk, action=LogEntry.Action.ACCESS, actor=desk, force_log=True
    )
    delete = reverse("admin:auth_user_delete", args=[desk.pk])
    assert boss_client.post(delete, {"post": "yes"}).status_code == 403
    changelist = boss_client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert "delete_selected" not in changelist
    boss_client.post(_change_url(desk), _form(desk, is_active=""))
    desk.refresh_from_db()
    assert not desk.is_active
    entry.refresh_from_db()
    assert entry.actor == desk

    root = User.objects.create_superuser("root", "root@example.com", "root-password-123")
    root_client = login_client(root)
    assert root_client.post(delete, {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=desk.pk).exists()


def test_clinic_admin_cannot_reach_second_factor_devices_or_group_permissions(boss_client):
    other = UserFactory(role=PHYSICIAN)
    device = TOTPDevice.objects.create(user=other, name="phone", confirmed=True)
    for url in (
        reverse("admin:otp_totp_totpdevice_changelist"),
        reverse("admin:otp_totp_totpdevice_change", args=[device.pk]),
    ):
        assert boss_client.get(url).status_code == 403, url
    group = Group.objects.get(name=CLINIC_ADMIN)
    change = reverse("admin:auth_group_change", args=[group.pk])
    everything = [str(pk) for pk in Permission.objects.values_list("pk", flat=True)]
    assert (
        boss_client.post(change, {"name": group.name, "permissions": everything}).status_code == 403
    )
    assert group.permissions.count() < len(everything)


def test_clinic_admin_role_cannot_delete_users():
    assert "auth.delete_user" not in ROLE_PERMISSIONS[CLINIC_ADMIN]
    assert not any(p.startswith("otp_totp.") for p in ROLE_PERMISSIONS[CLINIC_ADMIN])
    assert "auth.change_group" not in ROLE_PERMISSIONS[CLINIC_ADMIN]
    assert "auth.change_permission" not in ROLE_PERMISSIONS[CLINIC_ADMIN]


def test_staff_accounts_groups_and_devices_are_audited(boss, boss_client):
    desk = UserFactory(role=FRONT_DESK)
    user_type = ContentType.objects.get_for_model(User)
    physician = Group.objects.get(name=PHYSICIAN)
    boss_client.post(_change_url(desk), _form(desk, first_name="Kim", groups=[str(physician.pk)]))
    entries = LogEntry.objects.filter(content_type=user_type, object_pk=str(desk.pk), actor=boss)
    changes = [entry.changes_dict for entry in entries]
    assert any("first_name" in change for change in changes), changes
    assert any("groups" in change for change in changes), changes
    for change in LogEntry.objects.filter(content_type=user_type).values_list("changes", flat=True):
        assert "password" not in (change or "")

    device = TOTPDevice.objects.create(user=desk, name="phone", confirmed=False)
    device_entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(TOTPDevice), object_pk=str(device.pk)
    )
    assert device_entries.count() == 1
    assert device.key not in (device_entries.get().changes or "")
