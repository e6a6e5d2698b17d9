"""Courses: the overdue list is the front desk's and the physicians'; planning, ending and
outcomes are the physicians'. See tests/permission_matrix.py."""

from datetime import timedelta

from django.utils import timezone

from courses import services
from scheduling import times
from scheduling.models import Status
from tests.permission_matrix import FRONT_DESK, OK, PHYSICIAN, Made, page
from tests.scheduling.factories import PRP, make_clinic, make_session, on_day, screened_patient


def make_objects() -> dict:
    clinic = make_clinic()
    patient = screened_patient(by=clinic.desk)
    session = make_session(
        clinic,
        patient=patient,
        start=on_day(-2, 10),
        status=Status.COMPLETED,
        charted_at=timezone.now(),
        charted_by=clinic.doctor,
    )
    # Due twenty days ago, nothing booked: the overdue list is not empty.
    plan = services.plan_create(
        by=clinic.doctor,
        patient=patient,
        session_type=clinic.types[PRP],
        sessions_planned=3,
        interval_days=28,
        starts_on=times.today() - timedelta(days=20),
    )
    return {"course_patient": patient.pk, "course_plan": plan.pk, "course_session": session.pk}


DESK_AND_DOC = (FRONT_DESK, PHYSICIAN)
DOC = (PHYSICIAN,)

CASES = [
    page("courses:overdue", who=DESK_AND_DOC, get=OK),
    page("courses:overdue", query={"phase": "course"}, who=DESK_AND_DOC, get=OK),
    # An empty POST is the form again, saying what is missing.
    page("courses:plan-create", Made("course_patient"), who=DOC, get=OK, post=OK),
    page("courses:plan-end", Made("course_plan"), who=DOC, get=OK, post=OK),
    page("courses:outcome-record", Made("course_session"), who=DOC, get=OK, post=OK),
]
