from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from eligibility.models import PlanSignOff
from eligibility.services import screen_intake
from tests.factories import IntakeFactory, all_no
from tests.permission_matrix import DENIED, LOGIN, OK, Case, expect


def make_objects() -> dict:
    intake = IntakeFactory(answers=all_no(anticoagulant=True))
    screenings = screen_intake(by=intake.taken_by, intake=intake)
    signoff = PlanSignOff.objects.create(
        patient=intake.patient,
        note="Plan: MN then LLLT, healed skin only.",
        until=timezone.localdate() + timedelta(days=30),
        signed_by=intake.taken_by,
    )
    return {
        "screening": next(s.pk for s in screenings if s.outcome == "needs_review"),
        "elig_patient": intake.patient.pk,
        "signoff": signoff.pk,
    }


def _decide(o):
    return reverse("eligibility:review-decide", args=[o["screening"]])


def _patient_decide(o):
    return reverse("eligibility:decide", args=[o["elig_patient"], "prp"])


def _signoff_record(o):
    return reverse("eligibility:signoff-record", args=[o["elig_patient"]])


def _signoff_end(o):
    return reverse("eligibility:signoff-end", args=[o["signoff"]])


DOC_ONLY = expect(LOGIN, DENIED, OK, DENIED)

CASES = [
    Case(
        "eligibility:review-queue",
        "get",
        lambda o: reverse("eligibility:review-queue"),
        DOC_ONLY,
    ),
    Case("eligibility:review-decide", "get", _decide, DOC_ONLY),
    Case("eligibility:review-decide", "post", _decide, DOC_ONLY),
    # An empty POST is refused by the form (a note is required): the page again, nothing saved.
    Case("eligibility:decide", "get", _patient_decide, DOC_ONLY),
    Case("eligibility:decide", "post", _patient_decide, DOC_ONLY),
    Case("eligibility:signoff-record", "get", _signoff_record, DOC_ONLY),
    Case("eligibility:signoff-record", "post", _signoff_record, DOC_ONLY),
    Case("eligibility:signoff-end", "get", _signoff_end, DOC_ONLY),
    Case("eligibility:signoff-end", "post", _signoff_end, DOC_ONLY),
]
