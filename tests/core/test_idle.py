"""The idle timeout as the page sees it (issue 14, WCAG 2.2.1): asking how long is left does not
extend the session, "stay signed in" does, and every signed-in page carries the warning."""

import json
import time
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.idle import SAVED_AT
from core.roles import FRONT_DESK
from tests.factories import PASSWORD, UserFactory, login_client

pytestmark = pytest.mark.django_db

STATUS = reverse("session-status")
EXTEND = reverse("session-extend")


def _expiry():
    return Session.objects.get().expire_date


def _idle_for(client, seconds: int) -> None:
    """As if the session was last saved `seconds` ago, in a keep-alive period long past."""
    session = client.session
    session[SAVED_AT] = time.time() - seconds
    session["_active_period"] = 0
    session.save()
    Session.objects.update(expire_date=timezone.now() + timedelta(seconds=15 * 60 - seconds))


@pytest.fixture
def desk():
    client = login_client(UserFactory(role=FRONT_DESK))
    assert client.get(reverse("dashboard")).status_code == 200
    return client


def test_status_says_how_long_is_left_without_extending(desk, settings):
    settings.SESSION_COOKIE_AGE = 15 * 60
    # The keep-alive would save the session on any other request: the status is no activity.
    settings.SESSION_KEEPALIVE_SECONDS = 60
    _idle_for(desk, 10 * 60)
    before = _expiry()
    for _ in range(3):
        response = desk.get(STATUS)
        assert response.status_code == 200
        body = response.json()
        assert 4 * 60 <= body["remaining"] <= 5 * 60
        assert body["warning"] == 120
        assert "sessionid" not in response.cookies
    assert _expiry() == before
    # Any page, by contrast, is activity.
    desk.get(reverse("dashboard"))
    assert _expiry() > before + timedelta(minutes=9)
    assert desk.get(STATUS).json()["remaining"] > 14 * 60


def test_status_counts_activity_in_another_tab(desk, settings):
    settings.SESSION_KEEPALIVE_SECONDS = 60
    _idle_for(desk, 14 * 60)
    assert desk.get(STATUS).json()["remaining"] <= 60
    # Another tab: the same session cookie, a page opened there.
    other_tab = Client()
    other_tab.cookies = desk.cookies
    other_tab.get(reverse("intake:patient-list"))
    assert desk.get(STATUS).json()["remaining"] > 14 * 60


def test_stay_signed_in_extends_the_session(desk):
    _idle_for(desk, 14 * 60)
    before = _expiry()
    response = desk.post(EXTEND)
    assert response.status_code == 200
    assert response.json() == {"remaining": 15 * 60}
    assert _expiry() > before + timedelta(minutes=13)
    assert desk.get(STATUS).json()["remaining"] >= 15 * 60 - 2


def test_stay_signed_in_needs_the_csrf_token():
    user = UserFactory(role=FRONT_DESK)
    client = login_client(user)
    client.handler.enforce_csrf_checks = True
    page = client.get(reverse("dashboard")).content.decode()
    assert client.post(EXTEND).status_code == 403
    token = page.split('data-csrf="', 1)[1].split('"', 1)[0]
    assert client.post(EXTEND, HTTP_X_CSRFTOKEN=token).status_code == 200


def test_a_signed_out_script_is_told_401_and_cannot_extend():
    client = Client()
    response = client.get(STATUS)
    assert response.status_code == 401
    assert response.json() == {"remaining": 0}
    extend = client.post(EXTEND)
    assert extend.status_code == 302 and extend.url.startswith(reverse("login"))


def test_an_expired_session_is_reported_as_signed_out(desk):
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert desk.get(STATUS).status_code == 401


def test_status_only_answers_get(desk):
    assert desk.post(STATUS).status_code == 405
    assert desk.get(EXTEND).status_code == 405


def test_every_signed_in_page_carries_the_warning(desk, settings):
    settings.SESSION_COOKIE_AGE = 600
    html = desk.get(reverse("dashboard")).content.decode()
    assert 'data-idle-seconds="600"' in html and 'data-idle-warning="120"' in html
    assert f'data-status-url="{STATUS}"' in html and f'data-extend-url="{EXTEND}"' in html
    assert 'role="alertdialog"' in html and "Stay signed in" in html
    assert "js/idle.js" in html and "js/drafts.js" in html
    # Not on the login page: nobody is signed in there.
    login = Client().get(reverse("login")).content.decode()
    assert "session-config" not in login and "idle.js" not in login


def test_the_warning_is_never_more_than_half_the_idle_time(desk, settings):
    settings.SESSION_COOKIE_AGE = 60
    settings.SESSION_IDLE_WARNING_SECONDS = 120
    assert desk.get(STATUS).json()["warning"] == 30


def test_login_notes_when_the_session_was_saved():
    UserFactory(username="idle-desk", role=FRONT_DESK)
    client = Client()
    client.post(reverse("login"), {"username": "idle-desk", "password": PASSWORD})
    assert abs(client.session[SAVED_AT] - time.time()) < 5
    assert client.get(STATUS).json()["remaining"] >= 15 * 60 - 5


def test_status_json_carries_no_cookie_or_cache(desk):
    response = desk.get(STATUS)
    assert response["Cache-Control"] == "no-store, private"
    assert json.loads(response.content).keys() == {"remaining", "warning"}


def test_the_login_page_says_why_after_an_idle_sign_out(client):
    """The script sends an expired page to the login with `signed_out=idle`: say what happened
    and that the form is kept; any other value (or none) shows nothing."""
    page = client.get(reverse("login") + "?next=/patients/&signed_out=idle").content.decode()
    assert "signed out after 15 minutes without activity" in page
    for other in ("", "&signed_out=<b>x</b>"):
        page = client.get(reverse("login") + "?next=/patients/" + other).content.decode()
        assert "signed out after" not in page
