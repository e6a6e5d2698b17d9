"""The courses pages that show a patient's data, for tests/core/test_access_log.py."""

from datetime import timedelta

from django.urls import reverse

from core.roles import FRONT_DESK, PHYSICIAN
from courses import services
from scheduling import times
from tests.core.test_access_log import Page, _rev
from tests.scheduling.factories import PRP
from treatments.models import SessionType


def _plan(w, *, days_ago: int = 10):
    """A PRP course for the world's patient (whose sessions are microneedling), due
    `days_ago` days ago with nothing booked."""
    return services.plan_create(
        by=w.doctor,
        patient=w.patient,
        session_type=SessionType.objects.get(name=PRP),
        sessions_planned=3,
        interval_days=28,
        starts_on=times.today() - timedelta(days=days_ago),
    )


def _overdue_url(w) -> str:
    _plan(w)
    return reverse("courses:overdue")


def _end_url(w) -> str:
    return reverse("courses:plan-end", args=[_plan(w).pk])


PATIENT_PAGES = {
    # The list names each patient overdue: one entry per row.
    "courses:overdue": Page(FRONT_DESK, _overdue_url, lambda w: [w.patient], every_row=True),
    "courses:plan-create": Page(
        PHYSICIAN, _rev("courses:plan-create", lambda w: w.patient), lambda w: [w.patient]
    ),
    "courses:plan-end": Page(PHYSICIAN, _end_url, lambda w: [w.patient]),
    # The outcome form names the session's patient.
    "courses:outcome-record": Page(
        PHYSICIAN, _rev("courses:outcome-record", lambda w: w.session), lambda w: [w.session]
    ),
}

NO_PATIENT_DATA: dict[str, str] = {}
