"""Issue 14: a refused booking, move, check-in or day-of step links to what fixes it, for the
role asking (scheduling.refusals), through the real views: the consent form, the physician's
review, the intake, Free slots. Every link is one the role can open; the front desk, who cannot
review, is told who must act and sent to the patient's eligibility."""

from contextlib import contextmanager
from datetime import timedelta
from html.parser import HTMLParser
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from eligibility import rules
from eligibility.models import Decision, Screening
from eligibility.services import decision_record
from intake.services import patient_archive
from scheduling import services, times
from scheduling.models import Status, TreatmentSession
from tests.factories import ConsentFactory, RoomFactory, login_client, submit_intake
from tests.scheduling.factories import (
    MN,
    MN_LLLT,
    PRP_MN,
    make_session,
    on_day,
    screened_patient,
)
from treatments.models import RoomKind

pytestmark = pytest.mark.django_db

FORM_NO = dict.fromkeys(rules.DAY_OF_CODES, "no")
_real_now = timezone.now


# ---- reading the page ------------------------------------------------------------------------


class _Links(HTMLParser):
    """The links inside the form's error summary and the flash messages: (href, text)."""

    VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "wbr"})

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag in self.VOID:
            return
        if self.depth:
            self.depth += 1
        elif tag == "div" and {"error-summary", "messages"} & set(found.get("class", "").split()):
            self.depth = 1
        if self.depth and tag == "a":
            self._href, self._text = found["href"], []

    def handle_endtag(self, tag):
        if not self.depth or tag in self.VOID:
            return
        if tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join("".join(self._text).split())))
            self._href = None
        self.depth -= 1

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)


def links(response) -> list[tuple[str, str]]:
    parser = _Links()
    parser.feed(response.content.decode())
    return parser.links


def text(response) -> str:
    return " ".join(response.content.decode().split())


def assert_all_open(client, found) -> None:
    """Never a link the role would get 403 (or 404) on."""
    for href, _ in found:
        if not href.startswith("#"):
            assert client.get(href).status_code == 200, href


def url(name, *args) -> str:
    return reverse(name, args=args)


def patient_eligibility(patient) -> str:
    return url("intake:patient-detail", patient.pk) + "#eligibility"


def free_slots(patient, session_type, day) -> str:
    return (
        f"{reverse('scheduling:free-slots')}?patient={patient.pk}"
        f"&session_type={session_type.pk}&day={day.isoformat()}"
    )


def physician_pages(found) -> list[str]:
    """Links to pages only a physician may open."""
    return [href for href, _ in found if href.startswith("/eligibility/")]


@contextmanager
def days_later(days: int):
    offset = timedelta(days=days)
    with mock.patch("django.utils.timezone.now", side_effect=lambda: _real_now() + offset):
        yield


# ---- posting ---------------------------------------------------------------------------------


def book(client, clinic, patient, *, type_name=MN, days=2, hour=10, token="tok", **extra):
    start = on_day(days, hour)
    data = {
        "patient": patient.pk,
        "session_type": clinic.types[type_name].pk,
        "day": times.local(start).date().isoformat(),
        "time": f"{hour:02d}:00",
        "provider": "",
        "room": "",
        "device": "",
        "form_token": token,
        **extra,
    }
    response = client.post(reverse("scheduling:session-book"), data)
    assert response.status_code == 200, "the booking should have been refused"
    assert not TreatmentSession.objects.filter(patient=patient, start=start).exists()
    return response


def move(client, session, *, days=2, hour=10, **extra):
    start = on_day(days, hour)
    data = {
        "day": times.local(start).date().isoformat(),
        "time": f"{hour:02d}:00",
        "provider": session.provider_id,
        "room": session.room_id,
        "device": session.device_id,
        **extra,
    }
    response = client.post(url("scheduling:session-reschedule", session.pk), data)
    assert response.status_code == 200, "the move should have been refused"
    return response


def check_in(client, session, **yes):
    return client.post(
        url("scheduling:session-check-in", session.pk),
        FORM_NO | dict.fromkeys(yes, "yes"),
        follow=True,
    )


def latest(patient, procedure) -> Screening:
    return Screening.objects.filter(patient=patient, procedure=procedure).latest()


def decide(clinic, patient, procedure, decision):
    return decision_record(
        by=clinic.doctor, patient=patient, procedure=procedure, decision=decision, note="Seen."
    )


# ---- consent ---------------------------------------------------------------------------------


def test_missing_consents_link_each_consent_form_and_come_back_to_the_booking(desk_client, clinic):
    patient = screened_patient(by=clinic.desk, consent=False)
    ConsentFactory(patient=patient, procedure=rules.PRP, witnessed_by=clinic.desk)
    response = book(desk_client, clinic, patient, type_name=PRP_MN)
    found = links(response)
    assert "No signed consent on file for microneedling; take the consent first." in text(response)
    consent = [(href, label) for href, label in found if "/consent/" in href]
    assert [label for _, label in consent] == ["Take the microneedling consent"]
    href = consent[0][0]
    assert urlsplit(href).path == url("scheduling:consent-create", patient.pk, "microneedling")
    back = parse_qs(urlsplit(href).query)["next"][0]
    form = desk_client.get(back)
    assert form.context["form"].initial["patient"] == patient.pk
    assert form.context["form"].initial["session_type"] == clinic.types[PRP_MN].pk
    assert_all_open(desk_client, found)


def test_the_consent_link_is_in_the_error_summary_read_out_as_an_alert(desk_client, clinic):
    patient = screened_patient(by=clinic.desk, consent=False)
    page = text(book(desk_client, clinic, patient))
    summary = page[page.index('<div class="alert alert-danger error-summary"') :]
    summary = summary[: summary.index("</ul>")]
    assert '<div role="alert">' in summary
    assert "Take the microneedling consent</a>." in summary


# ---- eligibility: review, decline, exclusion, sign-off ----------------------------------------


def test_needs_review_physician_gets_the_review_of_that_screening(physician_client, clinic):
    patient = screened_patient(by=clinic.desk, yes=("anticoagulant",))
    response = book(physician_client, clinic, patient)
    found = links(response)
    review = url("eligibility:review-decide", latest(patient, rules.MICRONEEDLING).pk)
    assert (review, "Review the microneedling screening") in found
    assert_all_open(physician_client, found)


def test_needs_review_desk_is_told_a_physician_must_act_and_gets_the_patient(desk_client, clinic):
    patient = screened_patient(by=clinic.desk, yes=("anticoagulant",))
    response = book(desk_client, clinic, patient)
    found = links(response)
    assert (patient_eligibility(patient), "Open the patient's eligibility") in found
    assert "A physician must review it first." in text(response)
    assert physician_pages(found) == []
    assert_all_open(desk_client, found)


def test_exclusion_physician_gets_the_decision_page_desk_the_patient(
    desk_client, physician_client, clinic
):
    patient = screened_patient(by=clinic.desk, yes=("scalp_acne",))
    decide_page = url("eligibility:decide", patient.pk, rules.MICRONEEDLING)
    doctor = links(book(physician_client, clinic, patient, token="a"))
    assert (decide_page, "Review the microneedling exclusion") in doctor
    assert_all_open(physician_client, doctor)
    response = book(desk_client, clinic, patient, token="b")
    desk = links(response)
    assert "Only a physician can lift an exclusion." in text(response)
    assert (patient_eligibility(patient), "Open the patient's eligibility") in desk
    assert physician_pages(desk) == []
    assert_all_open(desk_client, desk)


def test_declined_physician_can_decide_again_desk_is_told_who_can(
    desk_client, physician_client, clinic
):
    patient = screened_patient(by=clinic.desk, yes=("anticoagulant",))
    decide(clinic, patient, rules.MICRONEEDLING, Decision.DECLINED)
    doctor = links(book(physician_client, clinic, patient, token="a"))
    decide_page = url("eligibility:decide", patient.pk, rules.MICRONEEDLING)
    assert (decide_page, "Review the microneedling decline") in doctor
    response = book(desk_client, clinic, patient, token="b")
    assert "Only a physician can change a decline." in text(response)
    assert physician_pages(links(response)) == []


def test_signoff_physician_signs_off_desk_is_told_who_must(desk_client, physician_client, clinic):
    patient = screened_patient(by=clinic.desk)
    doctor = links(book(physician_client, clinic, patient, type_name=MN_LLLT, token="a"))
    signoff = url("eligibility:signoff-record", patient.pk)
    assert (signoff, "Sign off same-day microneedling then LLLT") in doctor
    assert_all_open(physician_client, doctor)
    response = book(desk_client, clinic, patient, type_name=MN_LLLT, token="b")
    assert "A physician must sign off the plan." in text(response)
    desk = links(response)
    assert (patient_eligibility(patient), "Open the patient's eligibility") in desk
    assert physician_pages(desk) == []


# ---- eligibility: the intake -----------------------------------------------------------------


@pytest.mark.parametrize("role_client", ["desk_client", "physician_client"])
def test_never_screened_links_the_intake(role_client, request, clinic):
    client = request.getfixturevalue(role_client)
    patient = screened_patient(by=clinic.desk)
    Screening.objects.filter(patient=patient).delete()
    found = links(book(client, clinic, patient))
    assert (url("intake:intake-create", patient.pk), "Take the intake questionnaire") in found
    assert_all_open(client, found)


def test_an_out_of_date_screening_links_a_new_intake(desk_client, clinic):
    patient = screened_patient(by=clinic.desk)
    found = links(book(desk_client, clinic, patient, days=40))
    assert (url("intake:intake-create", patient.pk), "Take a new intake to re-screen") in found


def test_a_re_screen_that_is_due_links_a_new_intake(clinic):
    patient = screened_patient(by=clinic.desk, yes=("scalp_acne",))
    with days_later(15):
        response = book(login_client(clinic.desk), clinic, patient)
        found = links(response)
        assert (url("intake:intake-create", patient.pk), "Take a new intake to re-screen") in found
        assert (patient_eligibility(patient), "Open the patient's eligibility") in found


def test_more_information_asked_links_the_intake_to_update(desk_client, clinic):
    patient = screened_patient(by=clinic.desk, yes=("anticoagulant",))
    decide(clinic, patient, rules.MICRONEEDLING, Decision.MORE_INFO)
    found = links(book(desk_client, clinic, patient))
    intake = latest(patient, rules.MICRONEEDLING).intake_id
    assert (url("intake:intake-edit", patient.pk, intake), "Update the intake") in found
    assert_all_open(desk_client, found)


# ---- the slot: interval, clashes, archived ----------------------------------------------------


def test_interval_physician_gets_the_override_note_desk_gets_free_slots(
    desk_client, physician_client, clinic
):
    patient = screened_patient(by=clinic.desk)
    services.session_book(
        by=clinic.desk, patient=patient, session_type=clinic.types[MN], start=on_day(10, 10)
    )
    day = times.local(on_day(12, 10)).date()
    slots = (free_slots(patient, clinic.types[MN], day), "Find a free slot for this patient")
    doctor = links(book(physician_client, clinic, patient, days=12, token="a"))
    assert ("#id_override_note", "Write a minimum-interval override note") in doctor
    assert 'id="id_override_note"' in text(book(physician_client, clinic, patient, days=12))
    desk = links(book(desk_client, clinic, patient, days=12, token="b"))
    assert slots in desk
    assert not [href for href, _ in desk if href.startswith("#")]
    assert_all_open(desk_client, desk)


def test_a_clash_links_free_slots_for_the_patient_once(desk_client, clinic):
    first = screened_patient(by=clinic.desk)
    second = screened_patient(by=clinic.desk)
    taken = services.session_book(
        by=clinic.desk, patient=first, session_type=clinic.types[MN], start=on_day(2, 10)
    )
    response = book(
        desk_client,
        clinic,
        second,
        provider=taken.provider_id,
        room=taken.room_id,
        device=taken.device_id,
    )
    assert f"{taken.room.name} is booked" in text(response)
    found = links(response)
    day = times.local(on_day(2, 10)).date()
    slots = free_slots(second, clinic.types[MN], day)
    assert [href for href, _ in found].count(slots) == 1
    assert_all_open(desk_client, found)


def test_names_in_a_refusal_are_escaped_and_kept_as_written(desk_client, clinic):
    first = screened_patient(by=clinic.desk)
    second = screened_patient(by=clinic.desk)
    room = RoomFactory(name="<b>50% room</b>", kind=RoomKind.PROCEDURE)
    services.session_book(
        by=clinic.desk,
        patient=first,
        session_type=clinic.types[MN],
        start=on_day(2, 10),
        room=room,
    )
    response = book(desk_client, clinic, second, room=room.pk)
    page = response.content.decode()
    assert "&lt;b&gt;50% room&lt;/b&gt; is booked" in page
    assert "<b>50% room</b>" not in page
    assert links(response)


def test_an_archived_patient_links_the_record_to_restore_for_the_desk(
    desk_client, physician_client, clinic
):
    patient = screened_patient(by=clinic.desk)
    session = make_session(clinic, patient=patient, start=on_day(2, 10))
    patient_archive(by=clinic.desk, patient=patient)
    desk = links(move(desk_client, session, days=3))
    record = url("intake:patient-detail", patient.pk)
    assert (record, "Open the patient's record to restore it") in desk
    assert_all_open(desk_client, desk)
    response = move(physician_client, session, days=3)
    assert "The front desk can restore it." in text(response)
    assert_all_open(physician_client, links(response))


# ---- moving a session --------------------------------------------------------------------------


def test_moving_into_a_clash_links_free_slots(desk_client, clinic):
    first = screened_patient(by=clinic.desk)
    second = screened_patient(by=clinic.desk)
    taken = services.session_book(
        by=clinic.desk, patient=first, session_type=clinic.types[MN], start=on_day(3, 10)
    )
    session = services.session_book(
        by=clinic.desk,
        patient=second,
        session_type=clinic.types[MN],
        start=on_day(3, 14),
        provider=taken.provider,
        room=taken.room,
        device=taken.device,
    )
    found = links(move(desk_client, session, days=3, hour=10))
    day = times.local(on_day(3, 10)).date()
    assert (free_slots(second, clinic.types[MN], day), "Find a free slot for this patient") in found


def test_moving_a_session_that_now_needs_review(desk_client, physician_client, clinic):
    patient = screened_patient(by=clinic.desk)
    session = services.session_book(
        by=clinic.desk, patient=patient, session_type=clinic.types[MN], start=on_day(3, 10)
    )
    submit_intake(clinic.desk, patient, "anticoagulant")
    review = url("eligibility:review-decide", latest(patient, rules.MICRONEEDLING).pk)
    doctor = links(move(physician_client, session, days=4))
    assert (review, "Review the microneedling screening") in doctor
    desk = links(move(desk_client, session, days=4))
    assert (patient_eligibility(patient), "Open the patient's eligibility") in desk
    assert physician_pages(desk) == []


# ---- the day: check-in, start, chart, complete -------------------------------------------------


def test_stopped_at_check_in_the_desk_is_told_who_must_act(desk_client, clinic):
    patient = screened_patient(by=clinic.desk)
    session = make_session(clinic, patient=patient)
    response = check_in(desk_client, session, scalp_wound="yes")
    session.refresh_from_db()
    assert session.status == Status.BOOKED
    page = text(response)
    assert "Stopped at check-in. Not checked in: Said yes to:" in page
    assert "Only a physician can lift an exclusion." in page
    found = links(response)
    assert (patient_eligibility(patient), "Open the patient's eligibility") in found
    assert physician_pages(found) == []
    assert_all_open(desk_client, found)


def test_check_in_on_another_day_links_moving_the_session(desk_client, clinic):
    patient = screened_patient(by=clinic.desk)
    session = make_session(clinic, patient=patient, start=on_day(2, 10))
    response = desk_client.post(url("scheduling:session-check-in", session.pk), FORM_NO)
    assert response.status_code == 200
    found = links(response)
    assert (url("scheduling:session-reschedule", session.pk), "Move the session") in found
    assert_all_open(desk_client, found)


def test_check_in_without_any_intake_links_the_intake(desk_client, clinic):
    patient = screened_patient(by=clinic.desk)
    Screening.objects.filter(patient=patient).delete()
    patient.intakes.all().delete()
    session = make_session(clinic, patient=patient)
    response = desk_client.post(url("scheduling:session-check-in", session.pk), FORM_NO)
    assert response.status_code == 200
    found = links(response)
    assert (url("intake:intake-create", patient.pk), "Take the intake questionnaire") in found
    session.refresh_from_db()
    assert session.status == Status.BOOKED


def test_start_refused_after_a_new_exclusion_links_the_physician_decision(
    desk_client, physician_client, clinic
):
    patient = screened_patient(by=clinic.desk)
    session = make_session(clinic, patient=patient)
    check_in(desk_client, session)
    submit_intake(clinic.desk, patient, "scalp_acne")
    response = physician_client.post(url("scheduling:session-start", session.pk), follow=True)
    assert "Cannot start the treatment" in text(response)
    found = links(response)
    decide_page = url("eligibility:decide", patient.pk, rules.MICRONEEDLING)
    assert (decide_page, "Review the microneedling exclusion") in found
    assert_all_open(physician_client, found)


def test_charting_refused_links_the_fix(desk_client, physician_client, clinic):
    patient = screened_patient(by=clinic.desk)
    session = make_session(clinic, patient=patient)
    check_in(desk_client, session)
    submit_intake(clinic.desk, patient, "anticoagulant")
    response = physician_client.post(
        url("scheduling:session-treatment", session.pk),
        {"needle_depth_mm": "1.5", "passes": "4", "cartridge_lot": "CL-1"},
    )
    assert response.status_code == 200
    assert "Cannot chart this treatment" in text(response)
    review = url("eligibility:review-decide", latest(patient, rules.MICRONEEDLING).pk)
    assert (review, "Review the microneedling screening") in links(response)


def test_completing_an_unfinished_record_links_the_treatment_record(physician_client, clinic):
    patient = screened_patient(by=clinic.desk)
    session = make_session(clinic, patient=patient, status=Status.CHECKED_IN)
    response = physician_client.post(url("scheduling:session-complete", session.pk), follow=True)
    assert "No treatment record yet." in text(response)
    found = links(response)
    record = url("scheduling:session-treatment", session.pk)
    assert [label for href, label in found if href == record] == ["Complete the treatment record"]
    assert_all_open(physician_client, found)
