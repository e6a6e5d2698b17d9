# ruff: noqa: RUF001 - messages use en dashes
"""The booking rules on plain values: no database, no clock, no settings."""

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduling import rules as booking
from scheduling.rules import Booked, Calendar, Hours, Resource

ZONE = ZoneInfo("Europe/Berlin")
DAY = date(2030, 6, 4)  # a Tuesday
NOW = datetime(2030, 6, 1, 9, 0, tzinfo=ZONE)
GAPS = {
    "microneedling": timedelta(days=7),
    "prp": timedelta(days=28),
    "lllt": timedelta(hours=12),
}

DOC = Resource(1, "Dr Ada Lovelace")
NURSE = Resource(2, "Nurse Grace Hopper")
ROOM_1 = Resource(10, "Room 1", "procedure")
ROOM_2 = Resource(11, "Room 2", "procedure")
LASER_ROOM = Resource(12, "Laser room", "laser")
PEN_A = Resource(20, "Pen A", "mn_pen")
PEN_B = Resource(21, "Pen B", "mn_pen")
PATIENT, OTHER_PATIENT = 100, 101

MN = booking.SessionKind(
    name="Microneedling",
    procedures=("microneedling",),
    qualified=frozenset({DOC.pk, NURSE.pk}),
    room_kind="procedure",
    room_label="procedure room",
    device_kind="mn_pen",
    device_label="microneedling pen",
)


def at(clock: str, day: date = DAY) -> datetime:
    return datetime.combine(day, time.fromisoformat(clock), tzinfo=ZONE)


def open_all_week(opens: str = "08:00", closes: str = "20:00", **kwargs) -> Calendar:
    hours = Hours(time.fromisoformat(opens), time.fromisoformat(closes))
    shifts = {(p.pk, weekday): (hours,) for p in (DOC, NURSE) for weekday in range(7)}
    return Calendar(opening=dict.fromkeys(range(7), hours), shifts=shifts, **kwargs)


def booked(
    start: str,
    end: str,
    *,
    patient: int = OTHER_PATIENT,
    provider: Resource = DOC,
    room: Resource = ROOM_1,
    device: Resource = PEN_A,
    procedures: tuple[str, ...] = ("microneedling",),
    day: date = DAY,
) -> Booked:
    return Booked(
        at(start, day), at(end, day), patient, provider.pk, room.pk, device.pk, procedures
    )


def clinic(*taken: Booked, calendar: Calendar | None = None) -> booking.Clinic:
    return booking.Clinic(
        calendar=calendar or open_all_week(),
        booked=taken,
        zone=ZONE,
        today=DAY,
        providers=(DOC, NURSE),
        rooms=(ROOM_1, ROOM_2),
        devices=(PEN_A, PEN_B),
        min_gaps=GAPS,
    )


def ask(start: str = "10:00", end: str = "10:45", **kwargs) -> booking.Ask:
    return booking.Ask(start=at(start), end=at(end), patient=PATIENT, kind=MN, **kwargs)


# ---- words ---------------------------------------------------------------------------------


def test_span_names_the_day_only_when_it_is_not_today():
    assert booking.span(at("10:00"), at("10:45"), zone=ZONE, today=DAY) == "10:00–10:45"
    other = booking.span(at("10:00"), at("10:45"), zone=ZONE, today=DAY + timedelta(days=1))
    assert other == "Tue 04 Jun 10:00–10:45"


def test_span_is_on_the_clinic_clock_whatever_zone_the_times_come_in():
    utc = at("10:00").astimezone(ZoneInfo("UTC"))
    assert booking.span(utc, utc + timedelta(minutes=30), zone=ZONE, today=DAY) == "10:00–10:30"


@pytest.mark.parametrize(
    ("gap", "words"),
    [
        (timedelta(days=7), "7 days"),
        (timedelta(hours=12), "12 hours"),
        (timedelta(days=1), "1 days"),
    ],
)
def test_describe_gap(gap, words):
    assert booking.describe_gap(gap) == words


@pytest.mark.parametrize(
    ("archived", "offered", "start", "reason"),
    [
        (True, True, at("10:00"), "archived"),
        (False, False, at("10:00"), "Microneedling is no longer offered."),
        (False, True, NOW, "only be booked in the future"),
        (False, True, NOW - timedelta(minutes=1), "only be booked in the future"),
    ],
)
def test_refusal(archived, offered, start, reason):
    refused = booking.refusal(
        archived=archived, offered=offered, type_name="Microneedling", start=start, now=NOW
    )
    assert reason in refused


def test_no_refusal_for_a_future_slot_of_an_offered_type():
    refusal = booking.refusal(
        archived=False, offered=True, type_name="MN", start=at("10:00"), now=NOW
    )
    assert refusal is None


# ---- overlaps ------------------------------------------------------------------------------

moments = st.integers(min_value=0, max_value=24 * 60 - 1).map(
    lambda minutes: at("00:00") + timedelta(minutes=minutes)
)
lengths = st.integers(min_value=1, max_value=8 * 60).map(lambda minutes: timedelta(minutes=minutes))


@given(a=moments, a_len=lengths, b=moments, b_len=lengths)
def test_overlapping_is_symmetric_and_means_sharing_a_moment(a, a_len, b, b_len):
    first = Booked(a, a + a_len, 1, 1, 1, 1)
    second = Booked(b, b + b_len, 2, 2, 2, 2)
    one_way = bool(booking.overlapping([first], b, b + b_len))
    assert one_way == bool(booking.overlapping([second], a, a + a_len))
    minutes = {a + timedelta(minutes=m) for m in range(int(a_len.total_seconds() // 60))}
    shared = any(b <= m < b + b_len for m in minutes)
    assert one_way == shared


@given(start=moments, length=lengths)
def test_a_session_ending_as_another_starts_does_not_overlap(start, length):
    earlier = Booked(start - length, start, 1, 1, 1, 1)
    assert booking.overlapping([earlier], start, start + length) == []


def clashes(taken: Booked, start: str, end: str, **mine) -> list[str]:
    return booking.clashes(
        [taken], start=at(start), end=at(end), patient=PATIENT, zone=ZONE, today=DAY, **mine
    )


def test_clashes_name_each_resource_taken():
    taken = booked("10:00", "10:45", patient=PATIENT, provider=DOC, room=ROOM_1, device=PEN_A)
    assert clashes(taken, "10:30", "11:15", provider=DOC, room=ROOM_1, device=PEN_A) == [
        "The patient already has a session 10:00–10:45.",
        "Dr Ada Lovelace is booked 10:00–10:45.",
        "Room 1 is booked 10:00–10:45.",
        "Pen A is booked 10:00–10:45.",
    ]


def test_clashes_ignore_other_resources_and_open_ones():
    taken = booked("10:00", "10:45", provider=DOC, room=ROOM_1, device=PEN_A)
    assert clashes(taken, "10:00", "10:45", provider=NURSE, room=None, device=PEN_B) == []


# ---- hours ---------------------------------------------------------------------------------


def hours(calendar: Calendar, start: str, end: str, provider=None, end_day=DAY) -> list[str]:
    return booking.hours_problems(
        calendar, start=at(start), end=at(end, end_day), provider=provider, zone=ZONE
    )


def test_inside_opening_and_working_hours_is_fine():
    assert hours(open_all_week(), "08:00", "20:00", provider=DOC) == []


@pytest.mark.parametrize(("start", "end"), [("07:45", "08:30"), ("19:30", "20:15")])
def test_outside_opening_hours(start, end):
    (problem,) = hours(open_all_week(), start, end)
    assert problem == (
        f"The clinic is open 08:00–20:00 on Tuesdays; {start}–{end} is outside that."
    )


def test_closed_day_with_and_without_a_reason():
    with_reason = open_all_week(closed={DAY: "Bank holiday"})
    assert hours(with_reason, "10:00", "11:00") == [
        "The clinic is closed on Tue 04 Jun 2030 (Bank holiday)."
    ]
    without = open_all_week(closed={DAY: ""})
    assert hours(without, "10:00", "11:00") == ["The clinic is closed on Tue 04 Jun 2030."]


def test_a_weekday_without_opening_hours_is_closed():
    calendar = replace(open_all_week(), opening={0: Hours(time(8), time(20))})
    assert hours(calendar, "10:00", "11:00") == ["The clinic is closed on Tuesdays."]


def test_a_session_must_end_on_the_day_it_starts():
    next_day = DAY + timedelta(days=1)
    problems = hours(open_all_week("00:00", "23:59"), "23:30", "00:30", end_day=next_day)
    assert problems == ["A session must end on the day it starts."]


def test_ending_at_midnight_is_outside_the_day_but_not_another_day():
    problems = hours(open_all_week(), "23:30", "00:00", end_day=DAY + timedelta(days=1))
    assert problems == ["The clinic is open 08:00–20:00 on Tuesdays; 23:30–00:00 is outside that."]


def test_provider_outside_a_split_shift():
    split = (Hours(time(8), time(12)), Hours(time(14), time(18)))
    calendar = replace(open_all_week(), shifts={(DOC.pk, DAY.weekday()): split})
    assert hours(calendar, "14:00", "15:00", provider=DOC) == []
    assert hours(calendar, "11:30", "12:30", provider=DOC) == [
        "Dr Ada Lovelace works 08:00–12:00, 14:00–18:00 on Tuesdays; 11:30–12:30 is outside that."
    ]


def test_provider_who_does_not_work_that_day():
    calendar = replace(open_all_week(), shifts={})
    assert hours(calendar, "10:00", "11:00", provider=NURSE) == [
        "Nurse Grace Hopper works not at all on Tuesdays; 10:00–11:00 is outside that."
    ]


# ---- intervals -----------------------------------------------------------------------------


def intervals(others, start: datetime, procedures=("microneedling",)) -> list[str]:
    return booking.interval_problems(
        others, patient=PATIENT, procedures=procedures, start=start, min_gaps=GAPS, zone=ZONE
    )


def test_interval_too_short_both_ways():
    earlier = booked("10:00", "10:45", patient=PATIENT, day=DAY - timedelta(days=3))
    assert intervals([earlier], at("10:00")) == [
        "Microneedling: there is another session on Sat 01 Jun 10:00; the minimum gap is 7 days."
    ]
    later = booked("10:00", "10:45", patient=PATIENT, day=DAY + timedelta(days=6))
    assert "the minimum gap is 7 days" in intervals([later], at("10:00"))[0]


def test_interval_kept_exactly_is_fine():
    week_before = booked("10:00", "10:45", patient=PATIENT, day=DAY - timedelta(days=7))
    assert intervals([week_before], at("10:00")) == []


def test_interval_ignores_other_patients_and_other_procedures():
    others = [
        booked("10:00", "10:45", patient=OTHER_PATIENT, day=DAY - timedelta(days=1)),
        booked(
            "10:00", "10:30", patient=PATIENT, procedures=("lllt",), day=DAY - timedelta(days=1)
        ),
    ]
    assert intervals(others, at("10:00")) == []


def test_interval_counts_each_procedure_of_a_combined_type_and_names_the_earliest():
    others = [
        booked(
            "10:00", "11:00", patient=PATIENT, procedures=("prp",), day=DAY - timedelta(days=20)
        ),
        booked(
            "09:00", "10:00", patient=PATIENT, procedures=("prp",), day=DAY - timedelta(days=10)
        ),
    ]
    (problem,) = intervals(others, at("10:00"), procedures=("prp", "microneedling"))
    assert problem.startswith("PRP: there is another session on Wed 15 May 10:00")
    assert problem.endswith("the minimum gap is 28 days.")


@given(hours_apart=st.integers(min_value=-24 * 40, max_value=24 * 40))
def test_interval_is_refused_exactly_when_closer_than_the_gap(hours_apart):
    start = at("10:00")
    other_start = start + timedelta(hours=hours_apart)
    other = Booked(other_start, other_start + timedelta(hours=1), PATIENT, 1, 1, 1, ("prp",))
    refused = bool(intervals([other], start, procedures=("prp",)))
    assert refused == (abs(hours_apart) < 28 * 24)


# ---- planning a slot -----------------------------------------------------------------------


def test_plan_fills_what_is_left_open_with_the_first_free():
    taken = booked("10:00", "10:45", provider=DOC, room=ROOM_1, device=PEN_A)
    plan = booking.plan(ask(), clinic(taken))
    assert plan.problems == ()
    assert (plan.provider, plan.room, plan.device) == (NURSE, ROOM_2, PEN_B)


def test_plan_passes_over_a_provider_not_at_work():
    calendar = replace(
        open_all_week(), shifts={(NURSE.pk, DAY.weekday()): (Hours(time(8), time(20)),)}
    )
    plan = booking.plan(ask(), clinic(calendar=calendar))
    assert plan.provider == NURSE


def test_plan_says_when_nothing_is_free():
    taken = [
        booked("10:00", "10:45", provider=DOC, room=ROOM_1, device=PEN_A),
        booked("10:00", "10:45", provider=NURSE, room=ROOM_2, device=PEN_B, patient=102),
    ]
    plan = booking.plan(ask(), clinic(*taken))
    assert plan.problems == (
        "No qualified provider is free and working at that time.",
        "No suitable room is free at that time.",
        "No microneedling pen is free at that time.",
    )
    assert (plan.provider, plan.room, plan.device) == (None, None, None)


def test_plan_checks_what_is_named():
    laser = booking.plan(ask(room=LASER_ROOM), clinic())
    assert laser.problems == ("Laser room is not an available procedure room.",)
    retired = replace(PEN_A, active=False)
    assert booking.plan(ask(device=retired), clinic()).problems == (
        "Pen A is not an available microneedling pen.",
    )
    stranger = Resource(3, "Dr Who")
    problems = booking.plan(ask(provider=stranger), clinic()).problems
    assert problems[0] == "Dr Who is not listed to perform Microneedling."
    assert "Dr Who works not at all on Tuesdays" in problems[1]


def test_plan_names_the_clashes_of_what_is_named():
    taken = booked("10:00", "10:45", provider=DOC, room=ROOM_2, device=PEN_B)
    plan = booking.plan(ask("10:30", "11:15", provider=DOC), clinic(taken))
    assert plan.problems == ("Dr Ada Lovelace is booked 10:00–10:45.",)
    assert (plan.room, plan.device) == (ROOM_1, PEN_A)


def test_plan_outside_hours_lists_the_clinic_hours_once_per_check():
    plan = booking.plan(ask("07:00", "07:45"), clinic())
    assert plan.provider is None
    assert plan.problems == (
        "No qualified provider is free and working at that time.",
        "The clinic is open 08:00–20:00 on Tuesdays; 07:00–07:45 is outside that.",
    )


def test_plan_on_a_closed_day():
    plan = booking.plan(ask(), clinic(calendar=open_all_week(closed={DAY: "Inventory"})))
    assert "The clinic is closed on Tue 04 Jun 2030 (Inventory)." in plan.problems


TOO_CLOSE = booked(
    "10:00", "10:45", patient=PATIENT, room=ROOM_2, device=PEN_B, day=DAY - timedelta(days=2)
)


def test_interval_inside_the_gap_needs_someone_who_may_override():
    plan = booking.plan(ask(override_note="Please"), clinic(TOO_CLOSE))
    (problem,) = plan.problems
    assert problem.endswith(
        "the minimum gap is 7 days. A physician can book inside it with a note."
    )


def test_interval_override_needs_a_note():
    plan = booking.plan(ask(may_override=True, override_note="   "), clinic(TOO_CLOSE))
    (problem,) = plan.problems
    assert problem.endswith("To override it, write a note saying why.")


def test_interval_override_with_a_note_stands():
    plan = booking.plan(ask(may_override=True, override_note=" Trial. "), clinic(TOO_CLOSE))
    assert plan.problems == ()
    assert plan.override_note == "Trial."


def test_a_note_without_need_is_dropped():
    plan = booking.plan(ask(may_override=True, override_note="Just in case"), clinic())
    assert plan.override_note == ""


def test_problems_come_in_the_order_the_desk_reads_them():
    taken = booked("10:00", "10:45", patient=PATIENT, provider=DOC, room=ROOM_2, device=PEN_B)
    plan = booking.plan(
        ask("10:30", "11:15", provider=DOC, room=LASER_ROOM, device=PEN_B), clinic(TOO_CLOSE, taken)
    )
    assert [p.split(" ")[0] for p in plan.problems] == [
        "Laser",
        "Microneedling:",
        "The",
        "Dr",
        "Pen",
    ]


# ---- free slots ----------------------------------------------------------------------------


def search(**kwargs) -> booking.Search:
    defaults = {
        "first_day": DAY,
        "days": 0,
        "duration": timedelta(minutes=45),
        "step": timedelta(minutes=15),
        "limit": 3,
    }
    return booking.Search(**{**defaults, **kwargs})


def test_free_slots_start_at_opening_and_stop_at_the_limit():
    found = booking.free_slots(search(), clinic(), now=NOW)
    assert [f.start for f in found] == [at("08:00"), at("08:15"), at("08:30")]
    assert found[0] == booking.Found(at("08:00"), at("08:45"), DOC, ROOM_1, PEN_A)


def test_free_slots_skip_what_is_taken_the_past_and_closed_days():
    one_room = replace(clinic(), rooms=(ROOM_1,))
    taken = replace(one_room, booked=(booked("08:00", "09:00"),))
    found = booking.free_slots(search(limit=1), taken, now=NOW)
    assert found[0].start == at("09:00")
    later = booking.free_slots(search(limit=1), clinic(), now=at("12:05"))
    assert later[0].start == at("12:15")
    closed = clinic(calendar=open_all_week(closed={DAY: ""}))
    found = booking.free_slots(search(days=1, limit=1), closed, now=NOW)
    assert found[0].start == at("08:00", DAY + timedelta(days=1))


def test_free_slots_end_by_closing_time():
    found = booking.free_slots(search(limit=100), clinic(), now=NOW)
    assert found[-1].end == at("20:00")
    assert len(found) == (12 * 60 - 45) // 15 + 1


def test_no_free_slot_when_no_device_is_free_all_day():
    pens_taken = replace(clinic(), devices=(PEN_A,), booked=(booked("08:00", "20:00"),))
    assert booking.free_slots(search(), pens_taken, now=NOW) == []
