"""Reads of patient data. Each takes the user: permission checks and access logging live here."""

from collections.abc import Iterable, Mapping
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import CharField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast, Lower
from django.shortcuts import get_object_or_404

from core.audit import log_access, log_access_many
from intake.filters import search_q
from intake.models import IntakeQuestionnaire, Patient


def _require(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


#: What the patient list shows (and its access-log entries name): nothing else is loaded. The
#: phone comes as its stored text (`phone_text`): the field would parse every number as it is
#: loaded, a third of the rows' cost; the list formats each distinct number once (intake.tables).
LIST_FIELDS = ("mrn", "first_name", "last_name", "date_of_birth", "sex", "archived_at")


def patient_list(*, user) -> QuerySet[Patient]:
    """Patients with their latest intake date annotated (one query, however many rows), and
    only the columns the list shows."""
    _require(user, "intake.view_patient")
    latest_intake = (
        IntakeQuestionnaire.objects.filter(patient=OuterRef("pk"))
        .order_by("-taken_at")
        .values("taken_at")[:1]
    )
    return (
        Patient.objects.only(*LIST_FIELDS)
        .annotate(
            last_intake_at=Subquery(latest_intake),
            phone_text=Cast("phone", output_field=CharField()),
        )
        .order_by(Lower("last_name"), Lower("first_name"), "id")
    )


def patient_get(*, user, pk: int, log: bool = True) -> Patient:
    """One patient; the read goes in the audit log unless the caller logs it when it draws the
    page (a form that only changes the record shows nothing)."""
    _require(user, "intake.view_patient")
    patient = get_object_or_404(Patient, pk=pk)
    if log:
        log_access(patient, by=user)
    return patient


def _extensions() -> list[str]:
    """The one-to-one records other apps keep beside a patient (e.g. how they may be
    contacted), found by introspection: this layer names none of them."""
    return [rel.name for rel in Patient._meta.related_objects if rel.one_to_one]


def patient_page(*, user, pk: int) -> Patient:
    """The patient of their own page, with its one-to-one extensions in the same query (the
    page's cards read them), logged."""
    _require(user, "intake.view_patient")
    patient = get_object_or_404(Patient.objects.select_related(*_extensions()), pk=pk)
    log_access(patient, by=user)
    return patient


def patient_intakes(*, user, patient: Patient) -> QuerySet[IntakeQuestionnaire]:
    _require(user, "intake.view_intakequestionnaire")
    return patient.intakes.select_related("taken_by").order_by("-taken_at", "-id")


def intake_get(*, user, patient_pk: int, pk: int, log: bool = True) -> IntakeQuestionnaire:
    """One intake of the patient of the URL (404 for another patient's); the page names the
    patient too."""
    _require(user, "intake.view_intakequestionnaire")
    _require(user, "intake.view_patient")
    intake = get_object_or_404(
        IntakeQuestionnaire.objects.select_related("taken_by", "patient"),
        pk=pk,
        patient_id=patient_pk,
    )
    if log:
        log_access(intake, by=user)
    return intake


def shown(*, user, objects: Iterable) -> None:
    """Log the records a page drew (one bulk insert): the patients of a page of the list, or
    what a form page loaded without logging (`log=False`), since such a page logs when it is
    drawn, not when its POST only changes the record."""
    _require(user, "intake.view_patient")
    log_access_many(objects, by=user)


def identity(fields: Mapping) -> dict:
    """What says who a patient is, out of a registration's fields."""
    return {
        "first_name": fields.get("first_name") or "",
        "last_name": fields.get("last_name") or "",
        "date_of_birth": fields.get("date_of_birth"),
        "phone": fields.get("phone") or "",
    }


def patient_likely_duplicates(
    *,
    first_name: str,
    last_name: str,
    date_of_birth: date | None,
    phone: str = "",
    exclude_pk: int | None = None,
) -> QuerySet[Patient]:
    """Same name and date of birth, or the same phone: likely the same person registered twice."""
    match = Q(pk__in=[])
    if first_name and last_name and date_of_birth:
        match |= Q(
            first_name__iexact=first_name.strip(),
            last_name__iexact=last_name.strip(),
            date_of_birth=date_of_birth,
        )
    if phone:
        match |= Q(phone=phone)
    qs = Patient.objects.filter(match)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.order_by("last_name", "first_name", "id")


def patient_duplicates_shown(*, user, fields: Mapping, limit: int = 10) -> list[Patient]:
    """The likely duplicates of a registration's `fields` that its form lists, logged as read:
    the page shows their names and links."""
    _require(user, "intake.add_patient")
    _require(user, "intake.view_patient")
    duplicates = list(patient_likely_duplicates(**identity(fields))[:limit])
    log_access_many(duplicates, by=user)
    return duplicates


#: The most patients a type-ahead lists: enough to pick from, few enough to read.
SEARCH_LIMIT = 10
#: Fewer characters than this match too many people to be worth a query.
SEARCH_MIN_LENGTH = 2


def patient_search(*, user, text: str, limit: int = SEARCH_LIMIT) -> list[Patient]:
    """The active patients a type-ahead lists for `text` (a name, an MRN, a birth date as
    YYYY-MM-DD or d/m/Y, a phone number), at most `limit`; their names are shown, so each is
    logged as read, in one insert."""
    _require(user, "intake.view_patient")
    text = (text or "").strip()[:100]
    if len(text) < SEARCH_MIN_LENGTH:
        return []
    patients = list(
        Patient.objects.filter(search_q(text), archived_at__isnull=True)
        .only("id", "mrn", "first_name", "last_name", "preferred_name", "date_of_birth")
        .order_by(Lower("last_name"), Lower("first_name"), "id")[: min(limit, SEARCH_LIMIT)]
    )
    log_access_many(patients, by=user)
    return patients
