from datetime import timedelta

from django.utils import timezone

from eligibility.models import PlanSignOff
from eligibility.services import screen_intake
from tests.factories import IntakeFactory, all_no
from tests.permission_matrix import OK, PHYSICIAN, Made, page


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


DOC = (PHYSICIAN,)
PATIENT = Made("elig_patient")

CASES = [
    page("eligibility:review-queue", who=DOC, get=OK),
    page("eligibility:review-decide", Made("screening"), who=DOC, get=OK, post=OK),
    # An empty POST is refused by the form (a note is required): the page again, nothing saved.
    page("eligibility:decide", PATIENT, "prp", who=DOC, get=OK, post=OK),
    page("eligibility:signoff-record", PATIENT, who=DOC, get=OK, post=OK),
    page("eligibility:signoff-end", Made("signoff"), who=DOC, get=OK, post=OK),
]
