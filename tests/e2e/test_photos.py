"""Scalp photos in a real browser (issue 17): a physician records the patient's photo consent,
takes a photo at each of two sessions (a file upload, as the tablet's camera hands one over),
and compares them side by side and with the slider. axe-core checks the compare page and the
contact sheet at phone and desktop width."""

from datetime import time, timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from photos.models import ScalpPhoto
from scheduling import times
from scheduling.models import Status, TreatmentSession
from tests.e2e.test_axe import axe
from tests.e2e.test_journeys import clinic, screened_patient, session_today  # noqa: F401
from tests.photos.helpers import jpeg_bytes, view

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _photos_in_tmp(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "photos": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "photos", "base_url": None},
        },
    }


def _no_violations(page: Page, where: str) -> None:
    violations = axe.run(page).response["violations"]
    assert not violations, f"{where}: " + "; ".join(v["id"] for v in violations)


def _upload(page: Page, colour: str) -> None:
    page.select_option("#id_view", label="Frontal hairline")
    page.set_input_files(
        "#id_image",
        files=[
            {"name": "scalp.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes(colour=colour)}
        ],
    )
    page.get_by_role("button", name="Save photo").click()
    expect(page.get_by_text("Frontal hairline photo saved.")).to_be_visible()


def test_a_physician_photographs_two_sessions_and_compares_them(
    page: Page,
    live_server,
    log_in,
    clinic,  # noqa: F811
):
    view()  # the default views, put back after an earlier browser test's flush
    desk, doctor = clinic["desk"], clinic["doctor"]
    patient = screened_patient(desk, first="Ada", last="Byron")
    today = session_today(patient, doctor=doctor, desk=desk, status=Status.CHECKED_IN)
    start = times.at(times.today() - timedelta(days=90), time(9))
    earlier = TreatmentSession.objects.create(
        patient=patient,
        session_type=today.session_type,
        provider=doctor,
        room=today.room,
        device=today.device,
        start=start,
        end=start + today.session_type.duration,
        status=Status.BOOKED,
        booked_by=desk,
    )

    log_in(page, doctor, second_factor=True)
    base = live_server.url
    page.goto(base + reverse("scheduling:session-detail", args=[earlier.pk]))
    card = page.locator("#photos")
    expect(card.get_by_role("heading", name="Scalp photos")).to_be_visible()
    card.get_by_role("link", name="record their photo consent").click()
    expect(
        page.get_by_role("heading", name="Consent to clinical scalp photographs")
    ).to_be_visible()
    page.fill("#id_typed_name", "Ada Byron")
    page.check("#id_agreed")
    page.get_by_role("button", name="Record photo consent").click()
    expect(page.get_by_text("Photo consent recorded.")).to_be_visible()

    _upload(page, "red")
    page.goto(base + reverse("scheduling:session-detail", args=[today.pk]))
    _upload(page, "green")
    assert ScalpPhoto.objects.count() == 2
    expect(page.locator("#photos img[src*='/thumbnail/']")).to_have_count(1)

    page.locator("#photos").get_by_role("link", name="Compare over time").click()
    expect(page.get_by_role("heading", name="Compare scalp photos")).to_be_visible()
    pair = page.locator(".compare-pair img")
    expect(pair).to_have_count(2)
    for index in range(2):
        assert pair.nth(index).evaluate("img => img.complete && img.naturalWidth > 0")
    # The slider: shown by photos.js, it reveals the earlier photo over the later.
    slider = page.get_by_label("Show the earlier photo up to this point, the later one after it")
    expect(slider).to_be_visible()
    slider.fill("20")
    top = page.locator("[data-overlay-top]")
    assert top.evaluate("img => img.style.getPropertyValue('--reveal')") == "20%"
    _no_violations(page, "compare")
    page.set_viewport_size(PHONE)
    _no_violations(page, "compare @390px")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.goto(base + reverse("photos:contact-sheet", args=[today.pk]))
    expect(page.get_by_role("heading", name="Contact sheet")).to_be_visible()
    expect(page.get_by_text("Not taken")).to_have_count(5)
    _no_violations(page, "contact sheet @390px")
    page.set_viewport_size({"width": 1280, "height": 900})
    _no_violations(page, "contact sheet")


def test_without_javascript_the_pair_still_compares(browser, live_server, log_in, clinic):  # noqa: F811
    from photos import services
    from tests.photos.helpers import jpeg_upload

    frontal = view()
    desk, doctor = clinic["desk"], clinic["doctor"]
    patient = screened_patient(desk, first="Ada", last="Byron")
    session = session_today(patient, doctor=doctor, desk=desk)
    services.consent_record(by=doctor, patient=patient, typed_name="Ada Byron", agreed=True)
    services.photo_take(by=doctor, session=session, view=frontal, upload=jpeg_upload())
    page = browser.new_context(java_script_enabled=False).new_page()
    log_in(page, doctor, second_factor=True)
    page.goto(live_server.url + reverse("photos:compare", args=[patient.pk]))
    expect(page.locator(".compare-pair img")).to_have_count(2)
    expect(page.locator("[data-photo-overlay]")).to_have_count(0)  # one date: no overlay
