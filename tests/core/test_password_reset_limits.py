"""Password-reset mail in production (issue 12, finding 5): the console back-end, which prints
reset links into the server's output, is refused with debug off unless chosen on purpose; resets
are rate-limited per account and per address without telling anyone which addresses exist; no
reset link reaches a log."""

import logging
import subprocess

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from core.roles import FRONT_DESK
from tests.core.production import run_in_production
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CONSOLE = "django.core.mail.backends.console.EmailBackend"


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def _settings_in_production(**env: str) -> subprocess.CompletedProcess:
    """Production's settings read with `env`; the process prints the e-mail back-end chosen."""
    return run_in_production(
        "-c", "from django.conf import settings; print(settings.EMAIL_BACKEND)", **env
    )


def test_production_refuses_the_console_email_backend():
    result = _settings_in_production(DJANGO_EMAIL_BACKEND=CONSOLE)
    assert result.returncode != 0
    assert "CLINIC_ALLOW_CONSOLE_EMAIL" in result.stderr


def test_production_console_email_only_on_purpose():
    result = _settings_in_production(
        DJANGO_EMAIL_BACKEND=CONSOLE, CLINIC_ALLOW_CONSOLE_EMAIL="true"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == CONSOLE


def test_production_sends_mail_by_smtp_by_default():
    result = _settings_in_production()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.core.mail.backends.smtp.EmailBackend"


def _reset(email: str, address: str = "198.51.100.1"):
    return Client().post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def test_resets_are_limited_per_account(settings):
    settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT = 3
    UserFactory(username="forgetful", email="forgetful@example.com", role=FRONT_DESK)
    answers = [_reset("forgetful@example.com", f"198.51.100.{n}") for n in range(1, 6)]
    assert len(mail.outbox) == 3
    # Refused requests answer exactly like accepted ones: nothing tells the account exists.
    assert {(r.status_code, r.url) for r in answers} == {(302, reverse("password_reset_done"))}
    # Another account is not held back by this one's limit.
    UserFactory(username="other", email="other@example.com", role=FRONT_DESK)
    _reset("Other@example.com")
    assert len(mail.outbox) == 4


def test_resets_are_limited_per_address(settings):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 10
    for n in range(12):
        UserFactory(username=f"user{n}", email=f"user{n}@example.com", role=FRONT_DESK)
    answers = [_reset(f"user{n}@example.com") for n in range(12)]
    assert len(mail.outbox) == 10
    assert {r.status_code for r in answers} == {302}
    _reset("user11@example.com", address="198.51.100.99")
    assert len(mail.outbox) == 11


def test_no_reset_link_in_the_logs(caplog, settings):
    settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT = 1
    caplog.set_level(logging.DEBUG)
    UserFactory(username="forgetful", email="forgetful@example.com", role=FRONT_DESK)
    _reset("forgetful@example.com")
    _reset("forgetful@example.com")
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/account/reset/" in line)
    token_path = link[link.index("/account/reset/") :].strip()
    assert token_path not in caplog.text
    assert "/account/reset/" not in caplog.text.replace(reverse("password_reset"), "")
    assert "forgetful@example.com" not in caplog.text
