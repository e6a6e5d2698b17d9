"""The clinic tablet: the front desk hands it over, the patient sees their questionnaire and
nothing else, and only a staff sign-in takes it back."""

import io
import logging

import pytest
from django.test import Client
from django.urls import reverse

from core.logging import RedactSecrets
from intake.models import IntakeQuestionnaire, Source
from portal.models import Channel, PatientAccess
from tests.core.test_permissions import DECLARATIONS, MODULES
from tests.factories import PatientFactory, UserFactory
from tests.portal.helpers import fill_intake, issue, open_link

pytestmark = pytest.mark.django_db


@pytest.fixture
def tablet(desk_client):
    patient = PatientFactory()
    response = desk_client.post(reverse("portal:kiosk-start", args=[patient.pk]))
    assert response["Location"] == reverse("portal:home")
    return desk_client, patient


def test_handing_over_signs_the_staff_member_out_and_opens_the_questionnaire(tablet):
    client, patient = tablet
    assert "_auth_user_id" not in client.session
    page = client.get(reverse("portal:home"), follow=True)
    # No birth-date question: the staff member had the patient in front of them.
    assert page.redirect_chain[-1][0] == reverse("portal:intake", kwargs={"step": "hair"})
    access = PatientAccess.objects.get(patient=patient)
    assert access.channel == Channel.KIOSK and access.verified_at


def test_no_staff_url_answers_the_tablet(tablet):
    client, _ = tablet
    objects = {}
    for module in MODULES:
        objects.update(module.make_objects())
    leaks = []
    for case in DECLARATIONS:
        if case.name.startswith("portal:") and case.name not in (
            "portal:kiosk-start",
            "portal:qr",
            "portal:revoke",
        ):
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(case.url(objects))
            if response.status_code != 302 or response["Location"] != reverse("portal:home"):
                leaks.append(f"{method.upper()} {case.url(objects)}: {response.status_code}")
    assert not leaks
    # The admin site and a path that does not exist, too.
    for path in ("/admin/", "/nothing-here/", "/login/"):
        assert client.get(path)["Location"] == reverse("portal:home")


def test_finishing_shows_hand_back_and_only_a_sign_in_leaves(tablet, front_desk_user):
    client, patient = tablet
    fill_intake(client)
    intake = IntakeQuestionnaire.objects.get(patient=patient)
    assert intake.source == Source.KIOSK and intake.taken_by == front_desk_user
    done = client.get(reverse("portal:done")).content.decode()
    assert "hand the tablet back" in done
    # Still locked to the portal once finished.
    assert client.get(reverse("intake:patient-list"))["Location"] == reverse("portal:home")
    response = client.post(reverse("portal:exit"))
    assert response["Location"] == reverse("login")
    assert "portal_kiosk" not in client.session
    assert client.get(reverse("intake:patient-list"))["Location"].startswith(reverse("login"))


def test_the_tablet_is_refused_for_an_archived_patient(desk_client):
    from django.utils import timezone

    patient = PatientFactory(archived_at=timezone.now(), archived_by=UserFactory())
    response = desk_client.post(reverse("portal:kiosk-start", args=[patient.pk]), follow=True)
    assert "archived" in response.content.decode()
    assert "_auth_user_id" in desk_client.session


def test_tokens_and_patient_data_stay_out_of_the_server_logs(front_desk_user, caplog):
    """Each request's log lines (Django's request logger, through the app's handlers), for a
    good link, a spent one and a guessed one, then the birth date and the intake."""
    patient = PatientFactory(first_name="Zebedee", last_name="Quartermaine")
    _, token = issue(front_desk_user, patient)
    caplog.handler.addFilter(RedactSecrets())
    with caplog.at_level(logging.DEBUG):
        client, _ = open_link(token)
        dob = patient.date_of_birth
        client.post(
            reverse("portal:verify"), {"day": dob.day, "month": dob.month, "year": dob.year}
        )
        fill_intake(client)
        open_link(token)  # spent: 404, logged as Not Found
        open_link("guessed-" + token[:20])
        Client().get(f"/messages/stop/{token}/")
    text = "\n".join(caplog.handler.format(r) for r in caplog.records)
    assert "Not Found: /p/[redacted]/" in text
    for secret in (token, token[:20], patient.first_name, patient.last_name, patient.mrn,
                   dob.isoformat(), str(dob.year)):  # fmt: skip
        assert secret not in text, secret


def test_the_configured_log_handlers_redact_what_any_logger_writes():
    """As configured in settings.LOGGING: Django's request logger (through the root's handler)
    and runserver's request lines (their own handler), written to a buffer in place of stderr."""
    handlers = [
        h
        for h in (*logging.getLogger().handlers, *logging.getLogger("django.server").handlers)
        if type(h) is logging.StreamHandler
    ]
    assert len(handlers) == 2 and all(
        any(isinstance(f, RedactSecrets) for f in h.filters) for h in handlers
    )
    buffer = io.StringIO()
    streams = [h.setStream(buffer) for h in handlers]
    try:
        logging.getLogger("django.request").warning("Not Found: %s", "/p/abc123SECRET/")
        logging.getLogger("django.server").info('"GET /p/abc123SECRET/ HTTP/1.1" 302 0')
        logging.getLogger("django.request").warning("Not Found: /messages/stop/xyzSECRET/")
    finally:
        for h, stream in zip(handlers, streams, strict=True):
            h.setStream(stream)
    written = buffer.getvalue()
    assert "SECRET" not in written
    assert written.count("/p/[redacted]/") == 2 and "/messages/stop/[redacted]/" in written
