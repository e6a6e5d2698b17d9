"""Hostile and out-of-range input on every settings form: a form error or a save, never a 500,
and nothing half-made."""

import pytest
from django.urls import reverse

from scheduling.models import ClosedDay, Device, OpeningHours, ProviderHours, Room
from tests.configuration.test_hours import week_data
from tests.configuration.test_session_types import form_data
from treatments.models import SessionType

pytestmark = pytest.mark.django_db

HOSTILE = [
    "",
    "<script>alert(1)</script>",
    "\x00",
    "9" * 400,
    "25:61",
    "99999999999999999999",
    "ÿ" * 70,
]


def _posted(client, url: str, data: dict) -> None:
    response = client.post(url, data)
    assert response.status_code in (200, 302), (url, data, response.status_code)
    if response.status_code == 200:
        assert "There is a problem" in response.content.decode()


@pytest.mark.parametrize("value", HOSTILE)
def test_room_device_and_session_type_forms(admin_client_, clinic, value):
    rooms, devices, types = (
        Room.objects.count(),
        Device.objects.count(),
        SessionType.objects.count(),
    )
    for field in ("name", "kind"):
        data = {"name": "Room X", "kind": "laser", field: value}
        _posted(admin_client_, reverse("configuration:room-create"), data)
    for field in ("name", "kind", "serial"):
        data = {"name": "Pen X", "kind": "mn_pen", "serial": "X-1", field: value}
        _posted(admin_client_, reverse("configuration:device-create"), data)
    for field in ("name", "procedure_1", "procedure_2", "duration_minutes", "colour", "providers"):
        _posted(
            admin_client_, reverse("configuration:sessiontype-create"), form_data(**{field: value})
        )
    # Whatever was accepted is whole (at most one record per field tried); most are refused.
    assert Room.objects.count() <= rooms + 2
    assert Device.objects.count() <= devices + 3
    assert SessionType.objects.count() <= types + 6
    assert all(t.procedures and 5 <= t.duration_minutes <= 480 for t in SessionType.objects.all())


@pytest.mark.parametrize("value", HOSTILE)
def test_hours_forms(admin_client_, clinic, value):
    for field in ("opens_0", "closes_0", "open_0"):
        _posted(
            admin_client_, reverse("configuration:opening-hours"), {**week_data(), field: value}
        )
    _posted(
        admin_client_, reverse("configuration:closedday-create"), {"day": value, "reason": value}
    )
    provider = reverse("configuration:provider-hours", args=[clinic.doctor.pk])
    for field in ("weekday", "start", "end"):
        data = {"weekday": "0", "start": "09:00", "end": "10:00", field: value}
        _posted(admin_client_, provider, data)
    assert all(o.opens < o.closes for o in OpeningHours.objects.all())
    assert all(h.start < h.end for h in ProviderHours.objects.all())
    assert all("\x00" not in closed.reason for closed in ClosedDay.objects.all())
