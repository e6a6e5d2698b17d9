"""The periodic tasks' selection: reminders for booked sessions within 48 hours, the post-care
sheet after microneedling or PRP, each once, only to patients who agreed to messages."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from messaging import content, services
from messaging.models import Kind, Message
from scheduling.models import Status
from tests.messaging.test_delivery import reachable_patient
from tests.scheduling.factories import LLLT, MN, PRP, make_session, on_day, screened_patient

pytestmark = pytest.mark.django_db


def _session(clinic, patient, hours: float, **fields):
    return make_session(
        clinic, patient=patient, start=timezone.now() + timedelta(hours=hours), **fields
    )


def test_booked_sessions_within_48_hours_are_reminded_once(clinic, settings):
    settings.CLINIC_NAME = "Follicle Test Clinic"
    patient = reachable_patient()
    soon = _session(clinic, patient, 30)
    _session(clinic, patient, 60)  # too far yet
    _session(clinic, patient, 40, status=Status.CANCELLED, cancel_reason="Patient called")
    _session(clinic, reachable_patient(channel="none"), 20)  # no messages
    assert services.reminders_queue() == 1
    assert services.reminders_queue() == 0
    (message,) = Message.objects.all()
    assert message.session == soon and message.kind == Kind.REMINDER
    assert "Follicle Test Clinic" in message.body
    # No treatment named: the procedure is clinical detail the reminder does not need.
    for word in ("microneedling", "PRP", "laser", soon.session_type.name):
        assert word.lower() not in (message.subject + message.body).lower()


def test_a_moved_session_is_reminded_of_its_new_time(clinic):
    session = _session(clinic, reachable_patient(), 30)
    services.reminders_queue()
    session.start += timedelta(hours=2)
    session.end += timedelta(hours=2)
    session.save()
    assert services.reminders_queue() == 1
    assert Message.objects.filter(session=session).count() == 2


def test_post_care_follows_a_completed_session_with_mn_or_prp(clinic):
    patient = reachable_patient()
    now = timezone.now()
    done = {}
    for i, kind in enumerate((MN, PRP, LLLT)):
        done[kind] = _session(
            clinic, patient, -48 - 24 * i, type_name=kind, status=Status.COMPLETED,
            completed_at=now - timedelta(hours=1), charted_at=now - timedelta(hours=1),
        )  # fmt: skip
    assert services.post_care_queue() == 2
    assert services.post_care_queue() == 0
    by_session = {m.session_id: m for m in Message.objects.filter(kind=Kind.POST_CARE)}
    assert set(by_session) == {done[MN].pk, done[PRP].pk}
    assert "needle holes" in by_session[done[MN].pk].body
    assert "saunas" in by_session[done[PRP].pk].body
    assert "needle holes" not in by_session[done[PRP].pk].body


def test_the_post_care_text_is_clinicals_for_each_procedure():
    assert content.has_post_care(["lllt"]) is False
    assert content.has_post_care(["microneedling", "lllt"]) is True


def test_the_periodic_tasks_send_through_the_queue(clinic, django_capture_on_commit_callbacks):
    _session(clinic, reachable_patient(), 10)
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_queue()
    assert [m.to for m in mail.outbox] == [["ada@example.org"]]


def test_a_screening_out_of_date_on_the_day_is_announced_once(clinic, settings):
    """Screenings count for SCREENING_VALID_DAYS: a session after that needs new answers."""
    settings.SCREENING_VALID_DAYS = 3
    due = screened_patient(by=clinic.desk, patient__email="ada@example.org")
    fine = screened_patient(by=clinic.desk, patient__email="bob@example.org")
    for patient in (due, fine):
        services.contact_set(by=clinic.desk, patient=patient, channel="email", consent=True)
    late = make_session(clinic, patient=due, start=on_day(5, 10))
    make_session(clinic, patient=fine, start=on_day(2, 10))
    make_session(clinic, patient=due, start=on_day(20, 10))  # beyond the week looked at
    assert services.rescreen_due_queue() == 1
    assert services.rescreen_due_queue() == 0
    (message,) = Message.objects.filter(kind=Kind.RESCREEN_DUE)
    assert message.session == late
    assert "health questions" in message.body and "arrive 15 minutes early" in message.body
