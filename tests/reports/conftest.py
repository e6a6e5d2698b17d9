"""A hand-built week of sessions (Mon 2 to Sun 8 November 2026) with known figures."""

from datetime import date, time

import pytest

from scheduling.models import ClosedDay, OpeningHours
from tests.factories import PatientFactory, UserFactory
from tests.reports import builders as b

WEEK = {"date_from": "2026-11-02", "date_to": "2026-11-08"}
MON, TUE, WED, FRI, SUN = (date(2026, 11, d) for d in (2, 3, 4, 6, 8))


@pytest.fixture
def week(db):
    """Seven sessions: six in the week (one on each edge of the range is outside it).

    Open: Mon to Fri 09:00 to 17:00 (480 min), Friday closed: 4 x 480 = 1920 minutes.
    """
    OpeningHours.objects.all().delete()
    for weekday in range(5):
        OpeningHours.objects.create(weekday=weekday, opens=time(9), closes=time(17))
    ClosedDay.objects.create(day=FRI, reason="Staff training")
    anna = UserFactory(username="anna", first_name="Anna", last_name="Alder", role="physician")
    ben = UserFactory(username="ben", first_name="Ben", last_name="Birch", role="physician")
    r1, r2 = b.room("Room 1"), b.room("Room 2")
    d1, d2, d3 = b.device("SN-100"), b.device("SN-200"), b.device("SN-300", kind="laser")
    prp = b.session_type("PRP", "prp", 60)
    prp_mn = b.session_type("PRP with microneedling", "prp+microneedling", 75)
    mn = b.session_type("Microneedling", "microneedling", 45)
    lllt = b.session_type("Laser (LLLT)", "lllt", 30)
    mn_lllt = b.session_type("Microneedling then LLLT", "microneedling+lllt", 60)
    p1 = PatientFactory(
        first_name="Ada", last_name="Lovelace", mrn="F00000101", phone="+447911123456"
    )
    p2 = PatientFactory(first_name='=HYPERLINK("http://evil")', last_name="X", mrn="F00000102")
    s = {}
    common = {"provider": anna, "room": r1}
    s["s1"] = b.session(
        patient=p1, stype=prp, device=d1, start=b.at(MON, 10), minutes=60, status="completed",
        prp_kit_lot="KIT-7", **common,
    )  # fmt: skip
    s["s2"] = b.session(
        patient=p2, stype=prp_mn, device=d2, start=b.at(MON, 11), minutes=75, status="completed",
        cartridge_lot="+1", prp_kit_lot="KIT-7", **common,
    )  # fmt: skip
    s["s3"] = b.session(
        patient=p1, stype=mn, provider=ben, room=r2, device=d2, start=b.at(TUE, 10), minutes=45,
        status="cancelled",
    )  # fmt: skip
    s["s4"] = b.session(
        patient=p2, stype=lllt, provider=ben, room=r2, device=d3, start=b.at(WED, 14), minutes=30,
        status="no_show",
    )  # fmt: skip
    s["s5"] = b.session(
        patient=p1, stype=mn_lllt, provider=anna, room=r2, device=d3, start=b.at(WED, 15),
        minutes=60,
    )  # fmt: skip
    s["s7"] = b.session(
        patient=p2, stype=lllt, device=d1, start=b.at(SUN, 23), minutes=30, **common
    )
    # Outside the range, on both sides: the evening before and the morning after.
    b.session(patient=p1, stype=lllt, device=d1, start=b.at(date(2026, 11, 1), 23, 30),
              minutes=20, **common)  # fmt: skip
    b.session(patient=p1, stype=lllt, device=d1, start=b.at(date(2026, 11, 9), 0, 0),
              minutes=20, **common)  # fmt: skip
    return {
        "sessions": s,
        "patients": (p1, p2),
        "providers": (anna, ben),
        "rooms": (r1, r2),
        "devices": (d1, d2, d3),
        "types": {"prp": prp, "prp_mn": prp_mn, "mn": mn, "lllt": lllt, "mn_lllt": mn_lllt},
    }
