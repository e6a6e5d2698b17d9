from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from eligibility.models import PlanSignOff
from eligibility.services import screen_intake
from tests.factories import IntakeFactory, all_no
from tests.permission_matrix import OK, PHYSICIAN, declare


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


DOC = (PHYSICIAN,)

CASES = [
    declare(
        "eligibility:review-queue", lambda o: reverse("eligibility:review-queue"), who=DOC, get=OK
    ),
    declare("eligibility:review-decide", _decide, who=DOC, get=OK, post=OK),
    # An empty POST is refused by the form (a note is required): the page again, nothing saved.
    declare("eligibility:decide", _patient_decide, who=DOC, get=OK, post=OK),
    declare("eligibility:signoff-record", _signoff_record, who=DOC, get=OK, post=OK),
    declare("eligibility:signoff-end", _signoff_end, who=DOC, get=OK, post=OK),
]
