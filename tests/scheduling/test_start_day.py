"""Found by the lifecycle state machine: a session checked in on its day could be started weeks
later on a screening that had run out. A treatment starts only on the session's day."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from scheduling import services
from scheduling.models import Status
from tests.scheduling.factories import make_clinic, make_session, screened_patient

pytestmark = pytest.mark.django_db


def test_a_checked_in_session_cannot_be_started_on_a_later_day():
    clinic = make_clinic()
    patient = screened_patient(by=clinic.desk)
    session = make_session(clinic, patient=patient, status=Status.CHECKED_IN)
    later = timezone.now() + timedelta(days=40)
    refused = pytest.raises(ValidationError, match="only be started on the day of the session")
    with mock.patch("django.utils.timezone.now", return_value=later), refused:
        services.session_start(by=clinic.doctor, session=session)
    session.refresh_from_db()
    assert session.status == Status.CHECKED_IN
    services.session_start(by=clinic.doctor, session=session)
    session.refresh_from_db()
    assert session.status == Status.IN_TREATMENT
