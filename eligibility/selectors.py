"""Reads for the physician's review queue and a patient's screening history."""

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from clinic.audit import log_access
from eligibility import lifecycle, rules
from eligibility.models import PhysicianReview, Screening
from eligibility.services import PatientHistory, _clinic_today, policy


def _require(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


class ScreeningPages(Sequence):
    """Screenings by id, loaded only for the slice asked for (a page of the queue), so a queue
    of thousands costs one small query per page instead of thousands of objects."""

    def __init__(self, ids: list[int]):
        self.ids = ids

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index):
        if isinstance(index, slice):
            chunk = self.ids[index]
            found = Screening.objects.select_related("patient").in_bulk(chunk)
            return [found[pk] for pk in chunk]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self[index : index + 1][0]

    def __iter__(self):
        for start in range(0, len(self.ids), 500):
            yield from self[start : start + 500]


def review_queue(*, user) -> ScreeningPages:
    """Patients and procedures waiting for a physician, oldest first.

    An item is the latest screening of a patient for a procedure, still valid, whose lifecycle
    verdict (stored with it, refreshed by each decision) needs review. Where a decision exists
    for that patient and procedure the verdict can have changed with the date (a clearance ran
    out), so only those few are assessed again.
    """
    _require(user, "eligibility.review_screening")
    today = _clinic_today()
    candidates = list(
        Screening.objects.filter(
            status__in=[lifecycle.NEEDS_REVIEW, lifecycle.CLEARED],
            is_latest=True,
            valid_until__gte=today,
            patient__archived_at__isnull=True,
        )
        .order_by("screened_at", "id")
        .values_list("pk", "patient_id", "procedure", "status")
    )
    decided = set(
        PhysicianReview.objects.filter(
            patient_id__in={patient_id for _, patient_id, _, _ in candidates}
        ).values_list("patient_id", "procedure")
    )
    recheck = {
        patient_id
        for _, patient_id, procedure, _ in candidates
        if (patient_id, procedure) in decided
    }
    verdicts = _verdicts(recheck, today)
    waiting = []
    for pk, patient_id, procedure, status in candidates:
        if (patient_id, procedure) in decided:
            status = verdicts[(patient_id, procedure)]
        if status == lifecycle.NEEDS_REVIEW:
            waiting.append(pk)
    return ScreeningPages(waiting)


def _verdicts(patient_ids: set[int], today) -> dict[tuple[int, str], str]:
    from intake.models import Patient

    verdicts = {}
    pol = policy()
    for patient in Patient.objects.filter(pk__in=patient_ids):
        history = PatientHistory.load(patient).history
        for procedure in rules.PROCEDURES:
            verdict = lifecycle.assess_procedure(history, procedure, today, pol)
            verdicts[(patient.pk, procedure)] = verdict.status
    return verdicts


def screening_for_review(*, user, pk: int) -> Screening:
    _require(user, "eligibility.review_screening")
    screening = get_object_or_404(
        Screening.objects.select_related("patient", "intake", "screened_by"), pk=pk
    )
    log_access(screening.patient, by=user)
    return screening


def patient_history(*, user, patient) -> tuple[QuerySet[Screening], QuerySet[PhysicianReview]]:
    _require(user, "eligibility.view_screening")
    screenings = patient.screenings.select_related("screened_by").order_by("-screened_at", "-id")
    reviews = patient.reviews.select_related("decided_by", "screening").order_by(
        "-decided_at", "-id"
    )
    return screenings, reviews
