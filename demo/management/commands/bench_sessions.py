"""Signed-in sessions and the pages to load, for `make bench-http` (bench/http.py).

The HTTP benchmark loads each role's pages with wrk, which can send a cookie but not log in (nor
type a two-factor code). This makes one session per role in the session store, as a login and
the second factor would, and prints the cookie name and, per page, its role, path and session
key as JSON. The bench users are made here (their passwords unusable), never in a clinic's data.
"""

import json
from collections.abc import Iterator
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.roles import CLINIC_ADMIN, FRONT_DESK, PHYSICIAN, sync_roles
from eligibility import rules
from eligibility.models import Screening
from intake.models import Patient
from scheduling.models import TreatmentSession

BACKEND = "core.auth.PermissionBackend"


def _session_for(role: str, extra: dict) -> str:
    """A saved session of the bench user of `role`, past the second factor; its key."""
    user, created = get_user_model().objects.get_or_create(
        username=f"bench-{role}",
        defaults={"is_staff": role == CLINIC_ADMIN, "first_name": "Bench", "last_name": role},
    )
    if created:
        # Once: a new unusable password each time would end the sessions made before it.
        user.set_unusable_password()
        user.save()
    user.groups.set([Group.objects.get(name=role)])
    device, _ = TOTPDevice.objects.get_or_create(user=user, confirmed=True, defaults={"name": "b"})
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session.update(
        {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: BACKEND,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
            DEVICE_ID_SESSION_KEY: device.persistent_id,
            **extra,
        }
    )
    session.save()
    return session.session_key


def _pages() -> Iterator[tuple[str, str, str, dict]]:
    """(name, role, path, what the session holds) for each page measured."""
    patient = Patient.objects.order_by("id").first()
    if patient is None:
        raise CommandError("No data: run manage.py seed_bench first.")
    in_review = Screening.objects.filter(outcome=rules.NEEDS_REVIEW).order_by("-id").first()
    session = TreatmentSession.objects.order_by("-start").first()
    today = timezone.localdate()
    # Not a page: the cheapest signed-in answer (session, user, second factor, permissions,
    # every middleware; no template, no patient data), what any page costs before its own work.
    yield "signed-in minimum (JSON)", FRONT_DESK, reverse("session-status"), {}
    yield "dashboard (front desk)", FRONT_DESK, reverse("dashboard"), {}
    yield "patient list", FRONT_DESK, reverse("intake:patient-list"), {}
    search = {"patient_search": {"q": "Adams", "status": "active", "sex": ""}}
    yield "patient search 'Adams'", FRONT_DESK, reverse("intake:patient-list"), search
    yield "patient page", FRONT_DESK, reverse("intake:patient-detail", args=[patient.pk]), {}
    yield "day view", FRONT_DESK, reverse("scheduling:day", args=[today]), {}
    yield "needs attention", FRONT_DESK, reverse("scheduling:attention"), {}
    if session is not None:
        detail = reverse("scheduling:session-detail", args=[session.pk])
        yield "session page", FRONT_DESK, detail, {}
    yield "dashboard (physician)", PHYSICIAN, reverse("dashboard"), {}
    yield "review queue", PHYSICIAN, reverse("eligibility:review-queue"), {}
    if in_review is not None:
        page = reverse("intake:patient-detail", args=[in_review.patient_id])
        yield "patient page (in review)", PHYSICIAN, page, {}
    yield "dashboard (admin)", CLINIC_ADMIN, reverse("dashboard"), {}
    for report in ("sessions", "screenings", "reviews", "recall"):
        yield f"{report} report", CLINIC_ADMIN, reverse(f"reports:{report}"), {}
    yield "audit log", CLINIC_ADMIN, reverse("reports:audit-log"), {}


class Command(BaseCommand):
    help = "Print signed-in sessions and the pages to load over HTTP, as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--only", help="only pages whose name contains this")

    def handle(self, *args, only: str | None = None, **options):
        sync_roles()
        pages = [
            {"name": name, "role": role, "path": path, "session": _session_for(role, extra)}
            for name, role, path, extra in _pages()
            if not only or only in name
        ]
        if not pages:
            raise CommandError(f"No page's name contains {only!r}.")
        cookie = {"name": settings.SESSION_COOKIE_NAME}
        self.stdout.write(json.dumps({"cookie": cookie, "pages": pages}, indent=1))
