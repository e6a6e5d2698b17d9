"""The journeys of each role, clicking through the real pages as a person would."""

import csv
import importlib
import io
from datetime import time, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from playwright.sync_api import Page, expect

from core.roles import CLINIC_ADMIN, FRONT_DESK, PHYSICIAN
from demo import scheduling as demo
from eligibility import rules
from scheduling import times
from scheduling.models import Room, Status, TreatmentSession
from tests.factories import PatientFactory, UserFactory, submit_intake
from tests.scheduling.factories import sign_all
from treatments.models import SessionType

pytestmark = pytest.mark.django_db(transaction=True)

HISTORY_RADIOS = (
    "family_history_0",
    "course_0",
    "loss_pattern_0",
    "thyroid_disease_1",
    "iron_deficiency_1",
    "autoimmune_disease_1",
    "recent_illness_or_stress_1",
)
TREATMENTS = (
    "minoxidil",
    "finasteride",
    "dutasteride",
    "supplements",
    "prp",
    "laser",
    "transplant",
)


@pytest.fixture
def clinic():
    """Session types, hours, rooms and devices as a fresh install has them (the flush after a
    browser test empties every table, so they are put back for each one)."""
    # Session types first (with their colours), then the hours; each data migration runs
    # against the models as they stood when it was written.
    for app, migration in (
        ("treatments", "0003_default_session_types"),
        ("scheduling", "0003_defaults"),
    ):
        state = MigrationExecutor(connection).loader.project_state((app, migration), at_end=True)
        importlib.import_module(f"{app}.migrations.{migration}").seed(state.apps, None)
    desk = UserFactory(username="fran", first_name="Fran", last_name="Desk", role=FRONT_DESK)
    doctor = UserFactory(username="drshah", first_name="Priya", last_name="Shah", role=PHYSICIAN)
    demo.seed(physician=doctor, desk=desk)
    return {"desk": desk, "doctor": doctor}


def next_weekday():
    day = times.today() + timedelta(days=1)
    while day.weekday() > 4:
        day += timedelta(days=1)
    return day


def screened_patient(by, *, first, last, yes=(), consent=True):
    patient = PatientFactory(first_name=first, last_name=last)
    submit_intake(by, patient, *yes)
    if consent:
        sign_all(patient, by=by)
    return patient


def session_today(patient, *, doctor, desk, status=Status.BOOKED):
    session_type = SessionType.objects.get(name="PRP with microneedling")
    start = times.at(times.today(), time(9))
    return TreatmentSession.objects.create(
        patient=patient,
        session_type=session_type,
        provider=doctor,
        room=Room.objects.get(name="Room 2"),
        device=demo.Device.objects.filter(kind=session_type.device_kind).first(),
        start=start,
        end=start + session_type.duration,
        status=status,
        booked_by=desk,
    )


def fill_intake(page: Page, *, yes: tuple[str, ...] = ()) -> None:
    page.fill("#id_onset", "About two years ago")
    for radio in HISTORY_RADIOS:
        page.check(f"#id_{radio}")
    page.select_option("#id_scale", "norwood")
    page.select_option("#id_grade", "III")
    page.select_option("#id_fitzpatrick", "II")
    for code in TREATMENTS:
        page.check(f"#id_treatment_{code}_0")
    for condition in rules.CATALOGUE:
        page.check(f"#id_q_{condition.code}_{0 if condition.code in yes else 1}")
    page.click("text=Submit intake")


def book(page: Page, live_server, patient_pk: int, *, day, room="Room 1") -> None:
    page.goto(f"{live_server.url}/schedule/book/?patient={patient_pk}")
    page.select_option("#id_session_type", label="PRP with microneedling")
    page.fill("#id_day", day.isoformat())
    page.fill("#id_time", "10:00")
    page.select_option("#id_room", label=room)
    page.click("#submit-id-book")


def test_front_desk_journey(page: Page, live_server, log_in, shot, clinic):
    desk = clinic["desk"]
    log_in(page, desk)
    shot(page, "01-dashboard-front-desk")

    page.get_by_role("link", name="Register", exact=True).click()
    page.fill("#id_first_name", "Ada")
    page.fill("#id_last_name", "Lovelace")
    page.fill("#id_date_of_birth", "1985-12-10")
    page.select_option("#id_sex", "female")
    page.fill("#id_phone", "07911 123456")
    shot(page, "02-register-patient")
    page.click("text=Save patient")
    expect(page.locator("h1")).to_contain_text("Ada Lovelace")
    ada_url = page.url

    page.click("text=New intake")
    shot(page, "03-intake-form")
    fill_intake(page)
    expect(page.locator(".alert-success")).to_contain_text("Intake saved")
    for procedure in rules.PROCEDURES:
        expect(page.locator(f'[data-procedure="{procedure}"]')).to_have_text("Eligible")

    # Consent for each procedure of the session, then book PRP with microneedling.
    for _ in ("prp", "microneedling"):
        page.locator("#sessions").get_by_role("link", name="take consent").first.click()
        page.fill("#id_typed_name", "Ada Lovelace")
        page.check("#id_agreed")
        page.click("#submit-id-sign")
        page.goto(ada_url)
    shot(page, "04-patient-eligible")
    day = next_weekday()
    page.get_by_role("link", name="Book a session").click()
    page.select_option("#id_session_type", label="PRP with microneedling")
    page.fill("#id_day", day.isoformat())
    page.fill("#id_time", "10:00")
    page.select_option("#id_room", label="Room 1")
    shot(page, "05-book-session")
    page.click("#submit-id-book")
    expect(page.locator(".alert-success")).to_be_visible()
    assert TreatmentSession.objects.filter(patient__last_name="Lovelace").count() == 1
    shot(page, "06-session-booked")

    # Scalp acne today: the booking is refused with the reason.
    page.goto(f"{live_server.url}/patients/new/")
    page.fill("#id_first_name", "Harry")
    page.fill("#id_last_name", "Wilson")
    page.fill("#id_date_of_birth", "1994-06-30")
    page.select_option("#id_sex", "male")
    page.click("text=Save patient")
    harry_pk = int(page.url.rstrip("/").split("/")[-1])
    page.click("text=New intake")
    fill_intake(page, yes=("scalp_acne",))
    for procedure in rules.PROCEDURES:
        expect(page.locator(f'[data-procedure="{procedure}"]')).to_have_text("Not eligible")
    expect(page.locator("#eligibility")).to_contain_text("Scalp acne")
    shot(page, "07-patient-scalp-acne")
    book(page, live_server, harry_pk, day=day)
    expect(page.locator("main form")).to_contain_text("Scalp acne: stands until")
    shot(page, "08-booking-refused-acne")

    # The same room at the same time is taken.
    grace = screened_patient(desk, first="Grace", last="Hopper")
    book(page, live_server, grace.pk, day=day)
    expect(page.locator("main form")).to_contain_text("Room 1 is booked")
    shot(page, "09-booking-refused-room-taken")
    assert TreatmentSession.objects.count() == 1

    # Check-in re-asks the scalp questions of the day.
    today = session_today(grace, doctor=clinic["doctor"], desk=desk)
    page.goto(f"{live_server.url}/schedule/sessions/{today.pk}/")
    page.get_by_role("link", name="Check in").click()
    for code in rules.DAY_OF_CODES:
        page.check(f"#id_{code}_1")
    shot(page, "10-check-in")
    page.click("#submit-id-check_in")
    expect(page.locator(".alert-success")).to_contain_text("Checked in")
    today.refresh_from_db()
    assert today.status == Status.CHECKED_IN

    # Search finds the patient, with nothing of the search in the address bar.
    page.goto(f"{live_server.url}/patients/")
    page.fill("#id_q", "Lovel")
    page.click("#submit-id-search")
    expect(page.locator("table")).to_contain_text("Lovelace, Ada")
    assert "Lovel" not in page.url


def test_physician_journey(page: Page, live_server, log_in, shot, clinic):
    desk, doctor = clinic["desk"], clinic["doctor"]
    margaret = screened_patient(desk, first="Margaret", last="Hughes", yes=("anticoagulant",))
    oliver = screened_patient(desk, first="Oliver", last="Bennett")
    session = session_today(oliver, doctor=doctor, desk=desk, status=Status.CHECKED_IN)

    log_in(page, doctor, second_factor=True)
    page.click("text=Review queue")
    expect(page.locator("table")).to_contain_text("Hughes, Margaret")
    shot(page, "11-review-queue")
    page.locator("tr", has_text="PRP").locator("text=Review").click()
    page.check("#id_decision_0")
    page.fill("#id_note", "INR stable at 2.3; cleared for PRP.")
    shot(page, "12-review-decision")
    page.click("text=Record decision")
    expect(page.locator(".alert-success")).to_contain_text("Decision recorded")
    page.goto(f"{live_server.url}/patients/{margaret.pk}/")
    expect(page.locator('[data-procedure="prp"]')).to_have_text("Cleared by physician")
    shot(page, "13-patient-cleared")

    # Chart the treatment of the checked-in session and complete it.
    page.goto(f"{live_server.url}/schedule/sessions/{session.pk}/")
    page.get_by_role("button", name="Start treatment").click()
    page.get_by_role("link", name="Treatment record").click()
    page.fill("#id_needle_depth_mm", "1.5")
    page.fill("#id_passes", "3")
    page.fill("#id_cartridge_lot", "CT-2411")
    page.fill("#id_prp_kit_lot", "PK-7001")
    page.fill("#id_prp_volume_ml", "4")
    page.check("#id_post_care_given")
    shot(page, "14-treatment-record")
    page.click("#submit-id-save")
    page.get_by_role("button", name="Complete").click()
    session.refresh_from_db()
    assert session.status == Status.COMPLETED
    assert str(session.needle_depth_mm) == "1.50"
    page.get_by_role("link", name="Post-care sheet").click()
    expect(page.locator("main")).to_contain_text("24 hours")
    shot(page, "15-post-care-sheet")


def test_admin_journey(page: Page, live_server, log_in, shot, clinic, tmp_path):
    admin = UserFactory(username="alex", first_name="Alex", role=CLINIC_ADMIN, is_staff=True)
    desk, doctor = clinic["desk"], clinic["doctor"]
    amelia = screened_patient(desk, first="Amelia", last="Clarke")
    session = session_today(amelia, doctor=doctor, desk=desk)
    TreatmentSession.objects.filter(pk=session.pk).update(
        start=session.start - timedelta(days=20), end=session.end - timedelta(days=20)
    )

    log_in(page, admin, second_factor=True)
    page.get_by_role("link", name="Reports").first.click()
    page.get_by_role("link", name="Sessions").first.click()
    page.fill("#id_date_from", (times.today() - timedelta(days=30)).isoformat())
    page.fill("#id_date_to", times.today().isoformat())
    page.select_option("#id_procedure", "prp")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("svg.report-chart")).to_be_visible()
    shot(page, "16-report-sessions")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    path = tmp_path / "sessions.csv"
    download.value.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert [row["patient_mrn"] for row in rows] == [amelia.mrn]
    page.get_by_role("link", name="Audit log").first.click()
    expect(page.locator("main")).to_contain_text("export")
    shot(page, "17-audit-log")
