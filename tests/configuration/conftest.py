"""Helpers for the clinic-settings tests: sessions booked ahead, and the audit trail."""

import pytest
from auditlog.models import LogEntry

from scheduling.models import Status
from tests.factories import PatientFactory
from tests.scheduling.factories import make_session, on_day


@pytest.fixture
def book():
    """`book(clinic, days_ahead, hour, **fields)`: a session written straight to the table (no
    gates), for a new patient; by default a microneedling session in Room 1 with Pen A."""

    def make(clinic, days_ahead: int = 3, hour: int = 10, **fields):
        fields.setdefault("status", Status.BOOKED)
        return make_session(
            clinic, patient=PatientFactory(), start=on_day(days_ahead, hour), **fields
        )

    return make


def entries(record, action=None):
    """The audit entries about `record`, oldest first."""
    found = LogEntry.objects.get_for_object(record).order_by("timestamp", "pk")
    return found if action is None else found.filter(action=action)
