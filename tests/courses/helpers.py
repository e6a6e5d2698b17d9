"""Course test data: plans written through the service, sessions written directly."""

from datetime import timedelta

from django.utils import timezone

from courses import services
from courses.models import CoursePlan
from scheduling import times
from scheduling.models import Status
from tests.scheduling.factories import MN, make_session, on_day


def plan(clinic, patient, *, type_name=MN, starts_ago=0, **fields) -> CoursePlan:
    values = {"sessions_planned": 3, "interval_days": 28, **fields}
    return services.plan_create(
        by=clinic.doctor,
        patient=patient,
        session_type=clinic.types[type_name],
        starts_on=times.today() - timedelta(days=starts_ago),
        **values,
    )


def completed(clinic, patient, *, days_ago: int, type_name=MN, hour: int = 10):
    return make_session(
        clinic,
        patient=patient,
        type_name=type_name,
        start=on_day(-days_ago, hour),
        status=Status.COMPLETED,
        charted_at=timezone.now(),
        charted_by=clinic.doctor,
    )


def booked(clinic, patient, *, days_ahead: int, type_name=MN, hour: int = 10, **fields):
    return make_session(
        clinic, patient=patient, type_name=type_name, start=on_day(days_ahead, hour), **fields
    )


def day(days_from_today: int):
    return times.today() + timedelta(days=days_from_today)
