# ruff: noqa: RUF001 - messages use en dashes
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from eligibility import rules
from scheduling import times
from scheduling.consent import CURRENT as CONSENT_TEXTS
from scheduling.models import Consent, Status, TreatmentSession
from tests.factories import UserFactory, login_client
from tests.scheduling.factories import (
    LLLT,
    PRP_MN,
    make_session,
    on_day,
    screened_patient,
)
from treatments.services import publish_consent_text

pytestmark = pytest.mark.django_db


def _book_data(clinic, patient, *, token="tok-1", hour=10, **extra):
    start = on_day(2, hour)
    data = {
        "patient": patient.pk,
        "session_type": clinic.types[PRP_MN].pk,
        "day": start.date().isoformat(),
        "time": f"{hour:02d}:00",
        "provider": "",
        "room": "",
        "device": "",
        "form_token": token,
    }
    data.update(extra)
    return data


def test_desk_books_and_a_resubmission_books_once(desk_client, clinic):
    patient = screened_patient(by=clinic.desk)
    url = reverse("scheduling:session-book")
    response = desk_client.post(url, _book_data(clinic, patient))
    session = TreatmentSession.objects.get()
    assert response.status_code == 302
    assert response.url == session.get_absolute_url()
    again = desk_client.post(url, _book_data(clinic, patient))
    assert again.status_code == 302
    assert TreatmentSession.objects.count() == 1


def test_booking_form_presets_patient_by_pk(desk_client, clinic):
    patient = screened_patient(by=clinic.desk)
    response = desk_client.get(reverse("scheduling:session-book") + f"?patient={patient.pk}")
    assert response.status_code == 200
    assert response.context["form"].initial["patient"] == patient.pk


def test_not_eligible_patient_is_refused_with_the_reason(desk_client, clinic):
    acne = screened_patient(by=clinic.desk, yes=("scalp_acne",))
    response = desk_client.post(reverse("scheduling:session-book"), _book_data(clinic, acne))
    assert response.status_code == 200
    assert "Scalp acne: stands until" in response.content.decode()
    assert not TreatmentSession.objects.exists()


def test_second_booking_in_the_same_room_is_refused(desk_client, clinic):
    first = screened_patient(by=clinic.desk)
    second = screened_patient(by=clinic.desk)
    url = reverse("scheduling:session-book")
    desk_client.post(url, _book_data(clinic, first, token="a"))
    room = TreatmentSession.objects.get().room
    response = desk_client.post(url, _book_data(clinic, second, token="b", room=room.pk))
    assert response.status_code == 200
    assert f"{room.name} is booked" in response.content.decode()
    assert TreatmentSession.objects.count() == 1


def test_check_in_with_a_yes_is_stopped_and_the_desk_sees_why(desk_client, clinic):
    patient = screened_patient(by=clinic.desk)
    session = make_session(clinic, patient=patient)
    answers = dict.fromkeys(rules.DAY_OF_CODES, "no") | {"scalp_wound": "yes"}
    response = desk_client.post(
        reverse("scheduling:session-check-in", args=[session.pk]), answers, follow=True
    )
    session.refresh_from_db()
    assert session.status == Status.BOOKED
    assert "scalp wound" in response.content.decode()
    assert "Stopped at check-in" in response.content.decode()


def test_check_in_all_no(desk_client, clinic):
    patient = screened_patient(by=clinic.desk)
    session = make_session(clinic, patient=patient)
    answers = dict.fromkeys(rules.DAY_OF_CODES, "no")
    desk_client.post(reverse("scheduling:session-check-in", args=[session.pk]), answers)
    session.refresh_from_db()
    assert session.status == Status.CHECKED_IN


def test_check_in_needs_every_answer(desk_client, clinic):
    patient = screened_patient(by=clinic.desk)
    session = make_session(clinic, patient=patient)
    response = desk_client.post(
        reverse("scheduling:session-check-in", args=[session.pk]), {"scalp_wound": "no"}
    )
    assert response.status_code == 200
    assert "Please answer yes or no." in response.content.decode()


def test_physician_charts_and_completes_desk_is_refused(desk_client, physician_client, clinic):
    patient = screened_patient(by=clinic.desk)
    session = make_session(clinic, patient=patient, status=Status.CHECKED_IN)
    url = reverse("scheduling:session-treatment", args=[session.pk])
    record = {
        "needle_depth_mm": "1.5",
        "passes": "4",
        "cartridge_lot": "CL-1",
        "post_care_given": "on",
    }
    assert desk_client.get(url).status_code == 403
    assert desk_client.post(url, record).status_code == 403
    assert physician_client.post(url, record).status_code == 302
    physician_client.post(reverse("scheduling:session-start", args=[session.pk]))
    physician_client.post(reverse("scheduling:session-complete", args=[session.pk]))
    session.refresh_from_db()
    assert session.status == Status.COMPLETED
    assert str(session.needle_depth_mm) == "1.50"


def test_complete_without_record_says_what_is_missing(physician_client, clinic):
    patient = screened_patient(by=clinic.desk)
    session = make_session(clinic, patient=patient, status=Status.CHECKED_IN)
    response = physician_client.post(
        reverse("scheduling:session-complete", args=[session.pk]), follow=True
    )
    assert "No treatment record yet" in response.content.decode()
    session.refresh_from_db()
    assert session.status == Status.CHECKED_IN


def test_post_care_sheet_renders_the_clinic_text(desk_client, clinic):
    patient = screened_patient(by=clinic.desk)
    session = make_session(clinic, patient=patient, type_name=PRP_MN)
    response = desk_client.get(reverse("scheduling:session-post-care", args=[session.pk]))
    text = response.content.decode()
    assert response.status_code == 200
    assert "pinpoint bleeding" in text
    assert "No sauna, hard exercise or strong sun for 1–3 days after PRP" in text
    assert "data-print" in text
    assert "style=" not in text


def test_reschedule_and_cancel_through_the_views(desk_client, clinic):
    patient = screened_patient(by=clinic.desk)
    session = make_session(clinic, patient=patient, start=on_day(2, 10))
    new = on_day(3, 11)
    response = desk_client.post(
        reverse("scheduling:session-reschedule", args=[session.pk]),
        {
            "day": new.date().isoformat(),
            "time": "11:00",
            "provider": clinic.doctor.pk,
            "room": session.room_id,
            "device": session.device_id,
        },
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.start == new
    desk_client.post(reverse("scheduling:session-cancel", args=[session.pk]), {"reason": "Ill"})
    session.refresh_from_db()
    assert session.status == Status.CANCELLED
    assert session.events.count() == 2


def test_consent_through_the_view(desk_client, clinic):
    patient = screened_patient(by=clinic.desk, consent=False)
    url = reverse("scheduling:consent-create", args=[patient.pk, "prp"])
    assert "off-label" in desk_client.get(url).content.decode()
    posted = {"typed_name": patient.full_name, "agreed": "on", "form_token": "c1"}
    version = f'name="text_version" value="{CONSENT_TEXTS["prp"].version}"'
    assert version in desk_client.get(url).content.decode()
    response = desk_client.post(url, {**posted, "text_version": CONSENT_TEXTS["prp"].version})
    assert response.status_code == 302
    assert Consent.objects.filter(patient=patient, procedure="prp").count() == 1


def test_a_consent_on_a_text_replaced_while_the_page_was_open_is_refused(
    desk_client, clinic, admin_user
):
    """The page sends the version it showed; an admin published a new one meanwhile: nothing
    is recorded, and the form shows the new text with its version to sign again."""
    patient = screened_patient(by=clinic.desk, consent=False)
    url = reverse("scheduling:consent-create", args=[patient.pk, "prp"])
    posted = {"typed_name": patient.full_name, "agreed": "on", "form_token": "c2"}
    shown = CONSENT_TEXTS["prp"].version
    publish_consent_text(
        procedure="prp", title="PRP, revised", body="New risks.\n\nNew care.", by=admin_user
    )
    response = desk_client.post(url, {**posted, "text_version": shown})
    assert response.status_code == 200
    page = response.content.decode()
    assert "was updated while this page was open" in page
    assert f'name="text_version" value="{CONSENT_TEXTS["prp"].version}"' in page
    assert not Consent.objects.filter(patient=patient, procedure="prp").exists()


def test_patient_page_lists_sessions(desk_client, clinic):
    patient = screened_patient(by=clinic.desk)
    make_session(clinic, patient=patient, start=on_day(2, 10))
    response = desk_client.get(reverse("intake:patient-detail", args=[patient.pk]))
    text = response.content.decode()
    assert 'id="sessions"' in text
    assert "Microneedling" in text
    assert f"?patient={patient.pk}" in text


@pytest.mark.parametrize("by", ["room", "provider"])
def test_day_view_query_count_does_not_grow(desk_client, clinic, by):
    day = times.today() + timedelta(days=5)
    patients = [screened_patient(by=clinic.desk) for _ in range(20)]
    # One after another in one room, so nothing overlaps (PostgreSQL's constraints hold).
    starts = [on_day(5, 5) + timedelta(minutes=45 * i) for i in range(20)]
    for patient, start in zip(patients[:2], starts[:2], strict=True):
        make_session(clinic, patient=patient, start=start)
    url = reverse("scheduling:day", args=[day]) + f"?by={by}"
    with CaptureQueriesContext(connection) as small:
        assert desk_client.get(url).status_code == 200
    for patient, start in zip(patients[2:], starts[2:], strict=True):
        make_session(clinic, patient=patient, start=start)
    with CaptureQueriesContext(connection) as large:
        response = desk_client.get(url)
    assert response.context["grid"].count == 20
    assert len(large.captured_queries) == len(small.captured_queries)
    # Its own: sessions, columns, opening hours, closed day, one INSERT of the access log.
    own = [
        q["sql"]
        for q in large.captured_queries
        if "scheduling_" in q["sql"] or "auditlog_" in q["sql"]
    ]
    assert len(own) <= DAY_VIEW_OWN_QUERIES, own


DAY_VIEW_OWN_QUERIES = 5


def test_a_busy_day_is_logged_in_bulk(clinic, front_desk_user):
    """150 sessions shown: a handful of statements, not 150."""
    from auditlog.models import LogEntry

    from scheduling.selectors import _log_many

    session = make_session(clinic, patient=screened_patient(by=clinic.desk), start=on_day(1, 10))
    before = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count()
    with CaptureQueriesContext(connection) as captured:
        _log_many([session] * 150, by=front_desk_user)
    assert len(captured.captured_queries) <= 6
    entries = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, object_pk=str(session.pk))
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count() == before + 150
    assert entries.filter(actor=front_desk_user, object_repr=str(session)).count() == 150


def test_day_view_shows_a_session_still_running_from_the_day_before(desk_client, clinic):
    patient = screened_patient(by=clinic.desk)
    session = make_session(clinic, patient=patient, start=on_day(1, 10))
    # Legacy data: a session crossing midnight into the next day.
    TreatmentSession.objects.filter(pk=session.pk).update(end=on_day(2, 1))
    response = desk_client.get(reverse("scheduling:day", args=[on_day(2, 10).date()]))
    assert response.context["grid"].count == 1
    assert patient.last_name in response.content.decode()


def test_day_view_shows_sessions_in_the_grid(desk_client, clinic):
    patient = screened_patient(by=clinic.desk)
    make_session(clinic, patient=patient, start=on_day(1, 10))
    response = desk_client.get(reverse("scheduling:day", args=[on_day(1, 10).date()]))
    text = response.content.decode()
    assert patient.last_name in text
    assert 'rowspan="3"' in text
    assert "Room 1" in text


def test_day_view_escapes_names_in_the_grid(desk_client, clinic):
    patient = screened_patient(
        by=clinic.desk,
        patient__first_name='"Ann"',
        patient__last_name="<script>alert(1)</script>",
    )
    session = make_session(clinic, patient=patient, start=on_day(1, 10))
    clinic.rooms["Room 1"].name = 'Room "<b>1</b>"'
    clinic.rooms["Room 1"].save()
    for by in ("room", "provider"):
        url = reverse("scheduling:day", args=[on_day(1, 10).date()])
        text = desk_client.get(url, {"by": by}).content.decode()
        assert "<script>alert(1)</script>" not in text and "<b>1</b>" not in text
        card = (
            "<span>&lt;script&gt;alert(1)&lt;/script&gt;, &quot;Ann&quot;</span>"
            if by == "room"
            else "Room &quot;&lt;b&gt;1&lt;/b&gt;&quot; · "
        )
        assert card in text
        assert f'href="{session.get_absolute_url()}"' in text


def test_today_is_the_default(desk_client, clinic):
    response = desk_client.get(reverse("scheduling:today"))
    assert response.context["day"] == times.today()


def test_free_slots_link_to_a_prefilled_booking(desk_client, clinic):
    patient = screened_patient(by=clinic.desk)
    # A laser session: it holds the doctor but sets no minimum interval for PRP or
    # microneedling (a patient-aware search offers nothing inside one: test_picker_slots.py).
    taken = make_session(clinic, patient=patient, start=on_day(1, 8), type_name=LLLT)
    response = desk_client.get(
        reverse("scheduling:free-slots"),
        {
            "session_type": clinic.types[PRP_MN].pk,
            "day": (times.today() + timedelta(days=1)).isoformat(),
            "patient": patient.pk,
        },
    )
    assert response.status_code == 200
    slots = response.context["slots"]
    # The patient's own session at opening holds the doctor: the first slot follows it.
    first = slots[0]
    assert first.start == taken.end
    assert first.end == first.start + clinic.types[PRP_MN].duration
    assert all(slot.start >= taken.end for slot in slots)
    link = (
        f"room={first.room.pk}&amp;device={first.device.pk}&amp;start="
        f"{quote(first.start.isoformat())}&amp;patient={patient.pk}"
    )
    assert link in response.content.decode()


def test_booking_form_previews_eligibility_and_missing_consent(desk_client, clinic):
    patient = screened_patient(by=clinic.desk, consent=False)
    response = desk_client.get(
        reverse("scheduling:session-book"),
        {"patient": patient.pk, "session_type": clinic.types[PRP_MN].pk},
    )
    assert response.context["eligibility"].bookable
    assert response.context["missing_consents"] == ["prp", "microneedling"]
    page = response.content.decode()
    assert reverse("scheduling:consent-create", args=[patient.pk, "prp"]) in page
    # Named for people, each a link to take that consent.
    assert '>PRP<span class="visually-hidden">: take the consent</span></a>' in page
    assert '>microneedling<span class="visually-hidden">' in page
    assert ">prp<" not in page


@pytest.mark.parametrize(
    ("model", "page"),
    [
        ("scheduling_room", "configuration:room-list"),
        ("scheduling_device", "configuration:device-list"),
        ("treatments_sessiontype", "configuration:sessiontype-list"),
        ("scheduling_openinghours", "configuration:hours"),
        ("scheduling_closedday", "configuration:hours"),
    ],
)
def test_clinic_admins_keep_the_set_up_in_the_app_superusers_in_django_admin(
    admin_client_, model, page
):
    """Issue 14: Staff & settings is the app's own; Django's admin is for superusers only."""
    assert admin_client_.get(reverse(page)).status_code == 200
    changelist = reverse(f"admin:{model}_changelist")
    response = admin_client_.get(changelist)
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))
    superuser = UserFactory(is_superuser=True, is_staff=True)
    assert login_client(superuser).get(changelist).status_code == 200


def test_sessions_are_not_in_django_admin(admin_client_):
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        reverse("admin:scheduling_treatmentsession_changelist")


def test_session_pages_and_the_day_view_are_in_the_audit_log(desk_client, clinic):
    from auditlog.models import LogEntry

    patient = screened_patient(by=clinic.desk)
    session = make_session(clinic, patient=patient, start=on_day(1, 10))
    accesses = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, object_pk=str(session.pk))
    desk_client.get(reverse("scheduling:session-detail", args=[session.pk]))
    assert accesses.count() == 1
    desk_client.get(reverse("scheduling:day", args=[on_day(1, 10).date()]))
    assert accesses.count() == 2
    assert accesses.first().actor == clinic.desk


def test_booking_form_offers_only_the_chosen_patient(desk_client, clinic):
    chosen = screened_patient(by=clinic.desk, patient__last_name="Chosen")
    screened_patient(by=clinic.desk, patient__last_name="Other")
    page = desk_client.get(reverse("scheduling:session-book"), {"patient": chosen.pk})
    html = page.content.decode()
    assert "Chosen" in html and "Other" not in html
    blank = desk_client.get(reverse("scheduling:session-book")).content.decode()
    assert "Chosen" not in blank and "Open the patient" in blank
