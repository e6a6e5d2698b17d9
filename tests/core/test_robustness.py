"""Bad input and faults: hostile values never give a 500 or a half-made record."""

import re
from unittest import mock

import pytest
from django.db import DatabaseError
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eligibility import rules
from eligibility.models import PhysicianReview, Screening
from intake.models import IntakeQuestionnaire, Patient
from tests.factories import IntakeFactory, PatientFactory
from tests.intake.test_views import PATIENT_POST, intake_post

pytestmark = pytest.mark.django_db

HOSTILE_TEXT = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "",
            " ",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            '=HYPERLINK("http://x")',
            "\x00",
            "9" * 400,
            "2999-99-99",
            "-1",
            "ÿ" * 50,
            "../../etc/passwd",
        ]
    ),
)
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _ok(response) -> None:
    assert response.status_code in (200, 302), response.status_code


def _flagged(html: str, field: str) -> bool:
    """The form shows `field` itself as invalid (its input carries is-invalid)."""
    tag = re.search(rf'<(?:input|select)[^>]*\bname="{field}"[^>]*>', html)
    return tag is not None and "is-invalid" in tag.group(0)


@FUZZ
@given(field=st.sampled_from(sorted(PATIENT_POST)), value=HOSTILE_TEXT)
def test_patient_form_survives_hostile_values(desk_client, field, value):
    response = desk_client.post(reverse("intake:patient-create"), {**PATIENT_POST, field: value})
    if response.status_code == 302:
        # Accepted: exactly one patient, the one the redirect shows.
        patient = Patient.objects.get()
        assert response.url == reverse("intake:patient-detail", args=[patient.pk])
        Patient.objects.all().delete()
    else:
        # Refused: nothing saved, and the form marks the very field that was bad.
        assert response.status_code == 200
        assert not Patient.objects.exists()
        assert _flagged(response.content.decode(), field), (field, value)


@FUZZ
@given(
    field=st.sampled_from([*sorted(intake_post()), "q_made_up", "answers"]),
    value=HOSTILE_TEXT,
)
def test_intake_form_survives_hostile_values(desk_client, field, value):
    patient = Patient.objects.first() or PatientFactory()
    before = IntakeQuestionnaire.objects.count()
    screenings = Screening.objects.count()
    response = desk_client.post(
        reverse("intake:intake-create", args=[patient.pk]), {**intake_post(), field: value}
    )
    _ok(response)
    if response.status_code == 200:
        assert IntakeQuestionnaire.objects.count() == before
        assert Screening.objects.count() == screenings


@FUZZ
@given(
    decision=st.one_of(st.sampled_from(["cleared", "declined", "more_info"]), HOSTILE_TEXT),
    until=HOSTILE_TEXT,
    note=HOSTILE_TEXT,
)
def test_review_form_survives_hostile_values(physician_client, decision, until, note):
    screening = Screening.objects.filter(outcome=rules.NEEDS_REVIEW).first()
    if screening is None:
        from eligibility.services import screen_intake
        from tests.factories import all_no

        intake = IntakeFactory(answers=all_no(anticoagulant=True))
        screening = next(
            s
            for s in screen_intake(by=intake.taken_by, intake=intake)
            if s.outcome == "needs_review"
        )
    response = physician_client.post(
        reverse("eligibility:review-decide", args=[screening.pk]),
        {"decision": decision, "cleared_until": until, "note": note},
    )
    _ok(response)
    for review in PhysicianReview.objects.all():
        assert review.note.strip()
        assert review.decision in ("cleared", "declined", "more_info")


@FUZZ
@given(q=HOSTILE_TEXT, status=HOSTILE_TEXT, sex=HOSTILE_TEXT, page=HOSTILE_TEXT)
def test_patient_search_survives_hostile_values(desk_client, q, status, sex, page):
    search = {"q": q, "status": status, "sex": sex}
    posted = desk_client.post(reverse("intake:patient-list"), search)
    # The search is kept in the session and the list shown without it in the address.
    assert posted.status_code == 302 and posted.url == reverse("intake:patient-list")
    # A bad page or sort shows the list (a page out of range shows the last one).
    response = desk_client.get(reverse("intake:patient-list"), {"page": page, "sort": q[:20]})
    assert response.status_code == 200


def test_database_error_during_intake_saves_nothing(desk_client):
    patient = PatientFactory()
    with mock.patch("eligibility.services.screen_intake", side_effect=DatabaseError("disk full")):
        response = desk_client.post(
            reverse("intake:intake-create", args=[patient.pk]), intake_post()
        )
    assert response.status_code == 200
    assert "please try again" in response.content.decode()
    assert not IntakeQuestionnaire.objects.exists()
    assert not Screening.objects.exists()
    assert 'value="Two years ago"' in response.content.decode()


def test_database_error_during_registration_saves_nothing(desk_client):
    with mock.patch("intake.models.Patient.save", side_effect=DatabaseError("gone")):
        response = desk_client.post(reverse("intake:patient-create"), PATIENT_POST)
    assert response.status_code == 200
    assert "please try again" in response.content.decode()
    assert 'value="Lovelace"' in response.content.decode()
    assert not Patient.objects.exists()


def test_other_patients_records_are_not_reachable_by_guessing(desk_client):
    mine = IntakeFactory()
    other = IntakeFactory()
    url = reverse("intake:intake-detail", args=[mine.patient.pk, other.pk])
    assert desk_client.get(url).status_code == 404
    edit = reverse("intake:intake-edit", args=[mine.patient.pk, other.pk])
    assert desk_client.post(edit, intake_post()).status_code == 404
    assert not IntakeQuestionnaire.objects.filter(supersedes=other).exists()


# Booking, check-in and report filters ----------------------------------------------------


def _booking_post(clinic, patient):
    from tests.scheduling.factories import PRP_MN, on_day

    start = on_day(2, 10)
    return {
        "patient": patient.pk,
        "session_type": clinic.types[PRP_MN].pk,
        "day": start.date().isoformat(),
        "time": "10:00",
        "provider": "",
        "room": "",
        "device": "",
    }


@FUZZ
@given(
    field=st.sampled_from(["patient", "session_type", "day", "time", "provider", "room", "device"]),
    value=HOSTILE_TEXT,
)
def test_booking_form_survives_hostile_values(desk_client, clinic, field, value):
    from scheduling.models import SessionEvent, TreatmentSession
    from tests.scheduling.factories import screened_patient

    patient = Patient.objects.filter(last_name="Fuzz").first() or screened_patient(
        by=clinic.desk, patient__last_name="Fuzz"
    )
    before = TreatmentSession.objects.count()
    data = {**_booking_post(clinic, patient), field: value}
    response = desk_client.post(reverse("scheduling:session-book"), data)
    _ok(response)
    # Booked (one session, shown by the redirect) or refused with nothing saved.
    booked = TreatmentSession.objects.filter(patient=patient)
    if response.status_code == 302:
        assert booked.count() == before + 1
        assert response.url == booked.get().get_absolute_url()
    else:
        assert TreatmentSession.objects.count() == before
    SessionEvent.objects.all().delete()
    TreatmentSession.objects.all().delete()


@FUZZ
@given(code=st.sampled_from(rules.DAY_OF_CODES), value=HOSTILE_TEXT)
def test_check_in_form_survives_hostile_values(desk_client, clinic, code, value):
    from scheduling.models import Status, TreatmentSession
    from tests.scheduling.factories import make_session, screened_patient

    session = TreatmentSession.objects.first() or make_session(
        clinic, patient=screened_patient(by=clinic.desk)
    )
    answers = dict.fromkeys(rules.DAY_OF_CODES, "no")
    response = desk_client.post(
        reverse("scheduling:session-check-in", args=[session.pk]), {**answers, code: value}
    )
    session.refresh_from_db()
    if value not in ("yes", "no"):
        # Not an answer: the form comes back and the session is not checked in.
        assert response.status_code == 200
        assert session.status == Status.BOOKED
    else:
        assert response.status_code == 302


@FUZZ
@given(
    field=st.sampled_from(
        ["date_from", "date_to", "procedure", "session_type", "provider", "room", "status", "by"]
    ),
    value=HOSTILE_TEXT,
    report=st.sampled_from(["sessions", "screenings", "reviews", "recall"]),
)
def test_report_filters_survive_hostile_values(admin_client_, field, value, report):
    response = admin_client_.get(reverse(f"reports:{report}"), {field: value, "lot": value})
    # The page always answers, with the figures only when the filters hold.
    assert response.status_code == 200
    form = response.context["form"]
    assert ("query" in response.context) == form.is_valid()
    export = admin_client_.get(
        reverse("reports:export", args=[report, "csv"]), {field: value, "lot": value}
    )
    # The export refuses what the page refused, and a recall list without a lot.
    refused = not form.is_valid() or (report == "recall" and not form.filters().lot)
    assert export.status_code == (400 if refused else 200), export.status_code


def test_database_error_during_booking_saves_nothing(desk_client, clinic):
    from scheduling.models import SessionEvent, TreatmentSession
    from tests.scheduling.factories import screened_patient

    patient = screened_patient(by=clinic.desk)
    with mock.patch(
        "scheduling.models.SessionEvent.save", side_effect=DatabaseError("connection lost")
    ):
        response = desk_client.post(
            reverse("scheduling:session-book"), _booking_post(clinic, patient)
        )
    assert response.status_code == 200
    assert "try again" in response.content.decode()
    assert not TreatmentSession.objects.exists()
    assert not SessionEvent.objects.exists()


def test_every_object_url_refuses_another_patients_object(desk_client, clinic):
    """A session or intake id that belongs to another patient never shows its data."""
    from tests.scheduling.factories import make_session, screened_patient

    mine = screened_patient(by=clinic.desk, patient__last_name="Mine")
    theirs = screened_patient(by=clinic.desk, patient__last_name="Theirs")
    their_intake = theirs.intakes.get()
    their_session = make_session(clinic, patient=theirs)
    # Intakes are addressed under their patient: someone else's id gives 404.
    for name in ("intake:intake-detail", "intake:intake-edit"):
        response = desk_client.get(reverse(name, args=[mine.pk, their_intake.pk]))
        assert response.status_code == 404, name
    # Sessions are addressed by their own id, and the page names whose they are.
    page = desk_client.get(reverse("scheduling:session-detail", args=[their_session.pk]))
    assert "Theirs" in page.content.decode() and "Mine" not in page.content.decode()
    # Posting another patient's id into a booking for a made-up patient is refused.
    data = {**_booking_post(clinic, mine), "patient": 10**9}
    response = desk_client.post(reverse("scheduling:session-book"), data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    # Unknown ids: 404, never a 500.
    for name in (
        "scheduling:session-detail",
        "scheduling:session-check-in",
        "scheduling:session-treatment",
        "scheduling:session-post-care",
        "eligibility:review-decide",
        "intake:patient-detail",
    ):
        assert desk_client.get(reverse(name, args=[10**9])).status_code in (403, 404), name
