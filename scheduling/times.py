"""The clinic's wall clock: times are stored in UTC and reasoned about in CLINIC_TIME_ZONE."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def zone() -> ZoneInfo:
    return ZoneInfo(settings.CLINIC_TIME_ZONE)


def local(moment: datetime) -> datetime:
    return timezone.localtime(moment, zone())


def today() -> date:
    return local(timezone.now()).date()


def at(day: date, clock: time) -> datetime:
    """The aware moment of a wall-clock time on a clinic day."""
    return datetime.combine(day, clock, tzinfo=zone())


def day_bounds(day: date) -> tuple[datetime, datetime]:
    return at(day, time.min), at(day + timedelta(days=1), time.min)


def slot_step() -> timedelta:
    return timedelta(minutes=settings.SCHEDULING_SLOT_MINUTES)
