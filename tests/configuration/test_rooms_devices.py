"""Rooms and devices in the app (issue 14): listed, added, edited, deactivated and reactivated
by the clinic admin, every change audited; never deleted, and never deactivated (or turned into
another kind) while sessions ahead are booked with them."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from configuration import services
from scheduling import selectors as scheduling_selectors
from scheduling.models import Device, Room, Status
from tests.configuration.conftest import entries
from tests.factories import DeviceFactory, PatientFactory, RoomFactory
from tests.scheduling.factories import make_session
from treatments.models import DeviceKind, RoomKind

pytestmark = pytest.mark.django_db

ROOMS = reverse("configuration:room-list")
DEVICES = reverse("configuration:device-list")


def url(name: str, record=None) -> str:
    return reverse(f"configuration:{name}", args=[record.pk] if record else [])


# ---- lists -----------------------------------------------------------------------------------


def test_room_list_shows_each_room_its_status_bookings_ahead_and_actions(
    admin_client_, clinic, book
):
    book(clinic)
    book(clinic, 4)
    RoomFactory(name="Old room", active=False)
    page = admin_client_.get(ROOMS).content.decode()
    assert "Add a room" in page and url("room-create") in page
    for name in ("Room 1", "Room 2", "Laser room", "Old room"):
        assert name in page
    room = clinic.rooms["Room 1"]
    assert url("room-update", room) in page
    assert url("room-deactivate", room) in page
    old = Room.objects.get(name="Old room")
    assert url("room-reactivate", old) in page and "Inactive" in page
    # The booked-ahead column counts Room 1's two sessions; the phone leaves it out.
    assert '<td class="d-md-table-cell d-none">2</td>' in page
    assert 'Edit<span class="visually-hidden"> Room 1</span>' in page


def test_device_list_shows_serials_and_kinds(admin_client_, clinic):
    page = admin_client_.get(DEVICES).content.decode()
    for serial in ("PEN-A", "PEN-B", "CF-1", "LZ-1"):
        assert serial in page
    assert "Microneedling pen" in page and "PRP centrifuge" in page


@pytest.mark.parametrize(("list_url", "factory"), [(ROOMS, RoomFactory), (DEVICES, DeviceFactory)])
def test_list_queries_do_not_grow_with_the_list(admin_client_, clinic, book, list_url, factory):
    book(clinic)
    admin_client_.get(list_url)  # warm the session and content types
    with CaptureQueriesContext(connection) as few:
        assert admin_client_.get(list_url).status_code == 200
    for n in range(20):
        factory(name=f"Extra {n:02d}")
    with CaptureQueriesContext(connection) as many:
        page = admin_client_.get(list_url).content.decode()
    assert "Extra 19" in page
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(few.captured_queries) <= 8


def test_other_roles_may_not_open_the_lists(desk_client, physician_client):
    for client in (desk_client, physician_client):
        assert client.get(ROOMS).status_code == 403
        assert client.get(DEVICES).status_code == 403


# ---- add and edit ----------------------------------------------------------------------------


def test_admin_adds_a_room_and_the_audit_log_names_them(admin_client_, admin_user):
    response = admin_client_.post(url("room-create"), {"name": " Room 9 ", "kind": "laser"})
    assert response.status_code == 302 and response.url == ROOMS
    room = Room.objects.get(name="Room 9")
    assert room.kind == RoomKind.LASER and room.active
    (created,) = entries(room, LogEntry.Action.CREATE)
    assert created.actor == admin_user


def test_a_room_name_taken_in_other_capitals_is_refused_and_the_input_kept(admin_client_, clinic):
    response = admin_client_.post(url("room-create"), {"name": "room 1", "kind": "laser"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is already a room called “Room 1”." in page
    assert 'value="room 1"' in page
    assert '<option value="laser" selected>' in page
    assert Room.objects.filter(name__iexact="room 1").count() == 1


def test_an_empty_form_says_what_is_missing(admin_client_):
    before = Room.objects.count()
    page = admin_client_.post(url("room-create"), {}).content.decode()
    assert "There is a problem" in page and "This field is required." in page
    assert Room.objects.count() == before


def test_a_double_submitted_add_makes_one_room(admin_client_):
    token = "tok-room-1"
    data = {"name": "Room 7", "kind": "procedure", "form_token": token}
    first = admin_client_.post(url("room-create"), data)
    second = admin_client_.post(url("room-create"), data)
    assert first.status_code == second.status_code == 302
    assert second.url == first.url
    assert Room.objects.filter(name="Room 7").count() == 1


def test_admin_renames_a_room_and_the_change_is_audited(admin_client_, admin_user, clinic):
    room = clinic.rooms["Room 2"]
    page = admin_client_.get(url("room-update", room)).content.decode()
    assert 'value="Room 2"' in page and "Deactivate this room" in page
    response = admin_client_.post(url("room-update", room), {"name": "Room B", "kind": "procedure"})
    assert response.status_code == 302
    room.refresh_from_db()
    assert room.name == "Room B"
    (changed,) = entries(room, LogEntry.Action.UPDATE)
    assert changed.actor == admin_user
    assert changed.changes_dict["name"] == ["Room 2", "Room B"]


def test_a_room_keeps_its_kind_while_sessions_ahead_are_booked_in_it(
    admin_client_, admin_user, clinic, book
):
    room = clinic.rooms["Room 1"]
    session = book(clinic, 3)
    response = admin_client_.post(url("room-update", room), {"name": "Room 1", "kind": "laser"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Room 1 stays a procedure room while it has 1 booked session on " in page
    assert f"{session.start:%a %d %b %Y}" in page
    assert "Ask the front desk to move or cancel them first." in page
    assert '<option value="laser" selected>' in page
    room.refresh_from_db()
    assert room.kind == RoomKind.PROCEDURE
    # Once the session is cancelled, the kind can change.
    session.status, session.cancel_reason = Status.CANCELLED, "Patient called"
    session.save()
    services.room_update(by=admin_user, room=room, name="Room 1", kind="laser")
    room.refresh_from_db()
    assert room.kind == RoomKind.LASER


def test_a_device_serial_already_recorded_is_a_clear_error(admin_client_, clinic):
    data = {"name": "Pen C", "kind": DeviceKind.MICRONEEDLING_PEN, "serial": "pen-a"}
    response = admin_client_.post(url("device-create"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Serial PEN-A is already recorded, for Pen A." in page
    assert 'value="Pen C"' in page and 'value="pen-a"' in page
    assert not Device.objects.filter(name="Pen C").exists()
    # Editing a device keeps its own serial without complaint.
    pen = clinic.devices["Pen A"]
    data = {"name": "Pen A1", "kind": pen.kind, "serial": "PEN-A"}
    assert admin_client_.post(url("device-update", pen), data).status_code == 302
    pen.refresh_from_db()
    assert pen.name == "Pen A1"


def test_admin_adds_a_device(admin_client_, admin_user):
    data = {"name": "Laser 2", "kind": DeviceKind.LASER, "serial": "LZ-2"}
    assert admin_client_.post(url("device-create"), data).status_code == 302
    device = Device.objects.get(serial="LZ-2")
    assert entries(device, LogEntry.Action.CREATE).get().actor == admin_user


# ---- deactivate and reactivate --------------------------------------------------------------


def test_deactivating_a_room_with_nothing_booked(admin_client_, admin_user, clinic, book):
    room = clinic.rooms["Room 2"]
    # Sessions that hold nothing ahead do not count: a past one, a cancelled one.
    book(clinic, -3, room=room)
    book(clinic, 5, room=room, status=Status.CANCELLED, cancel_reason="Called off")
    page = admin_client_.get(url("room-deactivate", room)).content.decode()
    assert "Deactivate Room 2?" in page and 'id="submit-id-save"' in page
    response = admin_client_.post(url("room-deactivate", room))
    assert response.status_code == 302 and response.url == ROOMS
    room.refresh_from_db()
    assert not room.active
    assert entries(room, LogEntry.Action.UPDATE).get().actor == admin_user
    # It is no longer offered for booking.
    session_type = clinic.types["Microneedling"]
    assert room not in scheduling_selectors.rooms_for(session_type)


def test_a_room_with_sessions_ahead_is_not_deactivated(admin_client_, clinic, book):
    room = clinic.rooms["Room 1"]
    first = book(clinic, 2)
    last = book(clinic, 9)
    page = admin_client_.get(url("room-deactivate", room)).content.decode()
    expected = (
        f"Room 1 can't be deactivated yet: it has 2 booked sessions, from "
        f"{first.start:%a %d %b %Y} to {last.start:%a %d %b %Y}."
    )
    assert expected in page
    assert 'id="submit-id-save"' not in page
    # A POST all the same (a stale page) is refused with the same count.
    response = admin_client_.post(url("room-deactivate", room))
    assert response.status_code == 200
    room.refresh_from_db()
    assert room.active
    assert not entries(room, LogEntry.Action.UPDATE).exists()


def test_a_session_in_progress_counts_as_ahead(admin_client_, clinic):
    device = clinic.devices["Pen A"]
    started = timezone.now() - timedelta(minutes=10)
    make_session(
        clinic, patient=PatientFactory(), start=started, device=device, status=Status.IN_TREATMENT
    )
    response = admin_client_.post(url("device-deactivate", device))
    assert response.status_code == 200
    assert (
        "Pen A (PEN-A) can't be deactivated yet: it has 1 booked session"
        in response.content.decode()
    )


def test_reactivating_a_room_and_a_device(admin_client_, admin_user, clinic):
    room, device = clinic.rooms["Room 2"], clinic.devices["Pen B"]
    services.room_deactivate(by=admin_user, room=room)
    services.device_deactivate(by=admin_user, device=device)
    edit = admin_client_.get(url("room-update", room)).content.decode()
    assert "This room is inactive" in edit and url("room-reactivate", room) in edit
    response = admin_client_.post(url("room-reactivate", room))
    assert response.status_code == 302 and response.url == ROOMS
    assert admin_client_.post(url("device-reactivate", device)).url == DEVICES
    room.refresh_from_db()
    device.refresh_from_db()
    assert room.active and device.active
    assert entries(room, LogEntry.Action.UPDATE).count() == 2


def test_reactivate_answers_post_only(admin_client_, clinic):
    assert admin_client_.get(url("room-reactivate", clinic.rooms["Room 1"])).status_code == 405


def test_a_device_that_does_not_exist_is_404(admin_client_):
    assert (
        admin_client_.get(reverse("configuration:device-update", args=[999999])).status_code == 404
    )
