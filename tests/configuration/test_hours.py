# ruff: noqa: RUF001 - time spans use en dashes
"""Opening hours, closed days and provider hours in the app (issue 14). What is saved is what
the booking rules read (free slots follow it), the models' own rules are form errors, and a
change that would leave sessions ahead outside the hours is refused with how many."""

from datetime import date, time, timedelta

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.roles import FRONT_DESK, PHYSICIAN
from scheduling import selectors as scheduling_selectors
from scheduling import times
from scheduling.models import ClosedDay, OpeningHours, ProviderHours
from tests.configuration.conftest import entries
from tests.factories import ClosedDayFactory, ProviderHoursFactory, UserFactory
from tests.scheduling.factories import MN, give_hours

pytestmark = pytest.mark.django_db

HOURS = reverse("configuration:hours")
OPENING = reverse("configuration:opening-hours")
CLOSED_ADD = reverse("configuration:closedday-create")
MONDAY, SUNDAY = 0, 6


def days_to(weekday: int) -> int:
    """Days from today to the next `weekday` (1 to 7: never today)."""
    return (weekday - times.today().weekday() - 1) % 7 + 1


def next_day(weekday: int) -> date:
    return times.today() + timedelta(days=days_to(weekday))


def week_data(**days) -> dict:
    """The opening-hours form: open every day 08:00-20:00 but as `days` says
    (`monday=("09:00", "17:00")`, `sunday=None` for closed)."""
    names = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    data = {}
    for weekday, name in enumerate(names):
        hours = days.get(name, ("08:00", "20:00"))
        if hours is not None:
            data[f"open_{weekday}"] = "on"
            data[f"opens_{weekday}"], data[f"closes_{weekday}"] = hours
    return data


def provider_url(user) -> str:
    return reverse("configuration:provider-hours", args=[user.pk])


def slots_on(clinic, day: date, provider=None) -> list:
    found = scheduling_selectors.free_slots(
        session_type=clinic.types[MN], day=day, provider=provider, days=0
    )
    return [slot for slot in found if times.local(slot.start).date() == day]


# ---- the overview ----------------------------------------------------------------------------


def test_hours_page_shows_the_week_closed_days_and_each_providers_hours(admin_client_, clinic):
    OpeningHours.objects.filter(weekday=SUNDAY).delete()
    ahead = ClosedDayFactory(day=times.today() + timedelta(days=10), reason="Staff training")
    ClosedDayFactory(day=times.today() - timedelta(days=10), reason="Past")
    page = admin_client_.get(HOURS).content.decode()
    assert "Monday</th><td>08:00–20:00</td>" in page
    assert "Sunday</th><td>Closed</td>" in page
    assert "Staff training" in page and "Past" not in page
    assert "1 past closed day kept on record." in page
    assert reverse("configuration:closedday-delete", args=[ahead.pk]) in page
    name = clinic.doctor.get_full_name()
    assert name in page and "Monday: 08:00–20:00" in page
    assert provider_url(clinic.doctor) in page


def test_hours_page_queries_do_not_grow_with_the_providers(admin_client_, clinic):
    admin_client_.get(HOURS)
    with CaptureQueriesContext(connection) as few:
        admin_client_.get(HOURS)
    for n in range(10):
        give_hours(UserFactory(role=PHYSICIAN, last_name=f"Extra{n:02d}"))
        ClosedDayFactory(day=times.today() + timedelta(days=20 + n))
    with CaptureQueriesContext(connection) as many:
        page = admin_client_.get(HOURS).content.decode()
    assert "Extra09" in page
    assert len(many.captured_queries) == len(few.captured_queries) <= 12


# ---- opening hours ---------------------------------------------------------------------------


def test_opening_hours_form_starts_from_the_week_as_it_is(admin_client_, clinic):
    OpeningHours.objects.filter(weekday=SUNDAY).delete()
    page = admin_client_.get(OPENING).content.decode()
    assert 'name="open_0" class="checkboxinput form-check-input" id="id_open_0" checked' in page
    assert 'name="open_6" class="checkboxinput form-check-input" id="id_open_6">' in page
    assert 'name="opens_0" value="08:00"' in page


def test_admin_changes_the_week_and_every_change_is_audited(admin_client_, admin_user, clinic):
    data = week_data(monday=("09:00", "17:00"), sunday=None)
    response = admin_client_.post(OPENING, data, follow=True)
    assert response.redirect_chain[-1][0] == HOURS
    page = response.content.decode()
    assert "Opening hours saved." in page
    # The doctor works 08:00-20:00 every day: Monday's and Sunday's shifts now reach outside.
    assert "2 shifts of 1 provider reach outside the opening hours" in page
    monday = OpeningHours.objects.get(weekday=MONDAY)
    assert (monday.opens, monday.closes) == (time(9), time(17))
    assert not OpeningHours.objects.filter(weekday=SUNDAY).exists()
    (update,) = entries(monday, LogEntry.Action.UPDATE)
    assert update.actor == admin_user
    deleted = LogEntry.objects.filter(
        action=LogEntry.Action.DELETE, content_type__model="openinghours", actor=admin_user
    ).get()
    assert deleted.object_repr.startswith("Sunday")
    # The booking rules read the new week: no slot on a Sunday, none before 09:00 on a Monday.
    assert slots_on(clinic, next_day(SUNDAY)) == []
    monday_slots = slots_on(clinic, next_day(MONDAY))
    assert monday_slots and all(times.local(s.start).time() >= time(9) for s in monday_slots)


def test_reopening_a_closed_weekday(admin_client_, clinic):
    OpeningHours.objects.filter(weekday=SUNDAY).delete()
    assert admin_client_.post(OPENING, week_data(sunday=("10:00", "14:00"))).status_code == 302
    sunday = OpeningHours.objects.get(weekday=SUNDAY)
    assert (sunday.opens, sunday.closes) == (time(10), time(14))


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (week_data(monday=("18:00", "09:00")), "Closing time must be after opening time."),
        (week_data(monday=("09:00", "09:00")), "Closing time must be after opening time."),
        ({**week_data(), "opens_0": ""}, "Give the time, or untick “Open on Mondays”."),
        ({}, "Tick at least one day the clinic is open."),
    ],
)
def test_opening_hours_out_of_order_are_form_errors_and_the_input_kept(
    admin_client_, clinic, data, error
):
    response = admin_client_.post(OPENING, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert error in page and "There is a problem" in page
    if data.get("closes_0"):
        assert f'name="closes_0" value="{data["closes_0"]}"' in page
    monday = OpeningHours.objects.get(weekday=MONDAY)
    assert (monday.opens, monday.closes) == (time(8), time(20))


def test_opening_hours_are_kept_around_sessions_booked_ahead(admin_client_, clinic, book):
    session = book(clinic, days_to(MONDAY), 10)
    response = admin_client_.post(OPENING, week_data(monday=("12:00", "18:00")))
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        f"On Mondays 1 booked session on {session.start:%a %d %b %Y} would fall outside the "
        "new opening hours." in page
    )
    assert "Ask the front desk to move or cancel them first." in page
    assert 'name="opens_0" value="12:00"' in page
    assert admin_client_.post(OPENING, week_data(monday=None)).status_code == 200
    assert OpeningHours.objects.get(weekday=MONDAY).opens == time(8)
    # Narrowing around the session is fine.
    assert admin_client_.post(OPENING, week_data(monday=("09:00", "12:00"))).status_code == 302


# ---- closed days -----------------------------------------------------------------------------


def test_admin_closes_a_day_and_nothing_can_be_booked_on_it(admin_client_, admin_user, clinic):
    day = next_day(MONDAY)
    assert slots_on(clinic, day)
    data = {"day": day.isoformat(), "reason": "Bank holiday"}
    response = admin_client_.post(CLOSED_ADD, data, follow=True)
    assert response.redirect_chain[-1][0] == HOURS
    assert f"The clinic is closed on {day:%a %d %b %Y}." in response.content.decode()
    closed = ClosedDay.objects.get(day=day)
    assert closed.reason == "Bank holiday"
    assert entries(closed, LogEntry.Action.CREATE).get().actor == admin_user
    assert slots_on(clinic, day) == []


def test_a_past_day_cannot_be_closed_and_the_input_is_kept(admin_client_, clinic):
    yesterday = times.today() - timedelta(days=1)
    data = {"day": yesterday.isoformat(), "reason": "Too late"}
    response = admin_client_.post(CLOSED_ADD, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose a day from" in page
    assert 'value="Too late"' in page and f'value="{yesterday.isoformat()}"' in page
    assert not ClosedDay.objects.exists()


def test_a_day_already_closed_is_a_clear_error(admin_client_, clinic):
    day = next_day(MONDAY)
    ClosedDayFactory(day=day)
    response = admin_client_.post(CLOSED_ADD, {"day": day.isoformat()})
    assert f"{day:%a %d %b %Y} is already a closed day." in response.content.decode()


def test_a_day_with_sessions_booked_is_not_closed(admin_client_, clinic, book):
    book(clinic, days_to(MONDAY), 10)
    book(clinic, days_to(MONDAY), 14)
    day = next_day(MONDAY)
    response = admin_client_.post(CLOSED_ADD, {"day": day.isoformat()})
    assert response.status_code == 200
    page = response.content.decode()
    assert f"{day:%a %d %b %Y} has 2 booked sessions." in page
    assert not ClosedDay.objects.exists()


def test_opening_a_closed_day_again(admin_client_, admin_user, clinic):
    closed = ClosedDayFactory(day=next_day(MONDAY))
    url = reverse("configuration:closedday-delete", args=[closed.pk])
    assert admin_client_.get(url).status_code == 405
    response = admin_client_.post(url)
    assert response.status_code == 302 and response.url == HOURS
    assert not ClosedDay.objects.exists()
    deleted = LogEntry.objects.filter(
        action=LogEntry.Action.DELETE, content_type__model="closedday"
    ).get()
    assert deleted.actor == admin_user


def test_a_past_closed_day_stays_on_record(admin_client_, clinic):
    past = ClosedDayFactory(day=times.today() - timedelta(days=3))
    response = admin_client_.post(
        reverse("configuration:closedday-delete", args=[past.pk]), follow=True
    )
    assert "is past: it stays on record." in response.content.decode()
    assert ClosedDay.objects.filter(pk=past.pk).exists()


# ---- provider hours --------------------------------------------------------------------------


@pytest.fixture
def newcomer(clinic):
    """A physician who may perform microneedling and has no hours yet."""
    user = UserFactory(role=PHYSICIAN, first_name="Nina", last_name="New")
    clinic.types[MN].providers.add(user)
    return user


def add_shift(client, user, weekday=MONDAY, start="09:00", end="12:00"):
    return client.post(provider_url(user), {"weekday": weekday, "start": start, "end": end})


def test_adding_hours_makes_a_provider_bookable_then(admin_client_, admin_user, clinic, newcomer):
    day = next_day(MONDAY)
    assert slots_on(clinic, day, newcomer) == []
    page = admin_client_.get(provider_url(newcomer)).content.decode()
    assert "Nina New" in page and "No working hours yet" in page
    response = add_shift(admin_client_, newcomer)
    assert response.status_code == 302 and response.url == provider_url(newcomer)
    shift = ProviderHours.objects.get(provider=newcomer)
    assert (shift.weekday, shift.start, shift.end) == (MONDAY, time(9), time(12))
    assert entries(shift, LogEntry.Action.CREATE).get().actor == admin_user
    slots = slots_on(clinic, day, newcomer)
    assert slots and all(time(9) <= times.local(s.start).time() < time(12) for s in slots)
    page = admin_client_.get(provider_url(newcomer)).content.decode()
    assert reverse("configuration:providerhours-update", args=[shift.pk]) in page


@pytest.mark.parametrize(
    ("start", "end", "error"),
    [
        ("11:00", "14:00", "already works 09:00–12:00 on Mondays"),
        ("12:00", "14:00", "make them one shift, 09:00–14:00"),
        ("07:00", "09:00", "The clinic is open 08:00–20:00 on Mondays; 07:00–09:00 reaches"),
        ("13:00", "12:00", "The end must be after the start."),
    ],
)
def test_hours_that_overlap_or_reach_outside_are_refused(
    admin_client_, clinic, newcomer, start, end, error
):
    ProviderHoursFactory(provider=newcomer, weekday=MONDAY, start=time(9), end=time(12))
    response = add_shift(admin_client_, newcomer, start=start, end=end)
    assert response.status_code == 200
    page = response.content.decode()
    assert error in page
    assert f'name="start" value="{start}"' in page
    assert ProviderHours.objects.filter(provider=newcomer).count() == 1


def test_no_hours_on_a_day_the_clinic_is_closed(admin_client_, clinic, newcomer):
    OpeningHours.objects.filter(weekday=SUNDAY).delete()
    response = add_shift(admin_client_, newcomer, weekday=SUNDAY)
    assert "The clinic is closed on Sundays; set its opening hours first." in (
        response.content.decode()
    )
    assert not ProviderHours.objects.filter(provider=newcomer).exists()


def test_a_provider_keeps_the_hours_their_sessions_ahead_need(
    admin_client_, admin_user, clinic, book
):
    session = book(clinic, days_to(MONDAY), 10)
    shift = ProviderHours.objects.get(provider=clinic.doctor, weekday=MONDAY)
    delete = reverse("configuration:providerhours-delete", args=[shift.pk])
    response = admin_client_.post(delete, follow=True)
    page = response.content.decode()
    assert f"On Mondays 1 booked session on {session.start:%a %d %b %Y} would fall outside" in page
    assert ProviderHours.objects.filter(pk=shift.pk).exists()
    edit = reverse("configuration:providerhours-update", args=[shift.pk])
    response = admin_client_.post(edit, {"weekday": MONDAY, "start": "12:00", "end": "20:00"})
    assert response.status_code == 200
    assert "would fall outside" in response.content.decode()
    # Moving the shift's edges around the session is fine, and audited.
    response = admin_client_.post(edit, {"weekday": MONDAY, "start": "09:00", "end": "19:00"})
    assert response.status_code == 302 and response.url == provider_url(clinic.doctor)
    shift.refresh_from_db()
    assert (shift.start, shift.end) == (time(9), time(19))
    assert entries(shift, LogEntry.Action.UPDATE).get().actor == admin_user


def test_removing_hours_nothing_depends_on(admin_client_, admin_user, clinic):
    shift = ProviderHours.objects.get(provider=clinic.doctor, weekday=SUNDAY)
    response = admin_client_.post(reverse("configuration:providerhours-delete", args=[shift.pk]))
    assert response.status_code == 302
    assert not ProviderHours.objects.filter(pk=shift.pk).exists()
    deleted = LogEntry.objects.filter(
        action=LogEntry.Action.DELETE, content_type__model="providerhours"
    ).get()
    assert deleted.actor == admin_user


def test_only_staff_who_can_treat_have_a_provider_page(admin_client_, clinic):
    desk = UserFactory(role=FRONT_DESK)
    assert admin_client_.get(provider_url(desk)).status_code == 404
    # Someone who has hours but can no longer treat: the hours can still be removed.
    ProviderHoursFactory(provider=desk, weekday=MONDAY, start=time(9), end=time(10))
    page = admin_client_.get(provider_url(desk)).content.decode()
    assert "can&#x27;t treat" in page or "can't treat" in page
    response = add_shift(admin_client_, desk, start="11:00", end="12:00")
    assert response.status_code == 200
    assert ProviderHours.objects.filter(provider=desk).count() == 1
