"""A completed treatment record is locked: every URL that could change it refuses, and a
correction is an addendum (who, when, why, what), shown under the record and audited."""

from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from scheduling import services
from scheduling.models import Addendum, Status
from tests.scheduling.factories import make_session, on_day, screened_patient

pytestmark = pytest.mark.django_db

RECORD_FIELDS = ("needle_depth_mm", "passes", "cartridge_lot", "notes", "post_care_given",
                 "status", "start", "charted_at", "charted_by_id", "completed_at")  # fmt: skip


@pytest.fixture
def completed(clinic):
    patient = screened_patient(by=clinic.desk)
    now = timezone.now()
    return make_session(
        clinic, patient=patient, start=on_day(0, 8), status=Status.COMPLETED,
        needle_depth_mm=Decimal("1.5"), passes=4, cartridge_lot="CL-1", post_care_given=True,
        charted_at=now, charted_by=clinic.doctor, completed_at=now, notes="As planned.",
    )  # fmt: skip


def _record(session) -> dict:
    session.refresh_from_db()
    return {name: getattr(session, name) for name in RECORD_FIELDS}


def test_no_url_changes_a_completed_record(completed, physician_client, desk_client):
    before = _record(completed)
    posts = {
        "treatment": {
            "needle_depth_mm": "2.0",
            "passes": "9",
            "cartridge_lot": "X",
            "notes": "rewritten",
            "post_care_given": "on",
        },
        "reschedule": {"day": on_day(3, 10).date().isoformat(), "time": "10:00"},
        "cancel": {"reason": "Patient called"},
        "check-in": {},
        "no-show": {},
        "start": {},
        "complete": {},
    }
    for action, data in posts.items():
        url = reverse(f"scheduling:session-{action}", args=[completed.pk])
        for client in (physician_client, desk_client):
            client.post(url, data)
    assert _record(completed) == before


def test_the_treatment_form_of_a_completed_session_leads_to_the_addendum(
    completed, physician_client
):
    response = physician_client.get(reverse("scheduling:session-treatment", args=[completed.pk]))
    assert response["Location"] == reverse("scheduling:session-addendum", args=[completed.pk])
    with pytest.raises(ValidationError):
        services.treatment_record(by=completed.charted_by, session=completed, passes=9)


def test_a_physician_writes_an_addendum_shown_under_the_record(
    completed, physician_client, physician_user
):
    url = reverse("scheduling:session-addendum", args=[completed.pk])
    response = physician_client.post(
        url, {"reason": "Wrong lot typed", "text": "The cartridge lot was CL-2, not CL-1."}
    )
    assert response["Location"] == completed.get_absolute_url()
    (addendum,) = Addendum.objects.filter(session=completed)
    assert addendum.written_by == physician_user and addendum.reason == "Wrong lot typed"
    page = physician_client.get(completed.get_absolute_url()).content.decode()
    assert "The cartridge lot was CL-2, not CL-1." in page and "Wrong lot typed" in page
    assert _record(completed)["cartridge_lot"] == "CL-1"  # the record itself unchanged
    entry = LogEntry.objects.get_for_object(addendum).get()
    assert entry.action == LogEntry.Action.CREATE and entry.actor == physician_user


def test_an_addendum_needs_a_reason_and_text_and_keeps_what_was_typed(completed, physician_client):
    url = reverse("scheduling:session-addendum", args=[completed.pk])
    response = physician_client.post(url, {"reason": "", "text": "Half a thought"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "This field is required" in body and "Half a thought" in body
    assert not Addendum.objects.exists()
    with pytest.raises(ValidationError, match="reason and its text"):
        services.addendum_write(by=completed.charted_by, session=completed, reason=" ", text="x")


def test_an_open_record_takes_no_addendum(clinic, physician_client):
    session = make_session(clinic, patient=screened_patient(by=clinic.desk))
    response = physician_client.post(
        reverse("scheduling:session-addendum", args=[session.pk]), {"reason": "r", "text": "t"}
    )
    assert response.status_code == 200
    assert "correct the record itself" in response.content.decode()
    assert not Addendum.objects.exists()


def test_only_a_physician_writes_addenda(completed, desk_client, admin_client_, front_desk_user):
    url = reverse("scheduling:session-addendum", args=[completed.pk])
    for client in (desk_client, admin_client_):
        assert client.post(url, {"reason": "r", "text": "t"}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.addendum_write(by=front_desk_user, session=completed, reason="r", text="t")
    # The desk sees them, without the button.
    services.addendum_write(by=completed.charted_by, session=completed, reason="r", text="t1")
    page = desk_client.get(completed.get_absolute_url()).content.decode()
    assert "t1" in page and "Write an addendum" not in page


def test_an_addendum_is_final(completed):
    addendum = services.addendum_write(
        by=completed.charted_by, session=completed, reason="r", text="t"
    )
    addendum.text = "changed"
    with pytest.raises(ValidationError):
        addendum.save()
    with pytest.raises(ValidationError):
        addendum.delete()
