"""Django's admin is for superusers only (issue 14): clinic admins manage staff in the app's own
pages (tests/staff), and /admin/ turns away everyone else, whatever their role's permissions.
Nobody deletes a user there, not even a superuser, and what a superuser changes is audited."""

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import AnonymousUser, Group, User
from django.contrib.contenttypes.models import ContentType
from django.test import RequestFactory
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.admin import superusers_only
from core.roles import CLINIC_ADMIN, FRONT_DESK, PHYSICIAN, ROLE_PERMISSIONS
from tests.factories import UserFactory, login_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def root():
    return User.objects.create_superuser("root", "root@example.com", "root-password-123")


@pytest.fixture
def root_client(root):
    return login_client(root)


def _change_url(user) -> str:
    return reverse("admin:auth_user_change", args=[user.pk])


def _admin_pages(desk, device) -> list[str]:
    group = Group.objects.get(name=CLINIC_ADMIN)
    return [
        reverse("admin:index"),
        reverse("admin:auth_user_changelist"),
        reverse("admin:auth_user_add"),
        _change_url(desk),
        reverse("admin:auth_user_password_change", args=[desk.pk]),
        reverse("admin:auth_group_change", args=[group.pk]),
        reverse("admin:otp_totp_totpdevice_change", args=[device.pk]),
        reverse("admin:auditlog_logentry_changelist"),
    ]


@pytest.mark.parametrize("role", [CLINIC_ADMIN, PHYSICIAN, FRONT_DESK])
def test_no_role_reaches_the_admin(role):
    user = UserFactory(role=role, is_staff=role == CLINIC_ADMIN)
    client = login_client(user)
    desk = UserFactory(role=FRONT_DESK)
    device = TOTPDevice.objects.create(user=desk, name="phone", confirmed=True)
    for url in _admin_pages(desk, device):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("admin:login")), url
    # Nor does a POST change anything.
    client.post(_change_url(desk), {"username": desk.username, "is_superuser": "on"})
    desk.refresh_from_db()
    assert not desk.is_superuser


def test_a_superuser_reaches_the_admin(root_client):
    desk = UserFactory(role=FRONT_DESK)
    device = TOTPDevice.objects.create(user=desk, name="phone", confirmed=True)
    for url in _admin_pages(desk, device):
        assert root_client.get(url).status_code == 200, url


def test_only_an_active_superuser_has_permission(root):
    request = RequestFactory().get("/admin/")
    for user, allowed in (
        (root, True),
        (User(username="gone", is_superuser=True, is_staff=True, is_active=False), False),
        (User(username="staff", is_staff=True), False),
        (AnonymousUser(), False),
    ):
        request.user = user
        assert superusers_only(request) is allowed, user


def test_nobody_deletes_a_user_in_the_admin_deactivating_keeps_the_audit_actor(root_client):
    desk = UserFactory(role=FRONT_DESK)
    entry = LogEntry.objects.log_create(
        desk, action=LogEntry.Action.ACCESS, actor=desk, force_log=True
    )
    delete = reverse("admin:auth_user_delete", args=[desk.pk])
    assert root_client.post(delete, {"post": "yes"}).status_code == 403
    changelist = root_client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert "delete_selected" not in changelist
    assert User.objects.filter(pk=desk.pk).exists()
    entry.refresh_from_db()
    assert entry.actor == desk


def test_clinic_admin_role_holds_no_escalating_permission():
    perms = ROLE_PERMISSIONS[CLINIC_ADMIN]
    assert "auth.delete_user" not in perms
    assert not any(p.startswith("otp_totp.") for p in perms)
    assert "auth.change_group" not in perms
    assert "auth.change_permission" not in perms


def test_a_superusers_admin_changes_are_audited(root, root_client):
    desk = UserFactory(role=FRONT_DESK)
    physician = Group.objects.get(name=PHYSICIAN)
    response = root_client.post(
        _change_url(desk),
        {
            "username": desk.username,
            "first_name": "Kim",
            "last_name": desk.last_name,
            "email": desk.email,
            "is_active": "on",
            "groups": [str(physician.pk)],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user_type = ContentType.objects.get_for_model(User)
    entries = LogEntry.objects.filter(content_type=user_type, object_pk=str(desk.pk), actor=root)
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
