"""The real Huey consumer, on the queue stores the app runs with: a SQLite file (the default)
and Redis (`make test-redis`, with REDIS_URL). A reminder due now is sent exactly once across
two consumer runs, a duplicated task and a worker that stops dead between sending and
recording."""

import os
import signal
import time
import uuid
from contextlib import contextmanager
from unittest import mock

import pytest
from django.core import mail
from huey.consumer import Consumer
from huey.contrib.djhuey import HUEY
from huey.storage import RedisStorage, SqliteStorage

from messaging import services, tasks
from messaging.models import Kind, Message, State
from tests.messaging.test_delivery import reachable_patient

pytestmark = pytest.mark.django_db(transaction=True)


class Crash(BaseException):
    """The worker stopping dead: nothing in the worker catches it, and its thread ends."""


@pytest.fixture(
    params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)],
)
def queue(request, tmp_path):
    """HUEY with a real store of its own, for one test."""
    if request.param == "redis":
        url = os.environ.get("REDIS_URL")
        assert url, "make test-redis sets REDIS_URL"
        storage = RedisStorage(name=f"follicle-test-{uuid.uuid4().hex}", url=url)
    else:
        storage = SqliteStorage(name="follicle-test", filename=str(tmp_path / "queue.sqlite3"))
    HUEY.immediate = False
    default = HUEY.storage
    HUEY.storage = storage
    yield storage
    storage.flush_all()
    HUEY.storage = default
    HUEY.immediate = True


@contextmanager
def consumer_run():
    """A consumer (one worker thread) until the queue is empty and its task done."""
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumer = Consumer(
        HUEY, workers=1, periodic=False, initial_delay=0.05, max_delay=0.1,
        check_worker_health=False,
    )  # fmt: skip
    consumer.start()
    try:
        yield
        deadline = time.monotonic() + 15
        while HUEY.pending_count() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert HUEY.pending_count() == 0, "the consumer did not take the task"
    finally:
        consumer.stop(graceful=True)
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


def _remind(patient) -> Message:
    message, made = services.message_queue(
        key=f"reminder:test:{patient.pk}",
        patient=patient,
        kind=Kind.REMINDER,
        subject="Your appointment tomorrow",
        body="See you tomorrow at 10:00.",
    )
    assert made
    return message


def test_a_reminder_is_sent_once_across_two_runs_and_a_duplicate(queue):
    message = _remind(reachable_patient())
    assert HUEY.pending_count() == 1
    with consumer_run():
        pass
    tasks.deliver_message(message.pk)  # the same delivery queued a second time
    with consumer_run():
        pass
    message.refresh_from_db()
    assert message.state == State.SENT
    assert len(mail.outbox) == 1


def test_a_worker_stopping_between_send_and_record_sends_nothing_twice(queue):
    message = _remind(reachable_patient())
    with mock.patch("messaging.services._record_sent", side_effect=Crash), consumer_run():
        pass
    message.refresh_from_db()
    assert message.state == State.SENDING
    assert len(mail.outbox) == 1
    # The task is queued again (a worker restarted with it, or a duplicate), a second run.
    tasks.deliver_message(message.pk)
    with consumer_run():
        pass
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.state == State.SENDING
