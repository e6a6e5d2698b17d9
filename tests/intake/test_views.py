import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from eligibility import rules
from intake.models import IntakeQuestionnaire, Patient
from tests.factories import INTAKE_HISTORY, IntakeFactory, PatientFactory

pytestmark = pytest.mark.django_db

PATIENT_POST = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "date_of_birth": "1985-12-10",
    "sex": "female",
    "phone": "07911 123456",
    "email": "ada@example.com",
}


def intake_post(**overrides) -> dict:
    """The intake form filled in with INTAKE_HISTORY, a treatment history and "no" to every
    question; `overrides` on top."""
    return {
        **INTAKE_HISTORY,
        "treatment_minoxidil": "past",
        "treatment_finasteride": "never",
        "treatment_dutasteride": "never",
        "treatment_supplements": "current",
        "treatment_prp": "never",
        "treatment_laser": "never",
        "treatment_transplant": "never",
        **{f"q_{c.code}": "no" for c in rules.CATALOGUE},
        **overrides,
    }


def test_register_patient_through_form(desk_client):
    response = desk_client.post(reverse("intake:patient-create"), PATIENT_POST)
    patient = Patient.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("intake:patient-detail", args=[patient.pk])
    assert str(patient.phone) == "+447911123456"


def test_bad_input_shows_messages_and_keeps_values(desk_client):
    data = {**PATIENT_POST, "date_of_birth": "2999-01-01", "phone": "12"}
    response = desk_client.post(reverse("intake:patient-create"), data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "cannot be in the future" in content
    assert "valid phone number" in content
    assert 'value="Lovelace"' in content
    assert not Patient.objects.exists()


def test_impossible_date_is_refused(desk_client):
    response = desk_client.post(
        reverse("intake:patient-create"), {**PATIENT_POST, "date_of_birth": "1990-02-30"}
    )
    assert response.status_code == 200
    assert "Enter a valid date" in response.content.decode()
    assert not Patient.objects.exists()


def test_duplicate_is_flagged_then_confirmed(desk_client):
    existing = PatientFactory(first_name="Ada", last_name="Lovelace", date_of_birth="1985-12-10")
    response = desk_client.post(reverse("intake:patient-create"), PATIENT_POST)
    assert response.status_code == 200
    content = response.content.decode()
    assert "already registered" in content
    assert existing.mrn in content
    assert Patient.objects.count() == 1
    confirmed = desk_client.post(
        reverse("intake:patient-create"), {**PATIENT_POST, "confirm_not_duplicate": "on"}
    )
    assert confirmed.status_code == 302
    assert Patient.objects.count() == 2


def test_resubmitted_form_registers_once(desk_client):
    data = {**PATIENT_POST, "form_token": "token-abc"}
    first = desk_client.post(reverse("intake:patient-create"), data)
    second = desk_client.post(reverse("intake:patient-create"), data)
    assert first.status_code == second.status_code == 302
    assert first.url == second.url
    assert Patient.objects.count() == 1


def test_take_intake_and_see_it_on_patient_page(desk_client, front_desk_user):
    patient = PatientFactory()
    response = desk_client.post(
        reverse("intake:intake-create", args=[patient.pk]), intake_post(q_scalp_acne="yes")
    )
    assert response.status_code == 302
    intake = IntakeQuestionnaire.objects.get()
    assert intake.answers["scalp_acne"] is True
    assert intake.answers["scalp_wound"] is False
    assert intake.taken_by == front_desk_user
    assert intake.treatments["supplements"] == "current"
    page = desk_client.get(reverse("intake:patient-detail", args=[patient.pk]))
    assert "Intake history" in page.content.decode()
    assert intake.get_absolute_url() in page.content.decode()


def test_missing_answer_is_not_a_no(desk_client):
    patient = PatientFactory()
    data = intake_post()
    del data["q_scalp_wound"]
    response = desk_client.post(reverse("intake:intake-create", args=[patient.pk]), data)
    assert response.status_code == 200
    assert "Please answer yes or no." in response.content.decode()
    assert not IntakeQuestionnaire.objects.exists()


def test_grade_from_other_scale_refused(desk_client):
    patient = PatientFactory()
    response = desk_client.post(
        reverse("intake:intake-create", args=[patient.pk]), intake_post(grade="I-1")
    )
    assert response.status_code == 200
    assert "Choose a grade from the chosen scale." in response.content.decode()
    assert not IntakeQuestionnaire.objects.exists()


def test_editing_an_intake_creates_a_new_one(desk_client):
    old = IntakeFactory()
    url = reverse("intake:intake-edit", args=[old.patient.pk, old.pk])
    form_page = desk_client.get(url)
    assert 'value="Two years ago"' in form_page.content.decode()
    response = desk_client.post(url, intake_post(q_acute_infection="yes"))
    assert response.status_code == 302
    new = IntakeQuestionnaire.objects.exclude(pk=old.pk).get()
    assert new.supersedes == old
    old.refresh_from_db()
    assert old.answers["acute_infection"] is False


def test_search_keeps_phi_out_of_urls(desk_client):
    PatientFactory(first_name="Zed", last_name="Quist")
    PatientFactory(first_name="Amy", last_name="Brown")
    response = desk_client.post(reverse("intake:patient-list"), {"q": "Quist", "status": "active"})
    assert response.status_code == 302
    assert "Quist" not in response.url and "?" not in response.url
    listing = desk_client.get(response.url).content.decode()
    assert "Quist, Zed" in listing
    assert "Brown, Amy" not in listing
    cleared = desk_client.post(reverse("intake:patient-list"), {"clear": "1"})
    assert "Brown, Amy" in desk_client.get(cleared.url).content.decode()


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("1985-12-10", True),
        ("10/12/1985", True),
        ("07911 123456", True),
        ("lovel", True),
        ("ada lov", True),
        ("nomatch", False),
    ],
)
def test_search_understands_dates_phones_names(desk_client, term, expected):
    PatientFactory(
        first_name="Ada", last_name="Lovelace", date_of_birth="1985-12-10", phone="+447911123456"
    )
    PatientFactory(first_name="Bob", last_name="Other", date_of_birth="1970-01-01")
    response = desk_client.post(reverse("intake:patient-list"), {"q": term, "status": "active"})
    assert response.status_code == 302
    listing = desk_client.get(reverse("intake:patient-list")).content.decode()
    assert ("Lovelace, Ada" in listing) is expected
    assert "Other, Bob" not in listing


def test_search_by_mrn(desk_client):
    patient = PatientFactory(first_name="Ada", last_name="Lovelace")
    other = PatientFactory(first_name="Bob", last_name="Other")
    desk_client.post(reverse("intake:patient-list"), {"q": patient.mrn, "status": "active"})
    listing = desk_client.get(reverse("intake:patient-list")).content.decode()
    assert "Lovelace, Ada" in listing
    assert other.mrn not in listing and "Other, Bob" not in listing


def test_archived_hidden_from_active_list(desk_client, front_desk_user):
    patient = PatientFactory(last_name="Gone")
    response = desk_client.post(
        reverse("intake:patient-archive", args=[patient.pk]), {"reason": "moved away"}
    )
    assert response.status_code == 302
    listing = desk_client.get(reverse("intake:patient-list")).content.decode()
    assert "Gone," not in listing
    desk_client.post(reverse("intake:patient-list"), {"q": "", "status": "archived"})
    assert "Gone," in desk_client.get(reverse("intake:patient-list")).content.decode()


def test_archive_needs_reason(desk_client):
    patient = PatientFactory()
    response = desk_client.post(reverse("intake:patient-archive", args=[patient.pk]), {})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    patient.refresh_from_db()
    assert not patient.is_archived


def test_viewing_patient_page_is_audited(desk_client, front_desk_user):
    patient = PatientFactory()
    assert desk_client.get(reverse("intake:patient-detail", args=[patient.pk])).status_code == 200
    entry = LogEntry.objects.get_for_object(patient).get(action=LogEntry.Action.ACCESS)
    assert entry.actor == front_desk_user


def test_edit_patient_is_audited_with_actor(desk_client, front_desk_user):
    patient = PatientFactory(first_name="Old")
    data = {**PATIENT_POST, "first_name": "New"}
    response = desk_client.post(reverse("intake:patient-update", args=[patient.pk]), data)
    assert response.status_code == 302
    change = LogEntry.objects.get_for_object(patient).get(action=LogEntry.Action.UPDATE)
    assert change.actor == front_desk_user
    assert change.changes_dict["first_name"] == ["Old", "New"]


def test_unknown_patient_is_404(desk_client):
    assert desk_client.get(reverse("intake:patient-detail", args=[999999])).status_code == 404


def test_intake_of_another_patient_is_404(desk_client):
    intake = IntakeFactory()
    other = PatientFactory()
    url = reverse("intake:intake-detail", args=[other.pk, intake.pk])
    assert desk_client.get(url).status_code == 404


def _list_queries(client) -> int:
    client.get(reverse("intake:patient-list"))  # the session's once-a-minute save is not the list
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("intake:patient-list"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_patient_list_query_count_is_flat(desk_client):
    for _ in range(5):
        IntakeFactory()
    five = _list_queries(desk_client)
    for _ in range(45):
        IntakeFactory()
    fifty = _list_queries(desk_client)
    assert five == fifty
    assert fifty <= 8  # session, user, OTP device, 2 permission sets, count, page
