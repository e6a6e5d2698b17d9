"""Writes to patient records and intakes. Every write is validated, atomic and audited."""

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.audit import actor
from intake import selectors, signals
from intake.models import IntakeQuestionnaire, Patient, Source

MRN_PREFIX = "F"
_MRN_ATTEMPTS = 5

PATIENT_FIELDS = (
    "first_name",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "sex",
    "phone",
    "email",
    "address",
    "emergency_contact_name",
    "emergency_contact_phone",
    "notes",
)


LIKELY_DUPLICATE = "likely_duplicate"
LIKELY_DUPLICATE_MESSAGE = (
    "This looks like a patient who is already registered (same name and date of birth, or same "
    "phone). Open the existing record, or confirm below that this is a different person."
)


def _check_fields(fields: dict) -> None:
    unknown = set(fields) - set(PATIENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown patient fields: {', '.join(sorted(unknown))}")


def _new_mrn() -> str:
    """A random, non-sequential record number: it says nothing about how many patients exist."""
    return f"{MRN_PREFIX}{secrets.randbelow(10**8):08d}"


def patient_register(*, by, allow_duplicate: bool = True, **fields: Any) -> Patient:
    """Create a patient with a fresh MRN; retry the rare MRN collision in a savepoint.

    The front desk's form passes `allow_duplicate=False` until the user has confirmed that
    someone with the same name and date of birth, or the same phone, is a different person: the
    refusal has the code `LIKELY_DUPLICATE`, and the form then lists those records.
    """
    _check_fields(fields)
    if (
        not allow_duplicate
        and selectors.patient_likely_duplicates(**selectors.identity(fields)).exists()
    ):
        raise ValidationError(LIKELY_DUPLICATE_MESSAGE, code=LIKELY_DUPLICATE)
    now = timezone.now()
    for attempt in range(_MRN_ATTEMPTS):
        patient = Patient(
            **fields, mrn=_new_mrn(), created_by=by, updated_by=by, created_at=now, updated_at=now
        )
        patient.full_clean()
        try:
            with transaction.atomic(), actor(by):
                patient.save()
        except IntegrityError:
            if attempt == _MRN_ATTEMPTS - 1 or Patient.objects.filter(mrn=patient.mrn).count() == 0:
                raise
            continue
        return patient
    raise AssertionError("unreachable")


def patient_update(*, by, patient: Patient, **fields: Any) -> Patient:
    _check_fields(fields)
    before = (patient.date_of_birth, patient.sex)
    for name, value in fields.items():
        setattr(patient, name, value)
    patient.updated_by = by
    patient.updated_at = timezone.now()
    patient.full_clean()
    with transaction.atomic(), actor(by):
        patient.save()
        # The screen reads the age and sex: a correction re-screens at once (lifecycle rule 7).
        if (patient.date_of_birth, patient.sex) != before:
            signals.announce(signals.patient_facts_changed, by=by, patient=patient)
    return patient


def patient_archive(*, by, patient: Patient, reason: str = "") -> Patient:
    """Archive instead of delete: the record, its intakes and its history stay."""
    if patient.is_archived:
        return patient
    patient.archived_at = timezone.now()
    patient.archived_by = by
    patient.archive_reason = reason[:200]
    patient.updated_by = by
    patient.updated_at = patient.archived_at
    with transaction.atomic(), actor(by):
        patient.save()
    return patient


def patient_restore(*, by, patient: Patient) -> Patient:
    if not patient.is_archived:
        return patient
    patient.archived_at = None
    patient.archived_by = None
    patient.archive_reason = ""
    patient.updated_by = by
    patient.updated_at = timezone.now()
    with transaction.atomic(), actor(by):
        patient.save()
    return patient


def intake_submit(
    *, by, patient: Patient, source: str = Source.STAFF, **fields: Any
) -> IntakeQuestionnaire:
    """Store a completed intake and screen it for every procedure, in one transaction.

    A later intake supersedes the latest without changing it, so earlier screenings can still
    be explained by the answers they saw.
    """
    if patient.is_archived:
        raise ValidationError(
            "An archived patient cannot take a new intake; restore the record first."
        )
    with transaction.atomic(), actor(by):
        # Lock the patient so two intakes submitted at once cannot supersede the same one.
        Patient.objects.select_for_update().filter(pk=patient.pk).first()
        previous = (
            IntakeQuestionnaire.objects.filter(patient=patient, superseded_by__isnull=True)
            .order_by("-taken_at", "-id")
            .first()
        )
        intake = IntakeQuestionnaire(
            **fields,
            patient=patient,
            supersedes=previous,
            source=source,
            taken_by=by,
            taken_at=timezone.now(),
        )
        intake.full_clean()
        intake.save()
        signals.announce(signals.intake_submitted, by=by, intake=intake)
    return intake
