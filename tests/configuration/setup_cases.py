"""The clinic set-up pages in the permission matrix: rooms, devices, session types and hours are
the clinic admin's; no other role opens them.

The matrix runs the POSTs in this order for one set of records, so a deactivation comes before
the reactivation, and a removal comes last.
"""

from datetime import time, timedelta

from django.utils import timezone

from core.roles import PHYSICIAN
from scheduling.models import OpeningHours
from tests.factories import (
    ClosedDayFactory,
    DeviceFactory,
    OpeningHoursFactory,
    ProviderHoursFactory,
    RoomFactory,
    SessionTypeFactory,
    UserFactory,
)
from tests.permission_matrix import CLINIC_ADMIN, OK, REDIRECT, Made, page
from treatments.models import DeviceKind


def make_objects() -> dict:
    room = RoomFactory(name="Matrix room")
    device = DeviceFactory(name="Matrix centrifuge", serial="MATRIX-1", kind=DeviceKind.CENTRIFUGE)
    session_type = SessionTypeFactory(name="Matrix session type")
    provider = UserFactory(role=PHYSICIAN, first_name="Mat", last_name="Rix")
    if not OpeningHours.objects.filter(weekday=0).exists():
        OpeningHoursFactory(weekday=0, opens=time(8), closes=time(20))
    shift = ProviderHoursFactory(provider=provider, weekday=0, start=time(10), end=time(12))
    closed = ClosedDayFactory(day=timezone.localdate() + timedelta(days=400), reason="Matrix")
    return {
        "room": room.pk,
        "device": device.pk,
        "session_type": session_type.pk,
        "provider": provider.pk,
        "shift": shift.pk,
        "closed_day": closed.pk,
    }


ADMIN = (CLINIC_ADMIN,)
ROOM, DEVICE, SESSION_TYPE = Made("room"), Made("device"), Made("session_type")


def _resource(name: str, record: Made) -> list:
    return [
        # A form posted empty is shown again with its errors.
        page(f"configuration:{name}-list", who=ADMIN, get=OK),
        page(f"configuration:{name}-create", who=ADMIN, get=OK, post=OK),
        page(f"configuration:{name}-update", record, who=ADMIN, get=OK, post=OK),
        # Nothing is booked with the record: the confirmation deactivates it.
        page(f"configuration:{name}-deactivate", record, who=ADMIN, get=OK, post=REDIRECT),
        page(f"configuration:{name}-reactivate", record, who=ADMIN, post=REDIRECT),
    ]


CASES = [
    *_resource("room", ROOM),
    *_resource("device", DEVICE),
    *_resource("sessiontype", SESSION_TYPE),
    page("configuration:hours", who=ADMIN, get=OK),
    page("configuration:opening-hours", who=ADMIN, get=OK, post=OK),
    page("configuration:closedday-create", who=ADMIN, get=OK, post=OK),
    page("configuration:provider-hours", Made("provider"), who=ADMIN, get=OK, post=OK),
    page("configuration:providerhours-update", Made("shift"), who=ADMIN, get=OK, post=OK),
    page("configuration:providerhours-delete", Made("shift"), who=ADMIN, post=REDIRECT),
    page("configuration:closedday-delete", Made("closed_day"), who=ADMIN, post=REDIRECT),
]
