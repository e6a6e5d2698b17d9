"""staff.services: each action does what it says, refuses what it must (a superuser's account,
one's own, anything but the three roles), and leaves an audit entry naming who did it to whom."""

import re
from smtplib import SMTPException

import pytest
from auditlog.models import LogEntry
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.roles import CLINIC_ADMIN, FRONT_DESK, PHYSICIAN
from staff import services
from tests.factories import PASSWORD, UserFactory, login_client
from tests.staff.factories import invited_account, locked_out

pytestmark = pytest.mark.django_db

User = get_user_model()
BASE_URL = "https://clinic.example/"
NEW_PASSWORD = "a-long-new-passphrase-42"


@pytest.fixture
def boss():
    return UserFactory(username="boss", first_name="Bo", last_name="Boss", role=CLINIC_ADMIN)


def _invite(boss, **overrides):
    fields = {
        "first_name": "Kim",
        "last_name": "Lee",
        "email": "kim.lee@example.com",
        "role": FRONT_DESK,
        "base_url": BASE_URL,
    }
    fields.update(overrides)
    return services.staff_invite(by=boss, **fields)


def _entries(account, **filters):
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=account.pk, **filters
    ).order_by("pk")


def _roles(account) -> list[str]:
    return sorted(account.groups.values_list("name", flat=True))


# ---- invite ------------------------------------------------------------------------------------


def test_invite_creates_an_account_without_a_password_and_mails_a_link(boss):
    invitation = _invite(boss)
    account = invitation.user
    assert invitation.sent
    account.refresh_from_db()
    assert account.username == "kim.lee"
    assert (account.first_name, account.last_name) == ("Kim", "Lee")
    assert not account.has_usable_password()
    assert account.is_active and not account.is_staff and not account.is_superuser
    assert _roles(account) == [FRONT_DESK]
    (message,) = mail.outbox
    assert message.to == ["kim.lee@example.com"]
    assert "kim.lee" in message.body and "Bo Boss" in message.body
    assert re.search(r"https://clinic\.example/account/reset/[\w-]+/[\w-]+/", message.body)


def test_the_invitation_link_lets_the_new_account_choose_a_password_and_log_in(boss):
    account = _invite(boss).user
    link = re.search(r"https://clinic\.example(/account/reset/\S+/)", mail.outbox[0].body)[1]
    client = Client()
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert 'name="new_password1"' in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302 and done.url == reverse("password_reset_complete")
    account.refresh_from_db()
    assert account.check_password(NEW_PASSWORD)
    # The link works once.
    assert "new_password1" not in Client().get(link, follow=True).content.decode()
    login = Client().post(reverse("login"), {"username": "kim.lee", "password": NEW_PASSWORD})
    assert login.status_code == 302


def test_invite_an_admin_gives_site_access_as_the_admin_role_always_did(boss):
    account = _invite(boss, role=CLINIC_ADMIN, username="kim").user
    assert account.username == "kim"
    assert account.is_staff and not account.is_superuser
    assert _roles(account) == [CLINIC_ADMIN]


def test_derived_usernames_do_not_collide(boss):
    UserFactory(username="kim.lee", email="kim@elsewhere.example")
    account = _invite(boss).user
    assert account.username == "kim.lee2"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"username": "BOSS"}, "username"),
        ({"email": "BOSS@example.com"}, "email"),
    ],
)
def test_invite_refuses_a_username_or_email_already_taken(boss, overrides, field):
    with pytest.raises(ValidationError) as refused:
        _invite(boss, **overrides)
    assert field in refused.value.error_dict
    assert not User.objects.filter(first_name="Kim").exists()
    assert not mail.outbox


@pytest.mark.parametrize("role", ["superuser", "", "admin"])
def test_invite_gives_only_the_three_roles(boss, role):
    with pytest.raises(ValidationError) as refused:
        _invite(boss, role=role)
    assert "role" in refused.value.error_dict
    assert not User.objects.filter(first_name="Kim").exists()


def test_invite_needs_the_permission():
    with pytest.raises(PermissionDenied):
        _invite(UserFactory(role=PHYSICIAN))


def test_an_invite_the_mail_server_refuses_keeps_the_account_and_says_so(boss, monkeypatch):
    def refuse(*args, **kwargs):
        raise SMTPException("mail server down")

    monkeypatch.setattr(services, "send_mail", refuse)
    invitation = _invite(boss)
    assert not invitation.sent
    assert User.objects.filter(username="kim.lee").exists()
    assert not _entries(invitation.user, changes__icontains="invitation").exists()


def test_invite_is_audited_as_created_by_the_admin(boss):
    account = _invite(boss).user
    entries = list(_entries(account))
    assert {entry.actor for entry in entries} == {boss}
    assert entries[0].action == LogEntry.Action.CREATE
    assert any("groups" in entry.changes_dict for entry in entries)
    assert any(entry.changes_dict.get("invitation") == ["", "sent"] for entry in entries)
    for entry in entries:
        assert "password" not in entry.changes_dict


# ---- resend ------------------------------------------------------------------------------------


def test_resend_sends_a_new_link_and_the_old_one_stops_working(boss):
    account = _invite(boss).user
    first = re.search(r"https://clinic\.example(/account/reset/\S+/)", mail.outbox[0].body)[1]
    assert services.staff_invite_resend(by=boss, account=account, base_url=BASE_URL).sent
    assert len(mail.outbox) == 2
    second = re.search(r"https://clinic\.example(/account/reset/\S+/)", mail.outbox[1].body)[1]
    assert first != second
    assert "new_password1" not in Client().get(first, follow=True).content.decode()
    assert "new_password1" in Client().get(second, follow=True).content.decode()
    assert _entries(account, actor=boss, changes__icontains="invitation").count() == 2


def test_resend_refuses_an_account_with_a_password_deactivated_or_without_address(boss):
    desk = UserFactory(role=FRONT_DESK)
    with pytest.raises(ValidationError, match="already chosen a password"):
        services.staff_invite_resend(by=boss, account=desk, base_url=BASE_URL)
    invited = invited_account(is_active=False)
    with pytest.raises(ValidationError, match="Reactivate"):
        services.staff_invite_resend(by=boss, account=invited, base_url=BASE_URL)
    no_address = invited_account(email="")
    with pytest.raises(ValidationError, match="no e-mail address"):
        services.staff_invite_resend(by=boss, account=no_address, base_url=BASE_URL)
    assert not mail.outbox


# ---- roles -------------------------------------------------------------------------------------


def test_set_roles_changes_the_groups_and_keeps_others(boss):
    desk = UserFactory(role=FRONT_DESK)
    other = Group.objects.create(name="night-shift")
    desk.groups.add(other)
    services.staff_set_roles(by=boss, account=desk, roles=[PHYSICIAN, CLINIC_ADMIN])
    desk.refresh_from_db()
    assert _roles(desk) == sorted([PHYSICIAN, CLINIC_ADMIN, "night-shift"])
    assert desk.is_staff
    services.staff_set_roles(by=boss, account=desk, roles=[PHYSICIAN])
    desk.refresh_from_db()
    assert _roles(desk) == sorted([PHYSICIAN, "night-shift"])
    assert not desk.is_staff


def test_set_roles_is_audited(boss):
    desk = UserFactory(role=FRONT_DESK)
    services.staff_set_roles(by=boss, account=desk, roles=[PHYSICIAN])
    changes = [entry.changes_dict["groups"] for entry in _entries(desk, actor=boss)]
    assert {"type": "m2m", "operation": "delete", "objects": [FRONT_DESK]} in changes
    assert {"type": "m2m", "operation": "add", "objects": [PHYSICIAN]} in changes


@pytest.mark.parametrize("roles", [[], ["superuser"], [PHYSICIAN, "powerful"]])
def test_set_roles_gives_only_the_three_roles(boss, roles):
    desk = UserFactory(role=FRONT_DESK)
    Group.objects.create(name="powerful").permissions.set(Permission.objects.all())
    with pytest.raises(ValidationError) as refused:
        services.staff_set_roles(by=boss, account=desk, roles=roles)
    assert "roles" in refused.value.error_dict
    assert _roles(desk) == [FRONT_DESK]


def test_nobody_changes_their_own_roles(boss):
    with pytest.raises(ValidationError, match="your own account"):
        services.staff_set_roles(by=boss, account=boss, roles=[PHYSICIAN, CLINIC_ADMIN])
    assert _roles(boss) == [CLINIC_ADMIN]


def test_only_a_superuser_changes_a_superuser(boss):
    root = User.objects.create_superuser("root", "root@example.com", "root-password-123")
    refusals = [
        lambda: services.staff_set_roles(by=boss, account=root, roles=[FRONT_DESK]),
        lambda: services.staff_deactivate(by=boss, account=root),
        lambda: services.staff_reactivate(by=boss, account=root),
        lambda: services.staff_reset_two_factor(by=boss, account=root),
        lambda: services.staff_unlock(by=boss, account=root),
        lambda: services.staff_invite_resend(by=boss, account=root, base_url=BASE_URL),
    ]
    for refusal in refusals:
        with pytest.raises(ValidationError, match="superuser"):
            refusal()
    root.refresh_from_db()
    assert root.is_active and not root.groups.exists()
    other_root = User.objects.create_superuser("root2", "root2@example.com", "root-password-123")
    services.staff_deactivate(by=other_root, account=root)
    root.refresh_from_db()
    assert not root.is_active


def test_changes_need_the_permission():
    desk = UserFactory(role=FRONT_DESK)
    with pytest.raises(PermissionDenied):
        services.staff_deactivate(by=UserFactory(role=PHYSICIAN), account=desk)


def test_an_admin_deactivated_or_demoted_meanwhile_can_no_longer_act(boss):
    """Two admins acting on each other at once: the second to get the lock finds itself
    without the right and is refused, so the clinic is not left without an admin."""
    other_admin = UserFactory(role=CLINIC_ADMIN)
    services.staff_deactivate(by=other_admin, account=boss)
    desk = UserFactory(role=FRONT_DESK)
    with pytest.raises(PermissionDenied):
        services.staff_deactivate(by=boss, account=other_admin)  # `boss` still says active
    services.staff_reactivate(by=other_admin, account=boss)
    services.staff_set_roles(by=other_admin, account=boss, roles=[FRONT_DESK])
    with pytest.raises(PermissionDenied):
        services.staff_set_roles(by=boss, account=desk, roles=[CLINIC_ADMIN])
    other_admin.refresh_from_db()
    assert other_admin.is_active
    assert _roles(desk) == [FRONT_DESK]


# ---- deactivate / reactivate -------------------------------------------------------------------


def test_deactivate_ends_the_accounts_sessions_and_only_theirs(boss):
    desk = UserFactory(role=FRONT_DESK)
    theirs = [login_client(desk), login_client(desk)]
    colleague = login_client(UserFactory(role=FRONT_DESK))
    assert Session.objects.count() == 3
    assert services.staff_deactivate(by=boss, account=desk) == 2
    desk.refresh_from_db()
    assert not desk.is_active
    assert Session.objects.count() == 1
    for client in theirs:
        response = client.get(reverse("dashboard"))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert colleague.get(reverse("dashboard")).status_code == 200
    # A deactivated account cannot log in.
    login = Client().post(reverse("login"), {"username": desk.username, "password": PASSWORD})
    assert login.status_code == 200


def test_deactivate_and_reactivate_are_audited(boss):
    desk = UserFactory(role=FRONT_DESK)
    services.staff_deactivate(by=boss, account=desk)
    services.staff_reactivate(by=boss, account=desk)
    desk.refresh_from_db()
    assert desk.is_active
    changes = [entry.changes_dict for entry in _entries(desk, actor=boss)]
    assert changes == [{"is_active": ["True", "False"]}, {"is_active": ["False", "True"]}]


def test_nobody_deactivates_themselves(boss):
    with pytest.raises(ValidationError, match="your own account"):
        services.staff_deactivate(by=boss, account=boss)
    boss.refresh_from_db()
    assert boss.is_active


# ---- two-factor --------------------------------------------------------------------------------


def test_reset_two_factor_removes_the_devices_and_asks_for_a_new_one(boss):
    doctor = UserFactory(role=PHYSICIAN)
    client = login_client(doctor)  # verified with a device
    TOTPDevice.objects.create(user=doctor, name="old phone", confirmed=False)
    assert client.get(reverse("dashboard")).status_code == 200
    assert services.staff_reset_two_factor(by=boss, account=doctor) == 2
    assert not TOTPDevice.objects.filter(user=doctor).exists()
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and response.url.startswith(reverse("two-factor-setup"))


def test_reset_two_factor_is_audited_on_the_account_and_the_devices(boss):
    doctor = invited_account(two_factor=True)
    device = TOTPDevice.objects.get(user=doctor)
    services.staff_reset_two_factor(by=boss, account=doctor)
    assert _entries(doctor, actor=boss).get().changes_dict == {"two_factor": ["set up", "reset"]}
    deleted = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(TOTPDevice),
        object_pk=str(device.pk),
        action=LogEntry.Action.DELETE,
    )
    assert deleted.actor == boss


def test_reset_two_factor_refuses_oneself_and_an_account_without_it(boss):
    login_client(boss)  # gives boss a device
    with pytest.raises(ValidationError, match="your own account"):
        services.staff_reset_two_factor(by=boss, account=boss)
    assert TOTPDevice.objects.filter(user=boss).exists()
    with pytest.raises(ValidationError, match="no two-factor"):
        services.staff_reset_two_factor(by=boss, account=UserFactory(role=FRONT_DESK))


# ---- unlock ------------------------------------------------------------------------------------


def test_unlock_clears_the_lockout_and_the_account_logs_in(boss):
    desk = UserFactory(role=FRONT_DESK)
    locked_out(desk)
    locked_out(desk, address="198.51.100.4")
    other = UserFactory(role=FRONT_DESK)
    locked_out(other)
    client = Client(REMOTE_ADDR="203.0.113.9")
    credentials = {"username": desk.username, "password": PASSWORD}
    assert client.post(reverse("login"), credentials).status_code == 429
    assert services.staff_unlock(by=boss, account=desk) >= 2
    assert client.post(reverse("login"), credentials).status_code == 302
    assert AccessAttempt.objects.filter(username=other.username).exists()
    entry = _entries(desk, actor=boss).get()
    assert entry.changes_dict == {"login_lockout": ["failed logins recorded", "cleared"]}


def test_unlock_says_when_there_is_nothing_to_clear(boss):
    with pytest.raises(ValidationError, match="no failed logins"):
        services.staff_unlock(by=boss, account=UserFactory(role=FRONT_DESK))
