"""`bench_sessions` (make bench-http): each printed session opens its page, as its role, with
no login and no second factor typed; a session made for one page does not end another's."""

import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client

from tests.factories import PatientFactory, TreatmentSessionFactory

pytestmark = pytest.mark.django_db


def test_every_session_opens_its_page_with_200():
    TreatmentSessionFactory(patient=PatientFactory())
    out = StringIO()
    call_command("bench_sessions", stdout=out)
    printed = json.loads(out.getvalue())
    assert printed["cookie"]["name"] == settings.SESSION_COOKIE_NAME
    pages = printed["pages"]
    assert {page["role"] for page in pages} == {"front_desk", "physician", "clinic_admin"}
    for page in pages:
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = page["session"]
        response = client.get(page["path"])
        assert response.status_code == 200, (page["name"], response.status_code)


def test_it_refuses_an_empty_database():
    with pytest.raises(CommandError, match="seed_bench"):
        call_command("bench_sessions", stdout=StringIO())
