"""What only PostgreSQL can show: two admins acting on each other at the same moment."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from core.roles import CLINIC_ADMIN
from staff import services
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrent transactions"),
]


@pytest.mark.django_db(transaction=True)
def test_two_admins_deactivating_each_other_at_once_leave_one_admin(run_concurrently):
    first = UserFactory(username="first", role=CLINIC_ADMIN)
    second = UserFactory(username="second", role=CLINIC_ADMIN)
    pairs = [(first, second), (second, first)]

    def deactivate(i: int):
        by, account = pairs[i]
        try:
            services.staff_deactivate(by=by, account=account)
        except PermissionDenied:
            return "refused"
        return "done"

    outcomes, errors = run_concurrently(deactivate, 2)
    assert not errors, errors
    assert sorted(outcomes) == ["done", "refused"]
    first.refresh_from_db()
    second.refresh_from_db()
    assert [first.is_active, second.is_active].count(True) == 1
