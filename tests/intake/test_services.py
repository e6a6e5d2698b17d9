from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.roles import FRONT_DESK
from intake import selectors, services
from intake.models import IntakeQuestionnaire, Patient
from tests.factories import INTAKE_HISTORY, PatientFactory, UserFactory, all_no

pytestmark = pytest.mark.django_db

VALID = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "date_of_birth": date(1985, 12, 10),
    "sex": "female",
    "phone": "+447911123456",
}


@pytest.fixture
def desk():
    return UserFactory(role=FRONT_DESK)


def intake_fields(**yes):
    return {**INTAKE_HISTORY, "treatments": {"minoxidil": "never"}, "answers": all_no(**yes)}


def test_register_assigns_mrn_and_audit_actor(desk):
    patient = services.patient_register(by=desk, **VALID)
    assert patient.mrn.startswith("F") and len(patient.mrn) == 9
    assert patient.created_by == desk
    entry = LogEntry.objects.get_for_object(patient).get()
    assert entry.action == LogEntry.Action.CREATE
    assert entry.actor == desk


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date_of_birth", timezone.localdate() + timedelta(days=1), "future"),
        ("date_of_birth", date(1850, 1, 1), "1900"),
        ("phone", "12345", "not valid"),
        ("first_name", "x" * 101, "at most 100"),
        ("sex", "dragon", "not a valid choice"),
        ("email", "not-an-email", "valid email"),
    ],
)
def test_register_rejects_bad_input_and_saves_nothing(desk, field, value, message):
    with pytest.raises(ValidationError) as excinfo:
        services.patient_register(by=desk, **{**VALID, field: value})
    assert message in str(excinfo.value.message_dict[field])
    assert Patient.objects.count() == 0
    assert not LogEntry.objects.get_for_model(Patient).exists()


def test_register_rejects_unknown_field(desk):
    with pytest.raises(TypeError):
        services.patient_register(by=desk, **VALID, mrn="F1")


def test_update_records_change_by_actor(desk):
    patient = services.patient_register(by=desk, **VALID)
    other = UserFactory(role=FRONT_DESK)
    services.patient_update(by=other, patient=patient, first_name="Augusta")
    patient.refresh_from_db()
    assert patient.first_name == "Augusta" and patient.updated_by == other
    change = LogEntry.objects.get_for_object(patient).filter(action=LogEntry.Action.UPDATE).get()
    assert change.actor == other
    assert change.changes_dict["first_name"] == ["Ada", "Augusta"]


def test_archive_keeps_record_and_restore(desk):
    patient = services.patient_register(by=desk, **VALID)
    services.patient_archive(by=desk, patient=patient, reason="duplicate")
    patient.refresh_from_db()
    assert patient.is_archived and patient.archived_by == desk
    assert Patient.objects.filter(pk=patient.pk).exists()
    services.patient_restore(by=desk, patient=patient)
    patient.refresh_from_db()
    assert not patient.is_archived


def test_intake_submit_supersedes_and_keeps_old(desk):
    patient = PatientFactory()
    first = services.intake_submit(by=desk, patient=patient, **intake_fields())
    second = services.intake_submit(by=desk, patient=patient, **intake_fields(scalp_acne=True))
    assert second.supersedes == first
    first.refresh_from_db()
    assert first.answers["scalp_acne"] is False
    assert second.answers["scalp_acne"] is True
    assert IntakeQuestionnaire.objects.filter(patient=patient).count() == 2
    assert patient.intakes.latest() == second


def test_intake_missing_answer_is_refused(desk):
    patient = PatientFactory()
    fields = intake_fields()
    del fields["answers"]["scalp_wound"]
    with pytest.raises(ValidationError) as excinfo:
        services.intake_submit(by=desk, patient=patient, **fields)
    assert "scalp_wound" in str(excinfo.value)
    assert not IntakeQuestionnaire.objects.exists()


def test_intake_unknown_code_and_wrong_grade_refused(desk):
    patient = PatientFactory()
    fields = intake_fields()
    fields["answers"]["made_up"] = True
    with pytest.raises(ValidationError):
        services.intake_submit(by=desk, patient=patient, **fields)
    with pytest.raises(ValidationError) as excinfo:
        services.intake_submit(by=desk, patient=patient, **{**intake_fields(), "grade": "I-1"})
    assert "grade" in excinfo.value.message_dict
    assert not IntakeQuestionnaire.objects.exists()


def test_archived_patient_takes_no_intake(desk):
    patient = PatientFactory()
    services.patient_archive(by=desk, patient=patient, reason="moved away")
    with pytest.raises(ValidationError, match="archived"):
        services.intake_submit(by=desk, patient=patient, **intake_fields())


def test_likely_duplicates_by_name_dob_or_phone(desk):
    existing = services.patient_register(by=desk, **VALID)
    same_name = selectors.patient_likely_duplicates(
        first_name="ada", last_name="LOVELACE", date_of_birth=VALID["date_of_birth"]
    )
    assert list(same_name) == [existing]
    same_phone = selectors.patient_likely_duplicates(
        first_name="Other", last_name="Person", date_of_birth=date(2000, 1, 1), phone=VALID["phone"]
    )
    assert list(same_phone) == [existing]
    different = selectors.patient_likely_duplicates(
        first_name="Ada", last_name="Lovelace", date_of_birth=date(1986, 1, 1)
    )
    assert not different.exists()


def test_a_likely_duplicate_is_registered_only_once_confirmed(desk):
    """The rule the registration form used to decide itself (issue 13)."""
    services.patient_register(by=desk, **VALID)
    other_phone = {**VALID, "phone": "+447911123457"}
    with pytest.raises(ValidationError) as refused:
        services.patient_register(by=desk, allow_duplicate=False, **other_phone)
    assert refused.value.code == services.LIKELY_DUPLICATE
    assert Patient.objects.count() == 1
    services.patient_register(by=desk, allow_duplicate=True, **other_phone)
    someone_else = {**other_phone, "first_name": "Augusta", "phone": "+447400123456"}
    services.patient_register(by=desk, allow_duplicate=False, **someone_else)
    assert Patient.objects.count() == 3


def test_patient_get_logs_access(desk):
    patient = PatientFactory()
    selectors.patient_get(user=desk, pk=patient.pk)
    entry = LogEntry.objects.get_for_object(patient).get(action=LogEntry.Action.ACCESS)
    assert entry.actor == desk


def test_selectors_refuse_without_permission():
    from django.core.exceptions import PermissionDenied

    nobody = UserFactory()
    patient = PatientFactory()
    with pytest.raises(PermissionDenied):
        selectors.patient_get(user=nobody, pk=patient.pk)
    with pytest.raises(PermissionDenied):
        selectors.patient_list(user=nobody)
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def test_grade_label_names_its_scale():
    from tests.factories import IntakeFactory

    assert IntakeFactory(scale="norwood", grade="III").grade_label == "Norwood III"
    assert IntakeFactory(scale="savin", grade="III").grade_label == "Savin III"
