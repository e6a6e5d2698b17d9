"""The clinic's name, address and phone come from settings and reach the patient's post-care
sheet; the favicon is linked from every page and /favicon.ico answers without a login."""

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.test import Client, override_settings
from django.urls import reverse

from tests.scheduling.factories import PRP_MN, make_session, screened_patient

pytestmark = pytest.mark.django_db


def _post_care(client, clinic) -> str:
    session = make_session(clinic, patient=screened_patient(by=clinic.desk), type_name=PRP_MN)
    response = client.get(reverse("scheduling:session-post-care", args=[session.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_post_care_sheet_shows_the_clinic_contact(desk_client, clinic):
    text = _post_care(desk_client, clinic)
    assert settings.CLINIC_NAME in text
    assert settings.CLINIC_ADDRESS in text
    assert f"Questions or a problem after your session? Call {settings.CLINIC_PHONE}." in text


@override_settings(
    CLINIC_NAME="Crown Hair Studio",
    CLINIC_ADDRESS="4 Market Row, York YO1 8AA",
    CLINIC_PHONE="01904 496 000",
)
def test_post_care_sheet_follows_the_settings(desk_client, clinic):
    text = _post_care(desk_client, clinic)
    assert "Crown Hair Studio" in text
    assert "4 Market Row, York YO1 8AA" in text
    assert "Call 01904 496 000." in text
    assert "020 7946 0123" not in text


def test_favicon_is_a_static_svg_linked_from_the_head():
    path = finders.find("favicon.svg")
    assert path is not None
    with open(path, encoding="utf-8") as icon:
        assert icon.read().lstrip().startswith("<svg")
    html = Client().get(reverse("login")).content.decode()
    head = html.split("</head>")[0]
    assert f'<link rel="icon" href="{static("favicon.svg")}" type="image/svg+xml">' in head


def test_favicon_ico_redirects_without_a_login(desk_client):
    for client in (Client(), desk_client):
        response = client.get("/favicon.ico")
        assert response.status_code == 302
        assert response.url == static("favicon.svg")
    assert Client().post("/favicon.ico").status_code == 405
