"""Reads for the physician's review queue, the decision pages and a patient's screening history;
each takes the user, checks the permission and logs the read of patient data."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.shortcuts import get_object_or_404

from core.audit import log_access, log_access_many
from eligibility import lifecycle, rules
from eligibility.models import Decision, PhysicianReview, PlanSignOff, Screening
from eligibility.services import (
    ProcedureEligibility,
    _clinic_today,
    decidable_codes,
    eligibility_for,
)
from intake import selectors as intake_selectors
from intake.models import Patient


def _require(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


# What a queue row shows (and the access log names): the rest of a screening (its answers,
# details and derived values, thousands of JSON conversions a page) stays in the database.
QUEUE_FIELDS = (
    "procedure",
    "kind",
    "reasons",
    "screened_at",
    "patient__mrn",
    "patient__first_name",
    "patient__last_name",
)


# Implied by the statuses the queue filters on. Spelled out with literals, as the partial index
# of the queue (screening_queue_covering_idx) states it, it lets the database read that index:
# SQLite cannot match a bound parameter against an index's condition, and without it scanned
# every patient (38 ms a page at 10,000 patients, 9 ms with it).
_IN_QUEUE_INDEX = RawSQL(
    f'"{Screening._meta.db_table}"."current_status"'
    f" IN ('{lifecycle.NEEDS_REVIEW}', '{lifecycle.CLEARED}')",
    (),
    output_field=BooleanField(),
)


class ScreeningPages(Sequence):
    """The queue as a sequence that reads only what is asked for: its length is one COUNT, a
    slice (a page of the queue, the dashboard's oldest item) one query of that many rows, so
    the cost of a page does not grow with the queue."""

    def __init__(self, queryset: QuerySet[Screening]):
        self.queryset = queryset
        self._count: int | None = None

    def __len__(self) -> int:
        if self._count is None:
            self._count = self.queryset.count()
        return self._count

    def __getitem__(self, index):
        if isinstance(index, slice):
            return list(self.queryset[index])
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self[index : index + 1][0]

    def __iter__(self):
        return self.queryset.iterator(chunk_size=500)


def review_queue(*, user) -> ScreeningPages:
    """Patients and procedures waiting for a physician, oldest first.

    An item is the latest screening of a patient for a procedure, still valid, whose lifecycle
    verdict needs review: stored with the screening and refreshed by every decision
    (`current_status`), so only
    the date can change it, when a clearance runs out (`status_until`).
    """
    _require(user, "eligibility.review_screening")
    today = _clinic_today()
    waiting = (
        Screening.objects.filter(
            Q(current_status=lifecycle.NEEDS_REVIEW)
            | Q(current_status=lifecycle.CLEARED, status_until__lt=today),
            _IN_QUEUE_INDEX,
            is_latest=True,
            valid_until__gte=today,
            patient__archived_at__isnull=True,
        )
        .select_related("patient")
        .only(*QUEUE_FIELDS)
        .order_by("screened_at", "id")
    )
    return ScreeningPages(waiting)


def queue_shown(*, user, objects: Sequence[Screening]) -> None:
    """Log a drawn page of the review queue: it shows each waiting patient's name and reasons,
    one access entry per patient, inserted in bulk."""
    _require(user, "eligibility.review_screening")
    patients = {screening.patient_id: screening.patient for screening in objects}
    log_access_many(patients.values(), by=user)


def _of_a_patient(queryset: QuerySet, *, user, pk: int):
    """One record by id (404 when there is none); the page shows its patient: logged."""
    record = get_object_or_404(queryset.select_related("patient"), pk=pk)
    log_access(record.patient, by=user)
    return record


def screening_for_review(*, user, pk: int) -> Screening:
    _require(user, "eligibility.review_screening")
    screenings = Screening.objects.select_related("intake", "screened_by")
    return _of_a_patient(screenings, user=user, pk=pk)


def patient_history(*, user, patient) -> tuple[QuerySet[Screening], QuerySet[PhysicianReview]]:
    _require(user, "eligibility.view_screening")
    screenings = patient.screenings.select_related("screened_by").order_by("-screened_at", "-id")
    reviews = patient.reviews.select_related("decided_by", "screening").order_by(
        "-decided_at", "-id"
    )
    return screenings, reviews


def signoff_get(*, user, pk: int) -> PlanSignOff:
    """One same-day sign-off; the read of its patient is logged."""
    _require(user, "eligibility.view_plansignoff")
    signoffs = PlanSignOff.objects.select_related("signed_by", "ended_by")
    return _of_a_patient(signoffs, user=user, pk=pk)


# ---- what a physician reads before deciding ---------------------------------------------------


@dataclass(frozen=True)
class DecisionPage:
    """A decision on a patient's reasons for one procedure: where it stands, and the reasons a
    decision may name today (`choices`, labelled with their severity: an exclusion can be
    lifted, never cleared). From the queue, `screening` is the one reviewed; a decision is open
    only while it is still the patient's latest (`current`)."""

    patient: Patient
    item: ProcedureEligibility
    choices: list[tuple[str, str]]
    screening: Screening | None = None
    current: bool = True


def review_decision(*, user, pk: int) -> DecisionPage:
    """The queue's decision on screening `pk`; the read of its patient is logged."""
    screening = screening_for_review(user=user, pk=pk)
    patient = screening.patient
    item = eligibility_for(patient, screening.procedure).procedures[0]
    current = item.screening is not None and item.screening.pk == screening.pk
    return DecisionPage(
        patient=patient,
        item=item,
        choices=_decision_choices(patient, item) if current else [],
        screening=screening,
        current=current,
    )


def patient_decision(*, user, pk: int, procedure: str) -> DecisionPage:
    """A decision from the patient's page (lifecycle rules 2-4); the read is logged."""
    _require(user, "eligibility.review_screening")
    if procedure not in rules.PROCEDURES:
        raise Http404("No such procedure.")
    patient = intake_selectors.patient_get(user=user, pk=pk)
    item = eligibility_for(patient, procedure).procedures[0]
    return DecisionPage(patient=patient, item=item, choices=_decision_choices(patient, item))


def _decision_choices(patient: Patient, item: ProcedureEligibility) -> list[tuple[str, str]]:
    procedure = item.procedure
    blocks = item.assessment.blocks if item.assessment else ()
    codes: set[str] = set()
    for value, _ in Decision.choices:
        codes.update(decidable_codes(patient, procedure, value))
    labels = {b.reason.code: b.reason.label for b in blocks}
    severities = {b.reason.code: b.reason.severity for b in blocks}
    order = {b.reason.code: i for i, b in enumerate(blocks)}
    choices = []
    for code in sorted(codes, key=lambda c: (order.get(c, len(order)), c)):
        severity = severities.get(code) or _catalogue_severity(code, procedure)
        suffix = {rules.EXCLUDE: " (exclusion)", rules.REVIEW: " (review)"}.get(severity, "")
        label = _code_label(code, labels)
        choices.append((code, f"{label[:1].upper()}{label[1:]}{suffix}"))
    return choices


def _code_label(code: str, labels: dict[str, str]) -> str:
    if code in labels:
        return labels[code]
    answered = rules.answered_code(code)
    if answered is None:
        return code.replace("_", " ")
    label = rules.CATALOGUE_BY_CODE[answered].label
    return label if answered == code else f"not answered: {label}"


def _catalogue_severity(code: str, procedure: str) -> str:
    answered = rules.answered_code(code)
    if answered is None:
        return rules.REVIEW
    return rules.CATALOGUE_BY_CODE[answered].severities.get(procedure, "")
