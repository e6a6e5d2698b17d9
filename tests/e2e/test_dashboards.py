"""Each role's dashboard with a day's worth of data (issue 14): its panels are shown, and the
README's dashboard screenshots (docs/screenshots/dashboard-<role>-<width>.png) are taken, full
page, at laptop and phone width."""

import re
from datetime import time, timedelta

import pytest
from playwright.sync_api import Page, expect

from core.roles import CLINIC_ADMIN
from scheduling import times
from scheduling.models import Device, Room, Status, TreatmentSession
from tests.e2e.test_journeys import clinic, screened_patient  # noqa: F401
from tests.factories import UserFactory
from treatments.models import SessionType

pytestmark = pytest.mark.django_db(transaction=True)

VIEWPORTS = ({"width": 1366, "height": 768}, {"width": 390, "height": 844})


def session_on(patient, *, clinic, day, hour, status=Status.BOOKED):  # noqa: F811
    """A session of `patient` with the clinic's physician at `hour` on `day` (Room 2)."""
    session_type = SessionType.objects.get(name="PRP with microneedling")
    start = times.at(day, time(hour))
    extra = {}
    if status == Status.COMPLETED:
        extra = {"charted_at": start, "charted_by": clinic["doctor"], "completed_at": start}
    elif status == Status.CANCELLED:
        extra = {"cancel_reason": "Patient unwell"}
    return TreatmentSession.objects.create(
        patient=patient,
        session_type=session_type,
        provider=clinic["doctor"],
        room=Room.objects.get(name="Room 2"),
        device=Device.objects.filter(kind=session_type.device_kind).first(),
        start=start,
        end=start + session_type.duration,
        status=status,
        booked_by=clinic["desk"],
        **extra,
    )


def shoot(page: Page, shot, role: str, headings: tuple[str, ...]) -> None:
    """Every panel's heading shown and nothing wider than the screen, then the page at each
    width."""
    for viewport in VIEWPORTS:
        page.set_viewport_size(viewport)
        for heading in headings:
            expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{role} dashboard is {width} px wide"
        shot(page, f"dashboard-{role}-{viewport['width']}")


def test_front_desk_dashboard(page: Page, log_in, shot, clinic):  # noqa: F811
    desk = clinic["desk"]
    today = times.today()
    oliver = screened_patient(desk, first="Oliver", last="Bennett")
    session_on(oliver, clinic=clinic, day=today, hour=9)
    grace = screened_patient(desk, first="Grace", last="Okafor", consent=False)
    session_on(grace, clinic=clinic, day=today, hour=11)

    log_in(page, desk)
    arrivals = page.locator("#arrivals")
    expect(arrivals).to_contain_text("Bennett, Oliver")
    expect(arrivals).to_contain_text("Okafor, Grace")
    expect(arrivals.get_by_role("link", name="Check in Bennett")).to_be_visible()
    shoot(page, shot, "front-desk", ("Today's arrivals", "Needs attention"))


def test_physician_dashboard(page: Page, log_in, shot, clinic):  # noqa: F811
    desk, doctor = clinic["desk"], clinic["doctor"]
    today = times.today()
    screened_patient(desk, first="Margaret", last="Hughes", yes=("anticoagulant",))
    oliver = screened_patient(desk, first="Oliver", last="Bennett")
    session_on(oliver, clinic=clinic, day=today, hour=9, status=Status.CHECKED_IN)
    grace = screened_patient(desk, first="Grace", last="Okafor")
    session_on(grace, clinic=clinic, day=today, hour=11)

    log_in(page, doctor, second_factor=True)
    expect(page.locator("#reviews-waiting")).to_have_text(re.compile(r"^[1-9]\d*$"))
    expect(page.locator("#today")).to_contain_text("Okafor, Grace")
    expect(page.locator("#to-chart")).to_contain_text("Bennett, Oliver")
    shoot(page, shot, "physician", ("Reviews waiting", "Your patients today", "To chart"))


def test_admin_dashboard(page: Page, log_in, shot, clinic):  # noqa: F811
    admin = UserFactory(username="alex", first_name="Alex", role=CLINIC_ADMIN, is_staff=True)
    desk = clinic["desk"]
    monday = times.today() - timedelta(days=times.today().weekday())
    plan = (
        (0, 9, Status.COMPLETED),
        (0, 11, Status.BOOKED),
        (1, 9, Status.CANCELLED),
        (1, 11, Status.BOOKED),
        (2, 10, Status.BOOKED),
        (3, 9, Status.BOOKED),
        (4, 14, Status.BOOKED),
    )
    for n, (offset, hour, status) in enumerate(plan):
        patient = screened_patient(desk, first=f"Patient{n}", last="Weekly")
        session_on(
            patient, clinic=clinic, day=monday + timedelta(days=offset), hour=hour, status=status
        )

    log_in(page, admin, second_factor=True)
    week = page.locator("#week tbody")
    expect(week.locator("tr")).to_have_count(7)
    expect(week.locator("tr").first.locator("td").first).to_have_text("2")  # Monday's booked
    shoot(page, shot, "admin", ("This week",))
