"""The client's address in the audit log and the lockout comes from REMOTE_ADDR, or from
X-Forwarded-For only behind CLINIC_TRUSTED_PROXIES proxies (issue 12, finding 3)."""

import pytest
from auditlog.models import LogEntry
from axes.models import AccessAttempt
from django.test import Client, RequestFactory
from django.urls import reverse

from core.middleware import client_ip
from core.roles import FRONT_DESK
from tests.factories import IntakeFactory, UserFactory, login_client

PEER = "10.0.0.5"


def _request(forwarded: str | None = None, peer: str = PEER):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=peer, **headers)


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (0, None, PEER),
        (0, "6.6.6.6", PEER),  # no proxy trusted: the header is the client's own words
        (1, None, PEER),  # did not come through the proxy
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the client wrote the left one
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.9", "203.0.113.7"),
        (2, "203.0.113.7", PEER),  # shorter than the proxies configured
        (1, "203.0.113.7:51234", "203.0.113.7"),
        (1, "[2001:db8::1]:443", "2001:db8::1"),
        (1, "2001:db8::1", "2001:db8::1"),
        (1, "not-an-address", PEER),
    ],
)
def test_client_ip(settings, hops, forwarded, expected):
    settings.CLINIC_TRUSTED_PROXIES = hops
    assert client_ip(_request(forwarded)) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (0, "6.6.6.6", PEER),  # a forged X-Forwarded-For is ignored
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the address the trusted proxy saw
    ],
)
def test_audit_log_records_the_client_address(settings, hops, forwarded, expected):
    settings.CLINIC_TRUSTED_PROXIES = hops
    intake = IntakeFactory()
    client = login_client(UserFactory(role=FRONT_DESK))
    client.get(
        reverse("intake:patient-detail", args=[intake.patient.pk]),
        HTTP_X_FORWARDED_FOR=forwarded,
        REMOTE_ADDR=PEER,
    )
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).latest("pk")
    assert entry.remote_addr == expected


@pytest.mark.django_db
def test_lockout_counts_the_trusted_address(settings):
    settings.CLINIC_TRUSTED_PROXIES = 1
    UserFactory(username="clumsy", role=FRONT_DESK)
    Client().post(
        reverse("login"),
        {"username": "clumsy", "password": "wrong-password!"},
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7",
        REMOTE_ADDR=PEER,
    )
    assert AccessAttempt.objects.get(username="clumsy").ip_address == "203.0.113.7"
