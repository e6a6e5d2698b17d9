from tests.permission_matrix import FRONT_DESK, OK, PHYSICIAN, REDIRECT, Made, page
from tests.scheduling.factories import make_clinic, make_session, on_day, screened_patient


def make_objects() -> dict:
    clinic = make_clinic()
    patient = screened_patient(by=clinic.desk)
    session = make_session(clinic, patient=patient, start=on_day(3, 10))
    # A second session that needs attention, so its list is not empty.
    make_session(
        clinic, patient=patient, start=on_day(4, 10), blocked_reason="Microneedling: not eligible."
    )
    return {"session": session.pk, "sched_patient": patient.pk, "day": on_day(3, 10).date()}


DESK_AND_DOC = (FRONT_DESK, PHYSICIAN)
DESK = (FRONT_DESK,)
DOC = (PHYSICIAN,)
SESSION = Made("session")
PATIENT = Made("sched_patient")

CASES = [
    page("scheduling:today", who=DESK_AND_DOC, get=OK),
    page("scheduling:day", Made("day"), who=DESK_AND_DOC, get=OK),
    page("scheduling:day", Made("day"), query={"by": "provider"}, who=DESK_AND_DOC, get=OK),
    page("scheduling:free-slots", who=DESK_AND_DOC, get=OK),
    page("scheduling:attention", who=DESK_AND_DOC, get=OK),
    page("scheduling:session-book", query={"patient": PATIENT}, who=DESK_AND_DOC, get=OK, post=OK),
    page("scheduling:session-detail", SESSION, who=DESK_AND_DOC, get=OK),
    page("scheduling:session-reschedule", SESSION, who=DESK_AND_DOC, get=OK, post=OK),
    page("scheduling:session-cancel", SESSION, who=DESK, get=OK, post=OK),
    page("scheduling:session-check-in", SESSION, who=DESK, get=OK, post=OK),
    page("scheduling:session-no-show", SESSION, who=DESK, post=REDIRECT),
    page("scheduling:session-start", SESSION, who=DOC, post=REDIRECT),
    page("scheduling:session-treatment", SESSION, who=DOC, get=OK, post=OK),
    page("scheduling:session-complete", SESSION, who=DOC, post=REDIRECT),
    # A booked session's addendum form opens; the service refuses it until the session is
    # completed (tests/scheduling/test_addenda.py).
    page("scheduling:session-addendum", SESSION, who=DOC, get=OK, post=OK),
    page("scheduling:session-post-care", SESSION, who=DESK_AND_DOC, get=OK),
    page("scheduling:consent-create", PATIENT, "prp", who=DESK_AND_DOC, get=OK, post=OK),
]
