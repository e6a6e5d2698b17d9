"""Reads for the physician's review queue and a patient's screening history."""

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.shortcuts import get_object_or_404

from clinic.audit import log_access
from eligibility import rules
from eligibility.models import Decision, PhysicianReview, Screening
from eligibility.services import _clinic_today


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
    """Screenings waiting for a physician, oldest first.

    An item is the latest screening of a patient for a procedure, still valid, that needs review,
    has no decision yet and is not already covered by a clearance in force.
    """
    _require(user, "eligibility.review_screening")
    today = _clinic_today()
    pending = list(
        Screening.objects.filter(
            outcome=rules.NEEDS_REVIEW,
            is_latest=True,
            valid_until__gte=today,
            patient__archived_at__isnull=True,
        )
        .exclude(Exists(PhysicianReview.objects.filter(screening=OuterRef("pk"))))
        .order_by("screened_at", "id")
        .values_list("pk", "patient_id", "procedure")
    )
    clearances: dict[tuple[int, str], list[set[str]]] = {}
    for patient_id, procedure, codes in PhysicianReview.objects.filter(
        decision=Decision.CLEARED, cleared_until__gte=today
    ).values_list("patient_id", "procedure", "codes"):
        clearances.setdefault((patient_id, procedure), []).append(set(codes))
    # Only the few items with a clearance in force need their reasons read.
    maybe_covered = [
        pk for pk, patient_id, procedure in pending if (patient_id, procedure) in clearances
    ]
    covered = set()
    for pk, patient_id, procedure, reasons in Screening.objects.filter(
        pk__in=maybe_covered
    ).values_list("pk", "patient_id", "procedure", "reasons"):
        needed = {r["code"] for r in reasons if r["severity"] == rules.REVIEW}
        if any(needed <= codes for codes in clearances[(patient_id, procedure)]):
            covered.add(pk)
    return ScreeningPages([pk for pk, _, _ in pending if pk not in covered])


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
