"""The consent-text pages in the permission matrix: for the clinic admin only. The detail page
is declared twice, for the version in use and for an earlier one (each says something else)."""

from tests.factories import UserFactory
from tests.permission_matrix import CLINIC_ADMIN, OK, Made, page
from treatments.models import ConsentText


def make_objects() -> dict:
    earlier = ConsentText.objects.get(procedure="microneedling", version="2026.11.1")
    ConsentText.objects.create(
        procedure="microneedling",
        version="2026.11.2",
        title=earlier.title,
        body=earlier.body + "\n\nBring a hat for the journey home.",
        published_by=UserFactory(first_name="Alex", last_name="Admin"),
    )
    in_use = ConsentText.objects.get(procedure="prp", version="2026.11.1")
    return {"consent_text": in_use.pk, "earlier_consent_text": earlier.pk}


ADMIN = (CLINIC_ADMIN,)

CASES = [
    page("configuration:consenttext-list", who=ADMIN, get=OK),
    page("configuration:consenttext-detail", Made("consent_text"), who=ADMIN, get=OK),
    page("configuration:consenttext-detail", Made("earlier_consent_text"), who=ADMIN, get=OK),
    # An empty POST is the form again, with its errors; a publish adds a version (tested apart).
    page("configuration:consenttext-publish", "microneedling", who=ADMIN, get=OK, post=OK),
]
