"""The queue's tasks. Each does its work through messaging.services, which records every
outcome in the database; the tasks only decide when to try again."""

from django.db import connections
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, on_shutdown

from messaging import services

# Tries after the first: 1, 2, 4, 8 minutes apart.
RETRIES = services.MAX_ATTEMPTS - 1


@db_task(retries=RETRIES, retry_delay=60, retry_backoff=2)
def deliver_message(pk: int) -> str:
    return services.message_deliver(pk)


@db_periodic_task(crontab(minute="*/5"))
def mark_interrupted_messages() -> int:
    return services.messages_interrupted()


@db_periodic_task(crontab(minute="*/15"))
def queue_reminders() -> int:
    return services.reminders_queue()


@db_periodic_task(crontab(minute="*/15"))
def queue_post_care() -> int:
    return services.post_care_queue()


@db_periodic_task(crontab(minute=5, hour="*/1"))
def queue_rescreen_due() -> int:
    return services.rescreen_due_queue()


@on_shutdown()
def close_database_connections() -> None:
    """A worker thread that stops closes its database connections (kept between tasks, as
    the web workers keep theirs), rather than leaving them to the garbage collector."""
    connections.close_all()
