from django.urls import reverse

from eligibility.services import screen_intake
from tests.factories import IntakeFactory, all_no
from tests.permission_matrix import DENIED, LOGIN, OK, Case, expect


def make_objects() -> dict:
    intake = IntakeFactory(answers=all_no(anticoagulant=True))
    screenings = screen_intake(by=intake.taken_by, intake=intake)
    return {"screening": next(s.pk for s in screenings if s.outcome == "needs_review")}


def _decide(o):
    return reverse("eligibility:review-decide", args=[o["screening"]])


CASES = [
    Case(
        "eligibility:review-queue",
        "get",
        lambda o: reverse("eligibility:review-queue"),
        expect(LOGIN, DENIED, OK, DENIED),
    ),
    Case("eligibility:review-decide", "get", _decide, expect(LOGIN, DENIED, OK, DENIED)),
    Case("eligibility:review-decide", "post", _decide, expect(LOGIN, DENIED, OK, DENIED)),
]
