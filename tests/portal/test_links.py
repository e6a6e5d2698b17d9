"""A patient's link: single use, 72 hours, revocable, hashed; the birth-date check and its
lock. Every way a link stops working looks the same to whoever holds it."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal import services
from portal.models import PatientAccess
from tests.factories import PatientFactory, UserFactory, submit_intake
from tests.portal.helpers import born, fill_intake, issue, open_link, verified

pytestmark = pytest.mark.django_db

CLOSED = "This link does not work any more"


@pytest.fixture
def patient():
    return PatientFactory()


def test_the_token_is_stored_hashed_and_the_url_names_no_one(front_desk_user, patient):
    access, token = issue(front_desk_user, patient)
    assert len(token) >= 40
    row = PatientAccess.objects.get(pk=access.pk)
    assert row.token_hash == services.token_hash(token) and token not in row.token_hash
    url = reverse("portal:open", args=[token])
    for fact in (patient.mrn, patient.last_name, str(patient.pk)):
        assert fact not in url.replace(token, "")


def test_opening_swaps_the_token_for_a_session_and_asks_the_birth_date(front_desk_user, patient):
    _, token = issue(front_desk_user, patient)
    client, response = open_link(token)
    assert response.status_code == 302 and token not in response["Location"]
    page = client.get(reverse("portal:home"), follow=True)
    assert page.redirect_chain[-1][0] == reverse("portal:verify")
    body = page.content.decode()
    assert "date of birth" in body
    # Nothing of the patient before the check.
    for fact in (patient.first_name, patient.last_name, patient.mrn):
        assert fact not in body


def test_the_questionnaire_needs_the_birth_date_first(front_desk_user, patient):
    _, token = issue(front_desk_user, patient)
    client, _ = open_link(token)
    response = client.get(reverse("portal:intake", kwargs={"step": "hair"}))
    assert response.status_code == 302 and response["Location"] == reverse("portal:verify")
    response = client.post(reverse("portal:intake", kwargs={"step": "hair"}), {"onset": "x"})
    assert response["Location"] == reverse("portal:verify")
    assert PatientAccess.objects.get().draft == {}


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda a: setattr(a, "expires_at", timezone.now()), id="expired"),
        pytest.param(lambda a: setattr(a, "revoked_at", timezone.now()), id="revoked"),
        pytest.param(lambda a: setattr(a, "completed_at", timezone.now()), id="used"),
        pytest.param(lambda a: setattr(a, "locked_at", timezone.now()), id="locked"),
    ],
)
def test_a_spent_link_opens_nothing(front_desk_user, patient, spoil):
    access, token = issue(front_desk_user, patient)
    spoil(access)
    access.save()
    client, response = open_link(token)
    assert response.status_code == 404 and CLOSED in response.content.decode()
    assert "portal_access" not in client.session


def test_a_guessed_token_opens_nothing_and_looks_like_any_other(front_desk_user, patient):
    issue(front_desk_user, patient)
    for guess in ("x", "A" * 43, "A" * 500, "%00"):
        _, response = open_link(guess)
        assert response.status_code == 404 and CLOSED in response.content.decode()


def test_the_link_expires_after_72_hours(front_desk_user, patient):
    access, token = issue(front_desk_user, patient)
    assert access.expires_at - access.issued_at == timedelta(hours=72)
    PatientAccess.objects.filter(pk=access.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert services.access_by_token(token) is None


def test_an_expiry_mid_questionnaire_closes_the_pages(front_desk_user, patient):
    client, access = verified(front_desk_user, patient)
    PatientAccess.objects.filter(pk=access.pk).update(expires_at=timezone.now())
    response = client.get(reverse("portal:intake", kwargs={"step": "hair"}))
    assert response.status_code == 404 and CLOSED in response.content.decode()


def test_a_link_is_single_use(front_desk_user, patient):
    submit_intake(front_desk_user, patient)
    access, token = issue(front_desk_user, patient)
    client, _ = open_link(token)
    client.post(reverse("portal:verify"), born(patient))
    fill_intake(client)
    assert PatientAccess.objects.get(pk=access.pk).completed_at is not None
    # The same link again, in another browser, and in the same one.
    _, response = open_link(token)
    assert response.status_code == 404
    again = client.get(reverse("portal:intake", kwargs={"step": "hair"}))
    assert again.status_code == 302 and again["Location"] == reverse("portal:done")


def test_a_new_link_closes_the_open_one(front_desk_user, patient):
    first, old = issue(front_desk_user, patient)
    issue(front_desk_user, patient)
    assert services.access_by_token(old) is None
    first.refresh_from_db()
    assert first.revoked_at is not None


def test_staff_close_a_link_and_the_patient_is_told_to_call(desk_client, front_desk_user, patient):
    client, access = verified(front_desk_user, patient)
    response = desk_client.post(reverse("portal:revoke", args=[access.pk]))
    assert response.status_code == 302
    access.refresh_from_db()
    assert access.revoked_at and access.revoked_by == front_desk_user
    page = client.get(reverse("portal:intake", kwargs={"step": "hair"}))
    assert page.status_code == 404 and CLOSED in page.content.decode()


def test_a_completed_link_cannot_be_closed(front_desk_user, patient):
    access, _ = issue(front_desk_user, patient)
    PatientAccess.objects.filter(pk=access.pk).update(completed_at=timezone.now())
    with pytest.raises(Exception, match="already sent"):
        services.access_revoke(by=front_desk_user, access=access)


def test_wrong_birth_dates_count_down_and_the_fifth_locks_the_link(front_desk_user, patient):
    access, token = issue(front_desk_user, patient)
    client, _ = open_link(token)
    wrong = {**born(patient), "year": patient.date_of_birth.year - 1}
    for left in (4, 3, 2, 1):
        response = client.post(reverse("portal:verify"), wrong)
        assert response.status_code == 200
        assert f"try {left} more time" in response.content.decode()
    response = client.post(reverse("portal:verify"), wrong)
    assert response.status_code == 403 and "locked" in response.content.decode()
    access.refresh_from_db()
    assert access.locked_at is not None and access.failed_tries == 5
    # Locked for good: the right date, the link again, nothing opens.
    assert client.post(reverse("portal:verify"), born(patient)).status_code == 404
    _, response = open_link(token)
    assert response.status_code == 404


def test_tries_are_counted_on_the_link_not_the_browser(front_desk_user, patient):
    access, token = issue(front_desk_user, patient)
    wrong = {**born(patient), "day": patient.date_of_birth.day % 28 + 1}
    for _ in range(5):
        client, _ = open_link(token)  # a fresh browser each time
        if client.session.get("portal_access") is None:
            break
        client.post(reverse("portal:verify"), wrong)
    access.refresh_from_db()
    assert access.failed_tries == 5 and access.locked_at is not None


def test_an_impossible_date_is_a_form_error_not_a_try(front_desk_user, patient):
    access, token = issue(front_desk_user, patient)
    client, _ = open_link(token)
    response = client.post(reverse("portal:verify"), {"day": 31, "month": 2, "year": 1980})
    assert response.status_code == 200 and "Enter a real date" in response.content.decode()
    response = client.post(reverse("portal:verify"), {"day": "", "month": "", "year": "abc"})
    assert response.status_code == 200
    access.refresh_from_db()
    assert access.failed_tries == 0


def test_opening_a_link_signs_a_staff_member_out_of_that_browser(
    desk_client, front_desk_user, patient
):
    _, token = issue(front_desk_user, patient)
    open_link(token, desk_client)
    response = desk_client.get(reverse("intake:patient-list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_an_archived_patient_gets_no_link(front_desk_user):
    patient = PatientFactory(archived_at=timezone.now(), archived_by=UserFactory())
    with pytest.raises(Exception, match="archived"):
        issue(front_desk_user, patient)


def test_a_role_without_the_right_cannot_issue(physician_user, admin_user, patient):
    for user in (physician_user, admin_user):
        with pytest.raises(Exception):  # noqa: B017  PermissionDenied
            issue(user, patient)
    assert not PatientAccess.objects.exists()


def test_the_page_is_never_cached_or_framed(front_desk_user, patient):
    client, _ = verified(front_desk_user, patient)
    response = client.get(reverse("portal:intake", kwargs={"step": "hair"}))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["X-Frame-Options"] == "DENY"


def test_the_access_is_the_key_not_the_client(front_desk_user, patient):
    """A second browser without the link has nothing."""
    verified(front_desk_user, patient)
    response = Client().get(reverse("portal:intake", kwargs={"step": "hair"}))
    assert response.status_code == 404
