"""Reads for the physician's review queue and a patient's screening history."""

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from core.audit import log_access, log_access_many
from eligibility import lifecycle
from eligibility.models import PhysicianReview, PlanSignOff, Screening
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
            is_latest=True,
            valid_until__gte=today,
            patient__archived_at__isnull=True,
        )
        .order_by("screened_at", "id")
        .values_list("pk", flat=True)
    )
    return ScreeningPages(list(waiting))


def review_queue_page(*, user, page: int | str | None, per_page: int) -> Page:
    """One page of the review queue. It shows each waiting patient's name and reasons: one
    access entry per patient on the page, inserted in bulk."""
    shown = Paginator(review_queue(user=user), per_page).get_page(page)
    shown.object_list = list(shown.object_list)
    patients = {screening.patient_id: screening.patient for screening in shown.object_list}
    log_access_many(patients.values(), by=user)
    return shown


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


def signoff_get(*, user, pk: int) -> PlanSignOff:
    """One same-day sign-off; the read of its patient is logged."""
    _require(user, "eligibility.view_plansignoff")
    signoff = get_object_or_404(
        PlanSignOff.objects.select_related("patient", "signed_by", "ended_by"), pk=pk
    )
    log_access(signoff.patient, by=user)
    return signoff
