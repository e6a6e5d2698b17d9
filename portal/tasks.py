"""The portal's periodic work: half-filled answers do not outlive their link."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from portal import services


@db_periodic_task(crontab(minute=20, hour="*/1"))
def clear_expired_drafts() -> int:
    return services.drafts_expired_clear()
