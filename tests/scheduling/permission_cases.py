from django.urls import reverse

from tests.permission_matrix import FRONT_DESK, OK, PHYSICIAN, REDIRECT, declare
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


def _session(name):
    return lambda o: reverse(name, args=[o["session"]])


DESK_AND_DOC = (FRONT_DESK, PHYSICIAN)
DESK = (FRONT_DESK,)
DOC = (PHYSICIAN,)

CASES = [
    declare("scheduling:today", lambda o: reverse("scheduling:today"), who=DESK_AND_DOC, get=OK),
    declare(
        "scheduling:day",
        lambda o: reverse("scheduling:day", args=[o["day"]]),
        who=DESK_AND_DOC,
        get=OK,
    ),
    declare(
        "scheduling:day",
        lambda o: reverse("scheduling:day", args=[o["day"]]) + "?by=provider",
        who=DESK_AND_DOC,
        get=OK,
    ),
    declare(
        "scheduling:free-slots",
        lambda o: reverse("scheduling:free-slots"),
        who=DESK_AND_DOC,
        get=OK,
    ),
    declare(
        "scheduling:attention", lambda o: reverse("scheduling:attention"), who=DESK_AND_DOC, get=OK
    ),
    declare(
        "scheduling:session-book",
        lambda o: reverse("scheduling:session-book") + f"?patient={o['sched_patient']}",
        who=DESK_AND_DOC,
        get=OK,
        post=OK,
    ),
    declare(
        "scheduling:session-detail", _session("scheduling:session-detail"), who=DESK_AND_DOC, get=OK
    ),
    declare(
        "scheduling:session-reschedule",
        _session("scheduling:session-reschedule"),
        who=DESK_AND_DOC,
        get=OK,
        post=OK,
    ),
    declare(
        "scheduling:session-cancel",
        _session("scheduling:session-cancel"),
        who=DESK,
        get=OK,
        post=OK,
    ),
    declare(
        "scheduling:session-check-in",
        _session("scheduling:session-check-in"),
        who=DESK,
        get=OK,
        post=OK,
    ),
    declare(
        "scheduling:session-no-show",
        _session("scheduling:session-no-show"),
        who=DESK,
        post=REDIRECT,
    ),
    declare(
        "scheduling:session-start", _session("scheduling:session-start"), who=DOC, post=REDIRECT
    ),
    declare(
        "scheduling:session-treatment",
        _session("scheduling:session-treatment"),
        who=DOC,
        get=OK,
        post=OK,
    ),
    declare(
        "scheduling:session-complete",
        _session("scheduling:session-complete"),
        who=DOC,
        post=REDIRECT,
    ),
    declare(
        "scheduling:session-post-care",
        _session("scheduling:session-post-care"),
        who=DESK_AND_DOC,
        get=OK,
    ),
    declare(
        "scheduling:consent-create",
        lambda o: reverse("scheduling:consent-create", args=[o["sched_patient"], "prp"]),
        who=DESK_AND_DOC,
        get=OK,
        post=OK,
    ),
]
