"""The two-factor step: where it sends the user afterwards, the session it leaves, and what it
takes to set up or replace a device (issue 12, findings 1 and 7)."""

from binascii import unhexlify
from urllib.parse import urlencode

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.roles import CLINIC_ADMIN, FRONT_DESK, PHYSICIAN
from core.twofactor import PENDING_KEY, needs_second_factor
from demo.management.commands.demo_totp import current_code, give_demo_device
from tests.factories import PASSWORD, UserFactory, login_client

pytestmark = pytest.mark.django_db

SETUP = "two-factor-setup"
VERIFY = "two-factor-verify"


def _password_only(user) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _pending_code(client) -> str:
    key = unhexlify(client.session[PENDING_KEY])
    return f"{totp(key):06d}"


def _fresh_code(device: TOTPDevice) -> str:
    """A code the device will accept now (the same code is never accepted twice)."""
    device.refresh_from_db()
    device.last_t = -1
    device.throttle_reset(commit=False)
    device.save()
    return current_code(device)


@pytest.fixture
def doctor():
    return UserFactory(username="drnext", role=PHYSICIAN)


# Finding 1: the `next` after the two-factor step ------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "//evil.example",
        "javascript:alert(1)",
        "/\\evil.example",
        "http://testserver/patients/",
        " https://evil.example/",
    ],
)
def test_two_factor_step_never_redirects_off_site(doctor, target):
    """Issue 12, finding 1: a `next` off this site (or not a URL at all) ends on the dashboard,
    after the session is verified, never at the other site and never with a 500."""
    device = give_demo_device(doctor)
    client = _password_only(doctor)
    url = f"{reverse(VERIFY)}?{urlencode({'next': target})}"
    assert client.get(url).status_code == 200
    response = client.post(url, {"token": current_code(device)})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200


def test_two_factor_step_follows_a_local_next(doctor):
    """Issue 12, finding 1: the good case still works: a path on this site is followed."""
    device = give_demo_device(doctor)
    client = _password_only(doctor)
    target = reverse("intake:patient-list") + "?page=2"
    url = f"{reverse(VERIFY)}?{urlencode({'next': target})}"
    response = client.post(url, {"token": current_code(device)})
    assert response.status_code == 302 and response["Location"] == target


def test_setup_step_never_redirects_off_site(doctor):
    """Issue 12, finding 1: the set-up page checks its `next` the same way."""
    client = _password_only(doctor)
    url = f"{reverse(SETUP)}?{urlencode({'next': '//evil.example'})}"
    client.get(url)
    response = client.post(url, {"password": PASSWORD, "token": _pending_code(client)})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")


def test_the_page_asked_for_rides_through_the_two_factor_step(doctor):
    """Issue 12, finding 1: where the middleware sends an unverified user keeps the page asked
    for as a `next`; the dashboard, where the step ends anyway, is left out (the browser
    journeys wait for the bare two-factor URL)."""
    give_demo_device(doctor)
    asked = reverse("intake:patient-detail", args=[7])
    assert needs_second_factor(doctor, next_path=asked) == (
        f"{reverse(VERIFY)}?{urlencode({'next': asked})}"
    )
    assert needs_second_factor(doctor, next_path=reverse("dashboard")) == reverse(VERIFY)
    assert needs_second_factor(doctor) == reverse(VERIFY)
    desk = UserFactory(role=FRONT_DESK)
    assert needs_second_factor(desk, next_path=asked) is None


def test_login_to_a_page_ends_on_that_page_after_the_code(doctor):
    """Issue 12, finding 1: follow a link to a page, log in, give the code, and land on that
    page (the middleware hands it to the two-factor step as a `next`, checked by safe_next)."""
    device = give_demo_device(doctor)
    client = _password_only(doctor)
    asked = reverse("intake:patient-list") + "?page=2"
    sent = client.get(asked)
    assert sent["Location"] == f"{reverse(VERIFY)}?{urlencode({'next': asked})}"
    response = client.post(sent["Location"], {"token": current_code(device)})
    assert response["Location"] == asked


# Finding 7: the session, and setting up or replacing a device ----------------------------


def test_session_id_changes_at_the_two_factor_step(doctor):
    """Issue 12, finding 7: the session id known before the code is worth nothing after it;
    the user stays logged in and verified under the new one."""
    device = give_demo_device(doctor)
    client = _password_only(doctor)
    before = client.session.session_key
    response = client.post(reverse(VERIFY), {"token": current_code(device)})
    assert response.status_code == 302
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert client.get(reverse("dashboard")).status_code == 200
    stale = Client()
    stale.cookies[settings.SESSION_COOKIE_NAME] = before
    assert stale.get(reverse("dashboard")).status_code == 302


def test_a_wrong_code_keeps_the_session_unverified(doctor):
    """Issue 12, finding 7: no rotation, no verification, for a wrong code."""
    give_demo_device(doctor)
    client = _password_only(doctor)
    before = client.session.session_key
    response = client.post(reverse(VERIFY), {"token": "000000"})
    assert response.status_code == 200 and "not right" in response.content.decode()
    assert client.session.session_key == before
    assert client.get(reverse("dashboard"))["Location"] == reverse(VERIFY)


def test_viewing_the_setup_page_writes_no_device(doctor):
    """Issue 12, finding 7: a GET (or a refused POST) of the set-up page creates no device
    row; the new key waits in the session and stays the same between visits."""
    client = _password_only(doctor)
    first = client.get(reverse(SETUP))
    assert first.status_code == 200 and "<svg" in first.content.decode()
    key = client.session[PENDING_KEY]
    assert client.get(reverse(SETUP)).status_code == 200
    assert client.session[PENDING_KEY] == key
    assert not TOTPDevice.objects.exists()
    wrong = client.post(reverse(SETUP), {"password": PASSWORD, "token": "000000"})
    assert wrong.status_code == 200 and "not right" in wrong.content.decode()
    assert not TOTPDevice.objects.exists()


def test_setup_needs_the_password_again(doctor):
    """Issue 12, finding 7: a right code is not enough without the password."""
    client = _password_only(doctor)
    client.get(reverse(SETUP))
    refused = client.post(
        reverse(SETUP), {"password": "not-the-password", "token": _pending_code(client)}
    )
    assert refused.status_code == 200
    assert "not your password" in refused.content.decode()
    assert not TOTPDevice.objects.exists()
    assert client.get(reverse("dashboard"))["Location"] == reverse(SETUP)


def test_setup_with_password_and_code_turns_two_factor_on(doctor):
    """Issue 12, finding 7: the whole set-up: one confirmed device holding the key shown, the
    session verified under a new id, and the next login asks for a code."""
    client = _password_only(doctor)
    client.get(reverse(SETUP))
    key = client.session[PENDING_KEY]
    before = client.session.session_key
    code = _pending_code(client)
    response = client.post(reverse(SETUP), {"password": PASSWORD, "token": code})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    device = TOTPDevice.objects.get(user=doctor)
    assert device.confirmed and device.key == key
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != before
    assert PENDING_KEY not in client.session
    assert client.get(reverse("dashboard")).status_code == 200
    # The code that turned it on does not also pass the next check.
    client.post(reverse("logout"))
    client = _password_only(doctor)
    assert client.post(reverse(VERIFY), {"token": code}).status_code == 200
    assert client.post(reverse(VERIFY), {"token": _fresh_code(device)}).status_code == 302


def test_replacing_a_device_needs_a_current_code(doctor):
    """Issue 12, finding 7: a verified user moving the second factor to a new app gives the
    password and a code from the app they use now; without it the old device stays."""
    client = login_client(doctor)
    old = TOTPDevice.objects.get(user=doctor)
    page = client.get(reverse(SETUP))
    assert page.status_code == 200 and "current_token" in page.content.decode()
    new_code = _pending_code(client)
    for current in ("", "000000", "12345x"):
        refused = client.post(
            reverse(SETUP),
            {"password": PASSWORD, "current_token": current, "token": new_code},
        )
        assert refused.status_code == 200
        assert list(TOTPDevice.objects.filter(user=doctor)) == [old]
    wrong_password = client.post(
        reverse(SETUP),
        {"password": "nope-nope-nope", "current_token": _fresh_code(old), "token": new_code},
    )
    assert wrong_password.status_code == 200
    assert list(TOTPDevice.objects.filter(user=doctor)) == [old]
    key = client.session[PENDING_KEY]
    accepted = client.post(
        reverse(SETUP),
        {"password": PASSWORD, "current_token": _fresh_code(old), "token": new_code},
    )
    assert accepted.status_code == 302
    device = TOTPDevice.objects.get(user=doctor)
    assert device.pk != old.pk and device.key == key and device.confirmed


def test_an_unverified_session_cannot_reach_setup_when_a_device_exists(doctor):
    """Issue 12, finding 7: password only, with a device: the set-up page sends to the code."""
    give_demo_device(doctor)
    client = _password_only(doctor)
    assert client.get(reverse(SETUP))["Location"] == reverse(VERIFY)
    response = client.post(reverse(SETUP), {"password": PASSWORD, "token": "123456"})
    assert response["Location"] == reverse(VERIFY)
    assert TOTPDevice.objects.filter(user=doctor).count() == 1


def test_wrong_passwords_on_setup_count_towards_the_lockout():
    """Issue 12, finding 7: the set-up page is no way around the login's lockout."""
    user = UserFactory(username="guesser", role=CLINIC_ADMIN, is_staff=True)
    client = _password_only(user)
    client.get(reverse(SETUP))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(reverse(SETUP), {"password": "wrong-guess!", "token": "123456"})
        assert response.status_code == 200
    locked = client.post(reverse(SETUP), {"password": "wrong-guess!", "token": "123456"})
    assert locked.status_code == 429
    assert AccessAttempt.objects.filter(username="guesser").exists()
    assert not TOTPDevice.objects.exists()


def test_demo_login_with_a_totp_code_still_works():
    """Issue 12, finding 7: the demo flow the browser journeys use: a confirmed demo device,
    the password, then the code from `demo_totp`."""
    user = UserFactory(username="demo-doc", role=PHYSICIAN)
    device = give_demo_device(user)
    client = _password_only(user)
    assert client.get(reverse("dashboard"))["Location"] == reverse(VERIFY)
    response = client.post(reverse(VERIFY), {"token": current_code(device)})
    assert response["Location"] == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200
