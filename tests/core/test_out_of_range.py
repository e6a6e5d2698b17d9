"""Out-of-range input: far dates, huge, negative and not-a-number numbers, page sizes.

Issue 12, finding 6. Python's dates end at 9999-12-31 and a day near either end plus a day or a
time zone overflowed (500s on booking, reschedule, the day view, free slots, the recall report
and its CSV, the audit-log search); `?per_page=-1` broke the patient list and the audit log.
Every form and filter is fuzzed here as each role that may use it: no answer is a 500, and a
refused request leaves no row behind (Export, Screening, TreatmentSession, PhysicianReview,
PlanSignOff, ...).
"""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.paging import MAX_PER_PAGE
from eligibility import rules
from eligibility.models import PhysicianReview, PlanSignOff, Screening
from eligibility.services import screen_intake
from intake.models import IntakeQuestionnaire, Patient
from reports.models import Export
from scheduling.forms import HORIZON_DAYS
from scheduling.models import SessionEvent, Status, TreatmentSession
from tests.core.test_robustness import _booking_post
from tests.factories import IntakeFactory, PatientFactory, all_no
from tests.intake.test_views import PATIENT_POST, intake_post
from tests.scheduling.factories import (
    LLLT,
    MN,
    MN_LLLT,
    PRP_MN,
    make_session,
    on_day,
    screened_patient,
)

pytestmark = pytest.mark.django_db

FAR_DATES = [
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "99999-12-31",
    "1899-12-31",
    "2201-01-01",
    "2999-12-31",
    "0000-00-00",
    "2024-02-30",
    "-0001-01-01",
    "+10000-01-01",
    "9999-12-31T23:59:59+14:00",
    "0001-01-01T00:00:00-14:00",
    "31/12/9999",
    "01/01/0001",
]
DATE_TEXT = st.one_of(
    st.sampled_from(FAR_DATES),
    st.dates().map(date.isoformat),
    st.dates(min_value=date(2150, 1, 1)).map(date.isoformat),
    st.integers(10_000, 10**7).map(lambda year: f"{year}-01-01"),
)
NUMBER_TEXT = st.one_of(
    st.sampled_from(
        [
            "-1",
            "0",
            "-0",
            str(10**18),
            str(-(10**18)),
            str(10**30),
            "9" * 5000,
            "NaN",
            "nan",
            "sNaN",
            "inf",
            "-inf",
            "Infinity",
            "1e308",
            "-1e308",
            "1e-9",
            "99999999999999999999.99",
            "0x10",
            "1_000",
            " 7 ",
            "¹",
            "١٢",
        ]
    ),
    st.integers(-(10**20), 10**20).map(str),
    st.floats().map(str),
)
TIME_TEXT = st.sampled_from(["24:00", "23:59:59.999999", "99:99", "-1:00", "00:00", "1e308"])
PAGE_TEXT = st.one_of(NUMBER_TEXT, st.sampled_from(["", "abc", "last", "1.5"]))

DATE, NUMBER, TIME = "date", "number", "time"
STRATEGIES = {DATE: DATE_TEXT, NUMBER: NUMBER_TEXT, TIME: TIME_TEXT}
#: The probe's values, sent to every fuzzed field of every target before any random ones.
EDGES = {
    DATE: ["0001-01-01", "9999-12-31", "10000-01-01"],
    NUMBER: ["-1", str(10**18), "NaN", "inf", "¹"],
    TIME: ["24:00", "23:59:59.999999"],
}

FUZZ = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

COUNTED = (
    Export,
    Patient,
    IntakeQuestionnaire,
    Screening,
    PhysicianReview,
    PlanSignOff,
    TreatmentSession,
    SessionEvent,
)


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def _read(response) -> bytes:
    """The whole body: a streamed CSV that breaks mid-way raises here, as it would for a
    browser that gets half a file."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@dataclass
class World:
    clinic: object
    patient: Patient
    booked: TreatmentSession
    today: TreatmentSession
    charting: dict[str, TreatmentSession]
    review: Screening


@pytest.fixture
def world(clinic, front_desk_user, admin_user) -> World:
    patient = screened_patient(by=front_desk_user, patient__last_name="Range")
    booked = make_session(clinic, patient=patient, start=on_day(2, 10))
    today = make_session(clinic, patient=patient, start=timezone.now() + timedelta(minutes=5))
    # Earlier today or last night, one after another: one physician, no overlap (PostgreSQL's
    # exclusion constraint holds even for sessions written directly).
    charting = {
        name: make_session(
            clinic,
            patient=screened_patient(by=front_desk_user),
            start=timezone.now() - timedelta(hours=3 * number),
            type_name=name,
            status=Status.IN_TREATMENT,
        )
        for number, name in enumerate((MN, PRP_MN, MN_LLLT, LLLT), start=1)
    }
    intake = IntakeFactory(answers=all_no(anticoagulant=True))
    review = next(
        s
        for s in screen_intake(by=intake.taken_by, intake=intake)
        if s.outcome == rules.NEEDS_REVIEW
    )
    return World(clinic, patient, booked, today, charting, review)


@dataclass(frozen=True)
class Target:
    """One form or filter: who may use it, how it is sent, and which of its fields are fuzzed
    with what (the other fields keep valid values, so the fuzzed one is what decides)."""

    name: str
    roles: tuple[str, ...]
    method: str
    url: object
    base: object
    fields: dict[str, str]


def _clinic_ids(world: World) -> dict:
    return {
        "provider": world.clinic.doctor.pk,
        "room": world.clinic.rooms["Room 1"].pk,
        "device": world.booked.device_id,
    }


DESK, DOCTOR, ADMIN = "desk", "doctor", "admin"
IDS = {"session_type": NUMBER, "provider": NUMBER, "room": NUMBER}
REPORTS = ("sessions", "screenings", "reviews", "recall")
REPORT_FIELDS = {"date_from": DATE, "date_to": DATE, "by": NUMBER, **IDS}


def _decision_target(name: str, url) -> Target:
    """A physician's decision form (the review queue's or the patient's)."""
    return Target(
        name,
        (DOCTOR,),
        "post",
        url,
        lambda w: {"decision": "cleared", "note": "Seen and examined."},
        {"cleared_until": DATE, "codes": NUMBER},
    )


def _report_target(name: str, url) -> Target:
    """A report page or download, with the reports' filters."""
    return Target(name, (ADMIN,), "get", url, lambda w: {"lot": "PEN-A"}, REPORT_FIELDS)


TARGETS = [
    Target(
        "patient-register",
        (DESK,),
        "post",
        lambda w: reverse("intake:patient-create"),
        lambda w: dict(PATIENT_POST),
        {"date_of_birth": DATE, "phone": NUMBER},
    ),
    Target(
        "patient-edit",
        (DESK,),
        "post",
        lambda w: reverse("intake:patient-update", args=[w.patient.pk]),
        lambda w: dict(PATIENT_POST),
        {"date_of_birth": DATE, "emergency_contact_phone": NUMBER},
    ),
    Target(
        "intake",
        (DESK, DOCTOR),
        "post",
        lambda w: reverse("intake:intake-create", args=[w.patient.pk]),
        lambda w: intake_post(),
        {"onset": DATE, "grade": NUMBER, "fitzpatrick": NUMBER},
    ),
    Target(
        "book",
        (DESK, DOCTOR),
        "post",
        lambda w: reverse("scheduling:session-book"),
        lambda w: _booking_post(w.clinic, w.patient),
        {"day": DATE, "time": TIME, "patient": NUMBER, **IDS},
    ),
    Target(
        "book-prefilled",
        (DESK, DOCTOR),
        "get",
        lambda w: reverse("scheduling:session-book"),
        lambda w: {
            "patient": w.patient.pk,
            "session_type": w.clinic.types[MN].pk,
            "start": on_day(3, 10).isoformat(),
        },
        {"start": DATE, "patient": NUMBER, "session_type": NUMBER},
    ),
    Target(
        "reschedule",
        (DESK, DOCTOR),
        "post",
        lambda w: reverse("scheduling:session-reschedule", args=[w.booked.pk]),
        lambda w: {"day": on_day(3, 10).date().isoformat(), "time": "11:00", **_clinic_ids(w)},
        {"day": DATE, "time": TIME, "provider": NUMBER, "device": NUMBER},
    ),
    Target(
        "check-in",
        (DESK,),
        "post",
        lambda w: reverse("scheduling:session-check-in", args=[w.today.pk]),
        lambda w: dict.fromkeys(rules.DAY_OF_CODES, "no"),
        dict.fromkeys(rules.DAY_OF_CODES, NUMBER),
    ),
    *(
        Target(
            f"treatment-{name}",
            (DOCTOR,),
            "post",
            lambda w, name=name: reverse(
                "scheduling:session-treatment", args=[w.charting[name].pk]
            ),
            lambda w: {
                "needle_depth_mm": "1.5",
                "passes": "4",
                "cartridge_lot": "CL-1",
                "prp_kit_lot": "KIT-1",
                "prp_volume_ml": "8",
                "lllt_minutes": "20",
                "post_care_given": "on",
            },
            fields,
        )
        for name, fields in (
            (MN, {"needle_depth_mm": NUMBER, "passes": NUMBER}),
            (PRP_MN, {"prp_volume_ml": NUMBER, "needle_depth_mm": NUMBER}),
            (MN_LLLT, {"lllt_minutes": NUMBER, "passes": NUMBER}),
            (LLLT, {"lllt_minutes": NUMBER}),
        )
    ),
    _decision_target(
        "review-decision", lambda w: reverse("eligibility:review-decide", args=[w.review.pk])
    ),
    _decision_target(
        "lifecycle-decide",
        lambda w: reverse("eligibility:decide", args=[w.review.patient_id, w.review.procedure]),
    ),
    Target(
        "sign-off",
        (DOCTOR,),
        "post",
        lambda w: reverse("eligibility:signoff-record", args=[w.patient.pk]),
        lambda w: {"note": "Plan agreed."},
        {"until": DATE},
    ),
    Target(
        "free-slots",
        (DESK, DOCTOR),
        "get",
        lambda w: reverse("scheduling:free-slots"),
        lambda w: {"session_type": w.clinic.types[MN].pk, "day": timezone.localdate()},
        {"day": DATE, "patient": NUMBER, **IDS},
    ),
    Target(
        "day-view-params",
        (DESK, DOCTOR),
        "get",
        lambda w: reverse("scheduling:today"),
        lambda w: {},
        {"by": NUMBER, "day": DATE},
    ),
    *(
        _report_target(f"report-{report}", lambda w, report=report: reverse(f"reports:{report}"))
        for report in REPORTS
    ),
    *(
        _report_target(
            f"export-{report}-{fmt}",
            lambda w, report=report, fmt=fmt: reverse("reports:export", args=[report, fmt]),
        )
        for report in REPORTS
        for fmt in ("csv", "xlsx")
    ),
]


def _refused(method: str, status: int) -> bool:
    """A form shown again (200 after a POST), a bad request, refused or not found."""
    return status in (400, 403, 404) or (method == "post" and status == 200)


def _check(response, method: str, before: dict[str, int]) -> None:
    assert response.status_code < 500, response.status_code
    _read(response)
    after = _counts()
    if _refused(method, response.status_code):
        assert after == before, "a refused request left rows behind"
    elif method == "get":
        # A page or a download writes no records; a download writes its one Export row.
        exported = 1 if response.get("Content-Disposition", "").startswith("attachment") else 0
        assert after == {**before, "Export": before["Export"] + exported}


@pytest.fixture
def clients(desk_client, physician_client, admin_client_):
    return {DESK: desk_client, DOCTOR: physician_client, ADMIN: admin_client_}


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.name)
@FUZZ
@given(data=st.data())
def test_forms_and_filters_take_out_of_range_values(world, clients, target, data):
    """Issue 12, finding 6: every form and filter, each role that may use it, fuzzed fields."""
    role = data.draw(st.sampled_from(target.roles), label="role")
    field = data.draw(st.sampled_from(sorted(target.fields)), label="field")
    value = data.draw(STRATEGIES[target.fields[field]], label="value")
    _send(clients[role], target, world, field, value)


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.name)
def test_forms_and_filters_take_the_probes_values(world, clients, target):
    """Issue 12, finding 6: the probe's values in every fuzzed field, as every role that may
    use the form (hypothesis adds random ones above; these are always sent)."""
    for role in target.roles:
        for field, kind in target.fields.items():
            for value in EDGES[kind]:
                _send(clients[role], target, world, field, value)


def _send(client, target: Target, world: World, field: str, value: str) -> None:
    payload = {**target.base(world), field: value}
    before = _counts()
    response = getattr(client, target.method)(target.url(world), payload)
    _check(response, target.method, before)


@FUZZ
@given(day=DATE_TEXT, by=st.sampled_from(["room", "provider", "x"]))
def test_day_view_url_takes_any_day(world, desk_client, physician_client, day, by):
    """Issue 12, finding 6: /schedule/day/<day>/ answers 200 or 404, never 500."""
    for client in (desk_client, physician_client):
        response = client.get(f"/schedule/day/{day}/", {"by": by})
        assert response.status_code in (200, 404), (day, response.status_code)


@FUZZ
@given(field=st.sampled_from(["date_from", "date_to", "staff", "action"]), value=DATE_TEXT)
def test_audit_log_search_takes_out_of_range_values(world, admin_client_, field, value):
    """Issue 12, finding 6: the audit-log search (POSTed, kept in the session) and its CSV."""
    before = _counts()
    admin_client_.post(reverse("reports:audit-log"), {field: value})
    page = admin_client_.get(reverse("reports:audit-log"))
    assert page.status_code == 200
    export = admin_client_.get(reverse("reports:audit-log-export"))
    assert export.status_code in (200, 400)
    _read(export)
    exported = 1 if export.status_code == 200 else 0
    assert _counts() == {**before, "Export": before["Export"] + exported}


@FUZZ
@given(q=st.one_of(DATE_TEXT, NUMBER_TEXT), per_page=PAGE_TEXT, page=PAGE_TEXT)
def test_patient_search_and_page_sizes(world, desk_client, physician_client, q, per_page, page):
    """Issue 12, finding 6: the patient search box and `?per_page=` / `?page=` on the list."""
    for client in (desk_client, physician_client):
        client.post(reverse("intake:patient-list"), {"q": q, "status": "all"})
        response = client.get(reverse("intake:patient-list"), {"per_page": per_page, "page": page})
        assert response.status_code == 200


@FUZZ
@given(per_page=PAGE_TEXT, page=PAGE_TEXT)
def test_other_lists_take_any_page_size(
    world, desk_client, physician_client, admin_client_, per_page, page
):
    """Issue 12, finding 6: the audit log, the review queue and the needs-attention list."""
    params = {"per_page": per_page, "page": page}
    assert admin_client_.get(reverse("reports:audit-log"), params).status_code == 200
    queue = physician_client.get(reverse("eligibility:review-queue"), params)
    assert queue.status_code in (200, 404)
    attention = desk_client.get(reverse("scheduling:attention"), params)
    assert attention.status_code in (200, 404)


# The probe's own requests, one by one ---------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("day", "9999-12-31", "Choose a day from"),
        ("day", "0001-01-01", "Choose a day from"),
        ("patient", "¹", "Select a valid choice"),
        ("patient", "²³", "Select a valid choice"),
        ("patient", "9" * 30, "Select a valid choice"),
    ],
)
def test_booking_a_far_day_or_a_patient_id_that_is_no_number_is_a_form_error(
    world, desk_client, field, value, error
):
    """Issue 12, finding 6: `day=9999-12-31` on booking was a 500, and so was a patient id that
    is no number ("¹".isdigit() is true but int("¹") fails) in the patient select."""
    data = {**_booking_post(world.clinic, world.patient), field: value}
    before = _counts()
    response = desk_client.post(reverse("scheduling:session-book"), data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert _counts() == before


def test_booking_more_than_two_years_ahead_is_refused(world, desk_client):
    """Issue 12, finding 6: the booking day's range ends two years ahead; the last day in it
    is still bookable as far as the form is concerned."""
    too_far = timezone.localdate() + timedelta(days=HORIZON_DAYS + 1)
    data = {**_booking_post(world.clinic, world.patient), "day": too_far.isoformat()}
    before = _counts()
    response = desk_client.post(reverse("scheduling:session-book"), data)
    assert response.status_code == 200
    assert "Choose a day from" in response.content.decode()
    assert _counts() == before


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_moving_a_session_to_a_far_day_is_a_form_error(world, desk_client, day):
    """Issue 12, finding 6: `day=9999-12-31` on reschedule was a 500."""
    data = {"day": day, "time": "10:00", **_clinic_ids(world)}
    response = desk_client.post(
        reverse("scheduling:session-reschedule", args=[world.booked.pk]), data
    )
    assert response.status_code == 200
    assert "Choose a day from" in response.content.decode()
    world.booked.refresh_from_db()
    assert world.booked.start == on_day(2, 10)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31", "2201-01-01"])
def test_day_view_outside_the_years_is_404(world, desk_client, day):
    """Issue 12, finding 6: `/schedule/day/0001-01-01/` and `/9999-12-31/` were 500s."""
    assert desk_client.get(f"/schedule/day/{day}/").status_code == 404


@pytest.mark.parametrize("day", ["1900-01-01", "2200-12-31"])
def test_day_view_at_the_edges_of_the_years_works(world, desk_client, day):
    """Issue 12, finding 6: the first and last day of the range still show."""
    assert desk_client.get(f"/schedule/day/{day}/").status_code == 200


def test_free_slots_far_ahead_is_a_form_error(world, desk_client):
    """Issue 12, finding 6: free slots from 9999-12-31 overflowed at the end of its window."""
    response = desk_client.get(
        reverse("scheduling:free-slots"),
        {"session_type": world.clinic.types[MN].pk, "day": "9999-12-31"},
    )
    assert response.status_code == 200
    assert "Choose a day from" in response.content.decode()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_recall_export_with_a_far_date_is_refused_before_an_export_row(world, admin_client_, fmt):
    """Issue 12, finding 6: `date_to=9999-12-31` on the recall CSV recorded an Export and then
    broke mid-stream; now it is a 400 and no Export row."""
    params = {"lot": "PEN-A", "date_to": "9999-12-31"}
    response = admin_client_.get(reverse("reports:export", args=["recall", fmt]), params)
    assert response.status_code == 400
    assert not Export.objects.exists()
    page = admin_client_.get(reverse("reports:recall"), params)
    assert page.status_code == 200
    assert "Choose a day from" in page.content.decode()


def test_audit_log_search_with_a_far_date_is_a_form_error(world, admin_client_):
    """Issue 12, finding 6: the audit-log search to 9999-12-31 overflowed (page and CSV)."""
    admin_client_.post(reverse("reports:audit-log"), {"date_to": "9999-12-31"})
    page = admin_client_.get(reverse("reports:audit-log"))
    assert page.status_code == 200
    assert "Choose a day from" in page.content.decode()
    assert admin_client_.get(reverse("reports:audit-log-export")).status_code == 400
    assert not Export.objects.exists()


@pytest.mark.parametrize("per_page", ["-1", "0", str(10**18), "abc"])
def test_bad_page_sizes_are_kept_in_bounds(world, desk_client, admin_client_, per_page):
    """Issue 12, finding 6: `?per_page=-1` on the patient list and the audit log was a 500;
    a huge one read every row at once."""
    PatientFactory.create_batch(3)
    response = desk_client.get(reverse("intake:patient-list"), {"per_page": per_page})
    assert response.status_code == 200
    assert 1 <= response.context["table"].paginator.per_page <= MAX_PER_PAGE
    log = admin_client_.get(reverse("reports:audit-log"), {"per_page": per_page})
    assert log.status_code == 200
    assert 1 <= log.context["table"].paginator.per_page <= MAX_PER_PAGE


def test_a_prefilled_booking_link_with_a_far_start_shows_the_form(world, desk_client):
    """Issue 12, finding 6: the booking page's `start` from a free-slot link, at the ends of
    the calendar, shows the empty form instead of a 500."""
    for start in ("9999-12-31T23:59:59-14:00", "0001-01-01T10:00:00+14:00", "0001-01-02T10:00"):
        response = desk_client.get(
            reverse("scheduling:session-book"), {"patient": world.patient.pk, "start": start}
        )
        assert response.status_code == 200, start


def test_a_far_date_of_birth_in_the_search_finds_no_one(world, desk_client):
    """Issue 12, finding 6: a date-shaped search outside the years the app knows finds nobody
    (and no name or phone number by accident)."""
    from intake.filters import search_q

    PatientFactory(date_of_birth=date(1985, 12, 10), phone="+447911101010")
    for text in ("0001-01-01", "9999-12-31", "01/01/0001"):
        assert not Patient.objects.filter(search_q(text)).exists()
    assert Patient.objects.filter(search_q("1985-12-10")).exists()


@pytest.mark.parametrize(
    ("params", "size", "number"),
    [
        ({"per_page": "-1"}, 1, 1),
        ({"per_page": "0"}, 1, 1),
        ({"per_page": str(10**18)}, MAX_PER_PAGE, 1),
        ({"per_page": "9" * 5000}, 2, 1),
        ({"per_page": "abc", "page": "-3"}, 2, 3),
        ({"per_page": "1", "page": "2"}, 1, 2),
        ({"per_page": "1", "page": str(10**18)}, 1, 5),
        ({"page": "x"}, 2, 1),
    ],
)
def test_paginate_table_keeps_size_and_page_in_bounds(rf, params, size, number):
    """Issue 12, finding 6: the shared helper the lists paginate through (core.paging)."""
    from core.paging import paginate_table
    from intake.tables import PatientTable

    PatientFactory.create_batch(5)
    table = PatientTable(Patient.objects.order_by("pk"))
    paginate_table(rf.get("/", params), table, per_page=2)
    assert table.paginator.per_page == size
    assert table.page.number == number
