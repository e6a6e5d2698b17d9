"""Issue 14: the demo's "sessions today" must not be empty on any day after seeding. `make run`
runs seed_demo each time; a run on a later day books that day (and the next open days) again."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from dashboard import selectors
from scheduling import times
from scheduling.models import TreatmentSession

pytestmark = pytest.mark.django_db


def seed() -> None:
    call_command("seed_demo", stdout=StringIO())


def starting_on(day) -> list[TreatmentSession]:
    start, end = times.day_bounds(day)
    return list(TreatmentSession.objects.filter(start__gte=start, start__lt=end))


def test_a_demo_seeded_yesterday_has_sessions_today_after_running_again(settings, monkeypatch):
    settings.DEBUG = True
    today = times.today()
    monkeypatch.setattr(times, "today", lambda: today - timedelta(days=1))
    seed()
    monkeypatch.undo()

    seed()
    assert len({s.patient_id for s in starting_on(today)}) >= 3
    assert TreatmentSession.objects.filter(start__gte=times.day_bounds(today)[1]).exists()
    users = get_user_model().objects
    assert selectors.front_desk_panel(user=users.get(username="frontdesk")).arrivals
    assert selectors.physician_panel(user=users.get(username="physician")).today

    sessions = TreatmentSession.objects.count()
    seed()  # the same day again: nothing more
    assert TreatmentSession.objects.count() == sessions


def test_one_arrival_shows_a_missing_consent(settings):
    settings.DEBUG = True
    seed()
    desk = get_user_model().objects.get(username="frontdesk")
    arrivals = selectors.front_desk_panel(user=desk).arrivals
    assert [a for a in arrivals if a.missing_consents]
    assert [a for a in arrivals if a.consent_ok]
