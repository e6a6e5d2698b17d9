"""Django started as production starts it, in a fresh process: debug off, a real-looking secret
key and a host name, and none of the test run's own database or mail settings."""

import os
import subprocess
import sys

from django.conf import settings

PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "x" * 20 + "-production-like-secret-key-for-the-check-0123456789",
    "DJANGO_ALLOWED_HOSTS": "clinic.example.org",
    "DJANGO_SETTINGS_MODULE": "clinic.settings",
}
# What a test run may have set that production does not (the database falls back to SQLite).
TEST_RUN_ONLY = ("DATABASE_URL", "DJANGO_EMAIL_BACKEND", "CLINIC_ALLOW_CONSOLE_EMAIL")


def run_in_production(*args: str, **env: str | None) -> subprocess.CompletedProcess:
    """`python *args` in the project's folder with production's environment, `env` on top (a
    variable given as None is left unset)."""
    environ = {name: value for name, value in os.environ.items() if name not in TEST_RUN_ONLY}
    environ |= PRODUCTION_ENV | env
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env={name: value for name, value in environ.items() if value is not None},
        capture_output=True,
        text=True,
        check=False,
    )
