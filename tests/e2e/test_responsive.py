"""Phone and laptop widths (issue 14): nothing cut off, nothing out of reach.

At 390 px the review queue keeps its Review button on screen and the busiest pages do not
scroll sideways; the day grid scrolls inside a keyboard-focusable region, so every room is
reachable; at 1366 px the report filters wrap rather than run off the page. At every width
(phone, tablet, laptop) no page of any role scrolls sideways.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from core.roles import CLINIC_ADMIN, FRONT_DESK, PHYSICIAN
from tests.e2e.test_axe import demo_objects, log_in_as, pages_for  # noqa: F401
from tests.e2e.test_journeys import clinic, screened_patient, session_today  # noqa: F401
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 768, "height": 1024}
LAPTOP = {"width": 1366, "height": 768}


# The selects whose longest choice is wider than the room inside them (padding and arrow).
CLIPPED_SELECTS = """() => {
  const canvas = document.createElement("canvas").getContext("2d");
  return [...document.querySelectorAll("main form select")].filter(select => {
    const style = getComputedStyle(select);
    canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const room = select.clientWidth
      - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return [...select.options].some(o => canvas.measureText(o.text).width > room + 1);
  }).map(select => select.name);
}"""


def scroll_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.fixture
def busy_clinic(clinic):  # noqa: F811
    desk, doctor = clinic["desk"], clinic["doctor"]
    patient = screened_patient(desk, first="Grace", last="Hopper")
    session = session_today(patient, doctor=doctor, desk=desk)
    screened_patient(desk, first="Margaret", last="Featherstonehaugh", yes=("anticoagulant",))
    return {**clinic, "session": session}


def test_phone_pages_fit_the_screen(page: Page, live_server, log_in, busy_clinic):
    log_in(page, busy_clinic["doctor"], second_factor=True)
    page.set_viewport_size(PHONE)

    page.goto(live_server.url + reverse("eligibility:review-queue"))
    button = page.get_by_role("link", name="Review", exact=True).first
    expect(button).to_be_visible()
    box = button.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= PHONE["width"], box
    assert scroll_width(page) <= PHONE["width"], "review queue scrolls sideways"

    session = busy_clinic["session"]
    for where in (
        reverse("dashboard"),
        reverse("intake:patient-list"),
        reverse("scheduling:session-detail", args=[session.pk]),
    ):
        page.goto(f"{live_server.url}{where}")
        assert scroll_width(page) <= PHONE["width"], f"{where} scrolls sideways"


def test_phone_day_view_reaches_every_room_by_keyboard(
    page: Page, live_server, log_in, busy_clinic
):
    log_in(page, busy_clinic["doctor"], second_factor=True)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("scheduling:today") + "?by=room")
    assert scroll_width(page) <= PHONE["width"], "the day view scrolls sideways"

    region = page.get_by_role("region", name="Day schedule")
    expect(region).to_have_attribute("tabindex", "0")
    last_room = page.locator(".schedule-grid thead th").last
    room_name = last_room.inner_text()
    assert room_name and room_name != "Time"

    def last_room_in_view() -> bool:
        box, frame = last_room.bounding_box(), region.bounding_box()
        return (
            box["x"] >= frame["x"] - 1
            and box["x"] + box["width"] <= frame["x"] + frame["width"] + 1
            and box["x"] + box["width"] <= PHONE["width"]
        )

    assert not last_room_in_view(), "the grid is expected to be wider than a phone"
    region.focus()
    expect(region).to_be_focused()
    for _ in range(40):
        if last_room_in_view():
            break
        page.keyboard.press("ArrowRight")
    assert last_room_in_view(), f"{room_name} could not be scrolled into view"
    expect(last_room).to_be_in_viewport()
    # Its afternoon too: End takes the page to the grid's last slot, the rooms still in view.
    page.keyboard.press("End")
    expect(page.locator(".schedule-grid tbody tr").last.locator("th")).to_be_in_viewport()
    assert last_room_in_view()
    # The time column stays put while the rooms scroll past it.
    time_header = page.locator(".schedule-grid thead th.schedule-time")
    time_box, frame = time_header.bounding_box(), region.bounding_box()
    assert abs(time_box["x"] - frame["x"]) <= 2, "the time column is not sticky"


def test_laptop_report_filters_are_on_screen(page: Page, live_server, log_in, busy_clinic):
    admin = UserFactory(username="alex", first_name="Alex", role=CLINIC_ADMIN, is_staff=True)
    log_in(page, admin, second_factor=True)
    page.set_viewport_size(LAPTOP)
    for report in ("sessions", "screenings", "reviews", "recall"):
        page.goto(live_server.url + reverse(f"reports:{report}"))
        fields = page.locator("main form .form-control, main form .form-select")
        assert fields.count() >= 7, report
        for index in range(fields.count()):
            field = fields.nth(index)
            box = field.bounding_box()
            assert box is not None, (report, index)
            assert box["x"] >= 0 and box["x"] + box["width"] <= LAPTOP["width"], (
                report,
                field.get_attribute("name"),
                box,
            )
        # Nor squeezed: every select is wide enough for its longest choice.
        clipped = page.evaluate(CLIPPED_SELECTS)
        assert not clipped, (report, clipped)
        assert scroll_width(page) <= LAPTOP["width"], f"{report} scrolls sideways"


# Wider than the page: what sticks out of the document, with the element that does, so a
# failure names the culprit rather than only the width.
OVERFLOW = """(limit) => {
  const wide = [...document.querySelectorAll("body *")].filter(el => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.right > limit + 1 && !el.closest(".table-responsive");
  });
  const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (typeof el.className === "string" && el.className ? "." + el.className.split(" ")[0] : "");
  return {width: document.documentElement.scrollWidth, culprits: wide.slice(0, 3).map(name)};
}"""


@pytest.mark.parametrize("role", [FRONT_DESK, PHYSICIAN, CLINIC_ADMIN])
def test_no_page_scrolls_sideways(page: Page, live_server, log_in, clinic, demo_objects, role):  # noqa: F811
    """Every HTML page a role opens, at phone, tablet and laptop width: the document is never
    wider than the screen (a wide table or the day grid scrolls inside its own region)."""
    log_in_as(page, log_in, role, clinic)
    urls = [
        url
        for url in pages_for(role, demo_objects)
        if page.request.get(live_server.url + url)
        .headers.get("content-type", "")
        .startswith("text/html")
    ]
    wide = []
    for viewport in (PHONE, TABLET, LAPTOP):
        page.set_viewport_size(viewport)
        for url in urls:
            page.goto(live_server.url + url)
            found = page.evaluate(OVERFLOW, viewport["width"])
            if found["width"] > viewport["width"]:
                wide.append(
                    f"{url} @{viewport['width']}px: {found['width']} px {found['culprits']}"
                )
    assert not wide, "pages wider than the screen:\n" + "\n".join(wide)
