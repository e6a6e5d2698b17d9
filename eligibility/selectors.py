"""Reads for the physician's review queue and a patient's screening history."""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from clinic.audit import log_access
from eligibility import rules
from eligibility.models import Decision, PhysicianReview, Screening
from eligibility.services import _clinic_today


def _require(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


def review_queue(*, user) -> list[Screening]:
    """Screenings waiting for a physician, oldest first.

    An item is the latest screening of a patient for a procedure, still valid, that needs review,
    has no decision yet and is not already covered by a clearance in force.
    """
    _require(user, "eligibility.review_screening")
    today = _clinic_today()
    newest = Screening.objects.filter(
        patient=OuterRef("patient"), procedure=OuterRef("procedure")
    ).order_by("-screened_at", "-id")
    pending = list(
        Screening.objects.filter(
            outcome=rules.NEEDS_REVIEW,
            valid_until__gte=today,
            patient__archived_at__isnull=True,
            pk=Subquery(newest.values("pk")[:1]),
        )
        .exclude(Exists(PhysicianReview.objects.filter(screening=OuterRef("pk"))))
        .select_related("patient")
        .order_by("screened_at", "id")
    )
    clearances: dict[tuple[int, str], list[PhysicianReview]] = {}
    for review in PhysicianReview.objects.filter(
        patient_id__in={s.patient_id for s in pending},
        decision=Decision.CLEARED,
        cleared_until__gte=today,
    ):
        clearances.setdefault((review.patient_id, review.procedure), []).append(review)
    return [
        s
        for s in pending
        if not any(
            s.review_codes <= set(r.codes) for r in clearances.get((s.patient_id, s.procedure), [])
        )
    ]


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
