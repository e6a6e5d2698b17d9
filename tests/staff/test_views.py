"""The staff pages: the list (columns, filters, search, a constant number of queries), the
invitation form (errors keep what was typed), the account page's actions and refusals, and the
history an admin reads there."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.roles import CLINIC_ADMIN, FRONT_DESK, PHYSICIAN
from tests.factories import UserFactory, login_client
from tests.staff.factories import invited_account, locked_out

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def boss():
    return UserFactory(username="boss", first_name="Bo", last_name="Boss", role=CLINIC_ADMIN)


@pytest.fixture
def client(boss):
    return login_client(boss)


def _detail(account) -> str:
    return reverse("staff:detail", args=[account.pk])


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _page(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


# ---- list --------------------------------------------------------------------------------------


def test_list_shows_every_account_with_its_role_status_and_two_factor(client):
    doctor = UserFactory(first_name="Ada", last_name="Doctor", role=PHYSICIAN)
    TOTPDevice.objects.create(user=doctor, name="phone", confirmed=True)
    invited_account(first_name="Ivy", last_name="Invited", role=FRONT_DESK)
    UserFactory(first_name="Dee", last_name="Gone", role=FRONT_DESK, is_active=False)
    page = _page(client.get(reverse("staff:list")))
    assert f'href="{_detail(doctor)}"' in page
    assert doctor.email in page
    for text in ("Physician", "Front desk", "Clinic admin", "Invited", "Deactivated", "Set up"):
        assert text in page, text


@pytest.mark.parametrize(
    ("query", "found", "not_found"),
    [
        ({"role": PHYSICIAN}, "Ada", "Ivy"),
        ({"status": "invited"}, "Ivy", "Ada"),
        ({"status": "deactivated"}, "Dee", "Ada"),
        ({"status": "active"}, "Ivy", "Dee"),
        ({"q": "doctor"}, "Ada", "Ivy"),
        ({"q": "ivy inv"}, "Ivy", "Ada"),
        ({"q": "dee.gone@"}, "Dee", "Ada"),
    ],
)
def test_list_filters_by_role_status_and_search(client, query, found, not_found):
    UserFactory(first_name="Ada", last_name="Doctor", role=PHYSICIAN)
    invited_account(first_name="Ivy", last_name="Invited", role=FRONT_DESK)
    UserFactory(first_name="Dee", last_name="Gone", email="dee.gone@example.com", is_active=False)
    page = _page(client.get(reverse("staff:list"), query))
    assert found in page and not_found not in page


def test_an_invalid_filter_shows_no_rows_and_says_why(client):
    UserFactory(first_name="Ada", role=PHYSICIAN)
    page = _page(client.get(reverse("staff:list"), {"role": "superuser"}))
    assert "Ada" not in page and "Select a valid choice" in page


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("staff:list")).status_code == 200
    return len(captured.captured_queries)


def test_list_queries_do_not_grow_with_the_accounts(client):
    for _ in range(3):
        TOTPDevice.objects.create(user=UserFactory(role=PHYSICIAN), name="phone", confirmed=True)
    few = _list_queries(client)
    for role in (FRONT_DESK, PHYSICIAN, CLINIC_ADMIN) * 6:
        account = UserFactory(role=role)
        TOTPDevice.objects.create(user=account, name="phone", confirmed=True)
    invited_account()
    assert _list_queries(client) == few
    assert few <= 10  # session, user, device, permissions; count, page, role groups


# ---- invite ------------------------------------------------------------------------------------


def test_invite_from_the_form(client, boss):
    response = client.post(
        reverse("staff:invite"),
        {
            "first_name": "Kim",
            "last_name": "Lee",
            "email": "kim.lee@example.com",
            "username": "",
            "role": PHYSICIAN,
        },
    )
    account = User.objects.get(username="kim.lee")
    assert response.status_code == 302 and response.url == _detail(account)
    assert "on its way to kim.lee@example.com" in " ".join(_messages(response))
    (message,) = mail.outbox
    assert message.to == ["kim.lee@example.com"]
    assert re.search(r"http://testserver/account/reset/[\w-]+/[\w-]+/", message.body)
    assert account.groups.get().name == PHYSICIAN


def test_a_duplicate_email_is_refused_on_the_form_and_what_was_typed_is_kept(client, boss):
    form = {
        "first_name": "Kimberley",
        "last_name": "Lee-Harrington",
        "email": "BOSS@example.com",
        "username": "klh",
        "role": FRONT_DESK,
    }
    page = _page(client.post(reverse("staff:invite"), form))
    assert "There is a problem" in page
    assert "already has this e-mail address" in page
    assert 'href="#id_email"' in page
    for value in ("Kimberley", "Lee-Harrington", "BOSS@example.com", "klh"):
        assert f'value="{value}"' in page
    assert re.search(r'value="front_desk"[^>]* checked', page)
    assert not User.objects.filter(username="klh").exists()
    assert not mail.outbox


def test_a_duplicate_username_and_a_bad_username_are_refused(client, boss):
    form = {"first_name": "K", "last_name": "L", "email": "k@example.com", "role": FRONT_DESK}
    page = _page(client.post(reverse("staff:invite"), {**form, "username": "Boss"}))
    assert "This username is taken" in page
    page = _page(client.post(reverse("staff:invite"), {**form, "username": "has space"}))
    assert "Enter a valid username" in page
    assert not User.objects.filter(email="k@example.com").exists()


def test_invite_offers_only_the_three_roles(client):
    page = _page(client.get(reverse("staff:invite")))
    assert page.count('name="role"') == 3
    assert "superuser" not in page.lower()
    refused = _page(
        client.post(
            reverse("staff:invite"),
            {"first_name": "K", "last_name": "L", "email": "k@example.com", "role": "superuser"},
        )
    )
    assert "Select a valid choice" in refused


# ---- account page ------------------------------------------------------------------------------


def test_account_page_offers_the_actions_that_apply(client):
    account = invited_account(first_name="Robin", two_factor=True)
    locked_out(account)
    page = _page(client.get(_detail(account)))
    for url in ("roles", "deactivate", "two-factor-reset", "invite-resend", "unlock"):
        assert reverse(f"staff:{url}", args=[account.pk]) in page, url
    assert "locked out" in page
    assert reverse("staff:reactivate", args=[account.pk]) not in page


def test_own_account_page_leaves_out_what_one_may_not_do_to_oneself(client, boss):
    page = _page(client.get(_detail(boss)))
    assert "This is your own account" in page
    for url in ("roles", "deactivate", "two-factor-reset"):
        assert reverse(f"staff:{url}", args=[boss.pk]) not in page, url


def test_a_superusers_account_is_read_only_to_a_clinic_admin(client):
    root = User.objects.create_superuser("root", "root@example.com", "root-password-123")
    page = _page(client.get(_detail(root)))
    assert "only a superuser can change it" in page
    assert "<form" not in page.split("<main", 1)[1].split("History", 1)[0]
    response = client.post(reverse("staff:deactivate", args=[root.pk]))
    assert "Only a superuser" in _page(response)
    root.refresh_from_db()
    assert root.is_active


def test_change_roles(client, boss):
    desk = UserFactory(role=FRONT_DESK)
    response = client.post(reverse("staff:roles", args=[desk.pk]), {"roles": [PHYSICIAN]})
    assert response.status_code == 302 and response.url == _detail(desk)
    assert list(desk.groups.values_list("name", flat=True)) == [PHYSICIAN]
    page = _page(client.get(_detail(desk)))
    assert "Roles added: Physician" in page and "Roles removed: Front desk" in page
    assert "Bo Boss" in page


def test_change_roles_refusals_are_shown_on_the_form(client, boss):
    page = _page(client.post(reverse("staff:roles", args=[boss.pk]), {"roles": [PHYSICIAN]}))
    assert "You cannot change the roles of your own account" in page
    assert list(boss.groups.values_list("name", flat=True)) == [CLINIC_ADMIN]
    desk = UserFactory(role=FRONT_DESK)
    page = _page(client.post(reverse("staff:roles", args=[desk.pk]), {}))
    assert "Choose at least one role" in page
    page = _page(client.post(reverse("staff:roles", args=[desk.pk]), {"roles": ["powerful"]}))
    assert "Select a valid choice" in page
    assert list(desk.groups.values_list("name", flat=True)) == [FRONT_DESK]


def test_deactivate_asks_first_then_logs_the_account_out(client):
    desk = UserFactory(first_name="Dana", last_name="Desk", role=FRONT_DESK)
    desk_client = login_client(desk)
    url = reverse("staff:deactivate", args=[desk.pk])
    page = _page(client.get(url))
    assert "Deactivate Dana Desk?" in page and "logged out everywhere" in page
    desk.refresh_from_db()
    assert desk.is_active  # asking changed nothing
    response = client.post(url)
    assert response.status_code == 302 and response.url == _detail(desk)
    assert _messages(response) == ["Dana Desk is deactivated. 1 open session ended."]
    desk.refresh_from_db()
    assert not desk.is_active
    assert desk_client.get(reverse("dashboard")).url.startswith(reverse("login"))
    page = _page(client.get(_detail(desk)))
    assert "Deactivated" in page and "Active: yes → no" in page
    assert reverse("staff:reactivate", args=[desk.pk]) in page

    response = client.post(reverse("staff:reactivate", args=[desk.pk]))
    assert response.status_code == 302
    desk.refresh_from_db()
    assert desk.is_active


def test_nobody_deactivates_themselves_here(client, boss):
    page = _page(client.post(reverse("staff:deactivate", args=[boss.pk])))
    assert "You cannot deactivate your own account" in page
    boss.refresh_from_db()
    assert boss.is_active


def test_reset_two_factor_asks_first_then_removes_the_devices(client, boss):
    doctor = invited_account(first_name="Ada", two_factor=True)
    url = reverse("staff:two-factor-reset", args=[doctor.pk])
    assert "set it up again" in _page(client.get(url))
    assert TOTPDevice.objects.filter(user=doctor).exists()
    response = client.post(url)
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=doctor).exists()
    assert "Two-factor: set up → reset" in _page(client.get(_detail(doctor)))
    # Nothing left to reset: the refusal is on the page.
    assert "no two-factor authentication" in _page(client.post(url))
    # Nor one's own.
    own = _page(client.post(reverse("staff:two-factor-reset", args=[boss.pk])))
    assert "your own account" in own
    assert TOTPDevice.objects.filter(user=boss).exists()


def test_resend_invitation(client):
    account = invited_account(first_name="Robin")
    response = client.post(reverse("staff:invite-resend", args=[account.pk]))
    assert response.status_code == 302 and response.url == _detail(account)
    assert "Invitation sent again." in " ".join(_messages(response))
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [account.email]
    # Someone who has chosen a password is told to use the password reset instead.
    desk = UserFactory(role=FRONT_DESK)
    refused = client.post(reverse("staff:invite-resend", args=[desk.pk]))
    assert refused.status_code == 302
    assert "already chosen a password" in " ".join(_messages(refused))
    assert len(mail.outbox) == 1


def test_unlock(client):
    account = UserFactory(role=FRONT_DESK)
    locked_out(account)
    response = client.post(reverse("staff:unlock", args=[account.pk]))
    assert response.status_code == 302
    assert "can log in again" in " ".join(_messages(response))
    page = _page(client.get(_detail(account)))
    assert "locked out" not in page and "Failed logins: failed logins recorded → cleared" in page


def test_a_missing_account_is_404(client):
    assert client.get(reverse("staff:detail", args=[999999])).status_code == 404
    assert client.post(reverse("staff:deactivate", args=[999999])).status_code == 404
