"""Booking from where staff look (issue 14): the patient picker on the scheduling pages, and
free slots that know the chosen patient."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from scheduling import times
from scheduling.models import Status, TreatmentSession
from tests.core.test_error_summary import attr, by_id, summary_links, summary_of, text
from tests.scheduling.factories import MN, make_session, on_day, screened_patient

pytestmark = pytest.mark.django_db

SLOTS = "scheduling:free-slots"


def _search(client, clinic, *, patient=None, type_name=MN, days_ahead=1):
    query = {
        "session_type": clinic.types[type_name].pk,
        "day": (times.today() + timedelta(days=days_ahead)).isoformat(),
    }
    if patient is not None:
        query["patient"] = patient.pk
    return client.get(reverse(SLOTS), query)


def _first_booking_form(html: str) -> dict[str, str]:
    """The hidden fields of the first one-click Book form on the page."""
    action = reverse("scheduling:session-book")
    form = re.search(rf'<form method="post" action="{action}">(.*?)</form>', html, re.S)
    assert form, "no one-click booking form"
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form.group(1)))


def test_a_slot_inside_the_patients_interval_is_not_offered(desk_client, clinic):
    patient = screened_patient(by=clinic.desk)
    earlier = make_session(clinic, patient=patient, start=on_day(1, 10))
    anyone = _search(desk_client, clinic).context["slots"]
    assert anyone[0].start.date() == on_day(1, 10).date()

    response = _search(desk_client, clinic, patient=patient)
    slots = response.context["slots"]
    assert slots
    # Microneedling's minimum gap is 7 days, start to start.
    assert all(slot.start >= earlier.start + timedelta(days=7) for slot in slots)
    assert response.context["blocked"] == ""


def test_a_patient_blocked_from_the_procedures_gets_the_reason(desk_client, clinic):
    acne = screened_patient(by=clinic.desk, yes=("scalp_acne",))
    response = _search(desk_client, clinic, patient=acne)
    assert response.context["slots"] == []
    assert response.context["blocked"].startswith("Not bookable on")
    html = response.content.decode()
    assert "data-slots-blocked" in html
    assert "<table" not in html


def test_an_archived_patient_gets_the_reason(desk_client, clinic):
    patient = screened_patient(by=clinic.desk)
    patient.archived_at, patient.archived_by = times.local(on_day(0, 8)), clinic.desk
    patient.save()
    response = _search(desk_client, clinic, patient=patient)
    assert response.context["slots"] == []
    assert "archived" in response.context["blocked"]


def test_one_click_books_the_slot(desk_client, clinic):
    patient = screened_patient(by=clinic.desk)
    response = _search(desk_client, clinic, patient=patient)
    first = response.context["slots"][0]
    data = _first_booking_form(response.content.decode())
    assert data["patient"] == str(patient.pk)
    assert data["form_token"]

    booked = desk_client.post(reverse("scheduling:session-book"), data)
    session = TreatmentSession.objects.get()
    assert booked.status_code == 302
    assert booked.url == session.get_absolute_url()
    assert (session.patient, session.start, session.status) == (patient, first.start, Status.BOOKED)
    assert (session.provider, session.room, session.device) == (
        first.provider,
        first.room,
        first.device,
    )
    # The same button again (a double click) books nothing more.
    desk_client.post(reverse("scheduling:session-book"), data)
    assert TreatmentSession.objects.count() == 1


def test_missing_consent_is_named_with_the_slots(desk_client, clinic):
    patient = screened_patient(by=clinic.desk, consent=False)
    response = _search(desk_client, clinic, patient=patient)
    assert response.context["slots"]
    assert response.context["missing_consents"] == ["microneedling"]
    assert reverse("scheduling:consent-create", args=[patient.pk, "microneedling"]) in (
        response.content.decode()
    )


def test_the_chosen_patient_travels_as_an_id_only(desk_client, clinic):
    patient = screened_patient(by=clinic.desk, patient__last_name="Zebedee")
    html = _search(desk_client, clinic, patient=patient).content.decode()
    for href in re.findall(r'href="([^"]*)"', html):
        assert "Zebedee" not in href and patient.mrn not in href
    # The picker shows who is chosen; the form carries the id.
    assert "Zebedee" in html
    assert f'name="patient" value="{patient.pk}"' in html


@pytest.mark.parametrize(
    "url",
    [
        reverse("scheduling:today"),
        reverse("scheduling:free-slots"),
        reverse("scheduling:session-book"),
    ],
)
def test_the_picker_is_on_the_scheduling_pages(desk_client, clinic, url):
    html = desk_client.get(url).content.decode()
    assert 'role="combobox"' in html
    assert 'role="listbox"' in html
    assert 'aria-live="polite"' in html
    assert f'hx-post="{reverse("intake:patient-picker")}"' in html
    assert 'hx-trigger="input changed delay:250ms"' in html
    assert "<select" not in html.split('role="combobox"')[0].split("data-patient-picker")[-1]


def test_the_booking_form_starts_without_a_patient_and_asks_for_one(desk_client, clinic):
    """The form opens with no patient; posted without one, it names the picker as the problem
    (summary link, aria-invalid, the error described) and books nothing."""
    started = desk_client.get(reverse("scheduling:session-book"))
    assert started.status_code == 200
    assert started.context["patient"] is None
    response = desk_client.post(
        reverse("scheduling:session-book"),
        {
            "session_type": clinic.types[MN].pk,
            "day": on_day(2, 10).date().isoformat(),
            "time": "10:00",
            "form_token": "t-1",
        },
    )
    assert response.status_code == 200
    page, summary = summary_of(response)
    links = summary_links(summary)
    assert "Choose the patient" in links["#patient-picker-input"]
    combobox = by_id(page, "patient-picker-input")
    assert attr(combobox, "role") == "combobox"
    assert attr(combobox, "aria-invalid") == "true"
    described_by = (attr(combobox, "aria-describedby") or "").split()
    assert described_by == ["patient-picker-help", "patient-picker-error"]
    assert "Choose the patient" in text(by_id(page, "patient-picker-error"))
    assert not TreatmentSession.objects.exists()
