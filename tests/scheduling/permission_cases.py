from django.urls import reverse

from tests.permission_matrix import DENIED, LOGIN, OK, REDIRECT, Case, expect
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


def _both(name, url, get, post):
    return [Case(name, "get", url, get), Case(name, "post", url, post)]


DESK_AND_DOC = expect(LOGIN, OK, OK, DENIED)
DESK_ONLY = expect(LOGIN, OK, DENIED, DENIED)
DOC_ONLY = expect(LOGIN, DENIED, OK, DENIED)

CASES = [
    Case("scheduling:today", "get", lambda o: reverse("scheduling:today"), DESK_AND_DOC),
    Case(
        "scheduling:day", "get", lambda o: reverse("scheduling:day", args=[o["day"]]), DESK_AND_DOC
    ),
    Case(
        "scheduling:day",
        "get",
        lambda o: reverse("scheduling:day", args=[o["day"]]) + "?by=provider",
        DESK_AND_DOC,
    ),
    Case("scheduling:free-slots", "get", lambda o: reverse("scheduling:free-slots"), DESK_AND_DOC),
    Case("scheduling:attention", "get", lambda o: reverse("scheduling:attention"), DESK_AND_DOC),
    *_both(
        "scheduling:session-book",
        lambda o: reverse("scheduling:session-book") + f"?patient={o['sched_patient']}",
        DESK_AND_DOC,
        DESK_AND_DOC,
    ),
    Case("scheduling:session-detail", "get", _session("scheduling:session-detail"), DESK_AND_DOC),
    *_both(
        "scheduling:session-reschedule",
        _session("scheduling:session-reschedule"),
        DESK_AND_DOC,
        DESK_AND_DOC,
    ),
    *_both(
        "scheduling:session-cancel", _session("scheduling:session-cancel"), DESK_ONLY, DESK_ONLY
    ),
    *_both(
        "scheduling:session-check-in", _session("scheduling:session-check-in"), DESK_ONLY, DESK_ONLY
    ),
    Case(
        "scheduling:session-no-show",
        "post",
        _session("scheduling:session-no-show"),
        expect(LOGIN, REDIRECT, DENIED, DENIED),
    ),
    Case(
        "scheduling:session-start",
        "post",
        _session("scheduling:session-start"),
        expect(LOGIN, DENIED, REDIRECT, DENIED),
    ),
    *_both(
        "scheduling:session-treatment", _session("scheduling:session-treatment"), DOC_ONLY, DOC_ONLY
    ),
    Case(
        "scheduling:session-complete",
        "post",
        _session("scheduling:session-complete"),
        expect(LOGIN, DENIED, REDIRECT, DENIED),
    ),
    Case(
        "scheduling:session-post-care",
        "get",
        _session("scheduling:session-post-care"),
        DESK_AND_DOC,
    ),
    *_both(
        "scheduling:consent-create",
        lambda o: reverse("scheduling:consent-create", args=[o["sched_patient"], "prp"]),
        DESK_AND_DOC,
        DESK_AND_DOC,
    ),
]
