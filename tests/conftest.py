import threading

import pytest
from django.core.cache import cache
from django.db import close_old_connections, connection
from django.test import Client

from core.roles import CLINIC_ADMIN, FRONT_DESK, PHYSICIAN
from tests.factories import UserFactory, login_client
from tests.scheduling.factories import make_clinic


@pytest.fixture
def front_desk_user():
    return UserFactory(username="desk", role=FRONT_DESK)


@pytest.fixture
def physician_user():
    return UserFactory(username="doc", role=PHYSICIAN)


@pytest.fixture
def admin_user():
    return UserFactory(username="boss", role=CLINIC_ADMIN, is_staff=True)


def _client_for(user) -> Client:
    return login_client(user)


@pytest.fixture
def desk_client(front_desk_user):
    return _client_for(front_desk_user)


@pytest.fixture
def physician_client(physician_user):
    return _client_for(physician_user)


@pytest.fixture
def admin_client_(admin_user):
    return _client_for(admin_user)


@pytest.fixture
def clinic(front_desk_user, physician_user):
    """Rooms, devices, session types and hours (`make_clinic`), run by the users the client
    fixtures log in as."""
    return make_clinic(desk=front_desk_user, doctor=physician_user)


@pytest.fixture(autouse=True, scope="session")
def _tasks_run_at_once():
    """Queued tasks run as they are queued, in memory: no worker in a test unless it starts
    one (tests/messaging/test_consumer.py)."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield
    HUEY.immediate = False


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path_factory):
    """Production hashing is slow on purpose and tests create many users; and the session's
    once-a-minute keep-alive write would make query counts depend on the clock. Export files
    and photos go to temporary directories."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    exports = tmp_path_factory.mktemp("exports")
    settings.EXPORTS_ROOT = exports
    photos = tmp_path_factory.mktemp("photos")
    settings.PHOTOS_ROOT = photos
    settings.BACKUP_DIR = tmp_path_factory.mktemp("backups")
    settings.STORAGES = {
        **settings.STORAGES,
        "exports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": exports, "base_url": None},
        },
        "photos": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": photos, "base_url": None},
        },
    }
    settings.SESSION_KEEPALIVE_SECONDS = 10**9
    # Rate-limit counters (password resets) live in the cache: each test starts at zero.
    cache.clear()


def _run_concurrently(fn, n: int, *, timeout: float = 30) -> tuple[list, list[BaseException]]:
    """Call `fn(0)` … `fn(n - 1)` in `n` threads released together by a barrier.

    Returns what the calls returned and the exceptions they raised, each in the order the
    threads finished. Each thread closes its own database connection when it is done.
    """
    barrier = threading.Barrier(n)
    results: list = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def call(i: int) -> None:
        try:
            barrier.wait(timeout=timeout)
            value, error = fn(i), None
        except Exception as exc:
            value, error = None, exc
        finally:
            connection.close()
            close_old_connections()
        with lock:
            if error is None:
                results.append(value)
            else:
                errors.append(error)

    threads = [threading.Thread(target=call, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=2 * timeout)
    return results, errors


@pytest.fixture
def run_concurrently():
    """The thread harness for real concurrency (PostgreSQL): `results, errors = run(fn, n)`."""
    return _run_concurrently
