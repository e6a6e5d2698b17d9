"""Server-side timings and query counts of the busiest pages, on the current database.

Requests go through the whole Django stack in-process (middleware, views, templates), so the
figures are the server's share of a page view, without network or browser time.
"""

import statistics
import time
import tracemalloc
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.roles import CLINIC_ADMIN, FRONT_DESK, PHYSICIAN, sync_roles
from eligibility import rules
from eligibility.models import Screening
from intake.models import Patient


@dataclass
class Result:
    name: str
    median_ms: float
    p95_ms: float
    queries: int


def _client_for(role: str) -> Client:
    from django.contrib.auth.models import Group

    sync_roles()
    user, _ = get_user_model().objects.get_or_create(
        username=f"bench-{role}", defaults={"is_staff": role == CLINIC_ADMIN}
    )
    user.groups.set([Group.objects.get(name=role)])
    device, _ = TOTPDevice.objects.get_or_create(user=user, confirmed=True, defaults={"name": "b"})
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _measure(name: str, client: Client, url: str, runs: int) -> Result:
    client.get(url)  # warm caches and templates
    timings = []
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise CommandError(f"{name}: {url} answered {response.status_code}")
        queries = len(captured.captured_queries)
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    return Result(name, statistics.median(timings), p95, queries)


class Command(BaseCommand):
    help = "Measure page times and query counts (run seed_bench first)."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=30)

    def handle(self, *args, runs: int, **options):
        patient = Patient.objects.order_by("id").first()
        if patient is None:
            raise CommandError("No data: run manage.py seed_bench first.")
        desk, doctor, admin = (_client_for(r) for r in (FRONT_DESK, PHYSICIAN, CLINIC_ADMIN))
        busiest = Screening.objects.filter(outcome=rules.NEEDS_REVIEW).values("patient_id").first()
        pages = [
            ("patient list", desk, reverse("intake:patient-list")),
            ("patient page", desk, reverse("intake:patient-detail", args=[patient.pk])),
            ("review queue", doctor, reverse("eligibility:review-queue")),
        ]
        if busiest:
            pages.append(
                (
                    "patient page (in review)",
                    doctor,
                    reverse("intake:patient-detail", args=[busiest["patient_id"]]),
                )
            )
        pages += self._optional_pages(desk, admin)
        desk.post(reverse("intake:patient-list"), {"q": "Adams", "status": "active"})
        pages.insert(0, ("patient search 'Adams'", desk, reverse("intake:patient-list")))

        results = [_measure(name, client, url, runs) for name, client, url in pages]
        sessions = self._count_sessions()
        self.stdout.write(
            f"\n{Patient.objects.count()} patients, {sessions} sessions, "
            f"{connection.vendor}, {runs} runs per page\n"
        )
        self.stdout.write("| page | median ms | p95 ms | queries |")
        self.stdout.write("|---|---:|---:|---:|")
        for r in results:
            self.stdout.write(f"| {r.name} | {r.median_ms:.1f} | {r.p95_ms:.1f} | {r.queries} |")
        self._export(admin)

    def _count_sessions(self) -> int:
        from scheduling.models import TreatmentSession

        return TreatmentSession.objects.count()

    def _optional_pages(self, desk: Client, admin: Client) -> list:
        """Pages of the scheduling and reports apps, under their URL names."""
        today = timezone.localdate()
        wanted = [
            ("day view", desk, "scheduling:day", [today]),
            ("sessions report", admin, "reports:sessions", []),
        ]
        pages = []
        for name, client, url_name, args in wanted:
            try:
                pages.append((name, client, reverse(url_name, args=args)))
            except NoReverseMatch as exc:
                raise CommandError(f"{url_name} is not a URL any more: update bench.py") from exc
        return pages

    def _export(self, admin: Client) -> None:
        from scheduling.models import TreatmentSession

        first = TreatmentSession.objects.order_by("start").values_list("start", flat=True)[0]
        last = TreatmentSession.objects.order_by("-start").values_list("start", flat=True)[0]
        url = reverse("reports:export", args=["sessions", "csv"]) + (
            f"?date_from={timezone.localtime(first).date()}"
            f"&date_to={timezone.localtime(last).date()}"
        )
        # Timed without tracemalloc (which slows Python several times over), then measured.
        started = time.perf_counter()
        response = admin.get(url)
        rows = sum(chunk.count(b"\n") for chunk in response.streaming_content) - 1
        took = time.perf_counter() - started
        tracemalloc.start()
        response = admin.get(url)
        for _chunk in response.streaming_content:
            pass
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        expected = TreatmentSession.objects.count()
        if rows != expected:
            raise CommandError(f"CSV export gave {rows} rows, expected {expected}")
        self.stdout.write(
            f"\nCSV export of {rows} sessions: {took:.2f} s, peak Python memory "
            f"{peak / 1_000_000:.1f} MB (tracemalloc)"
        )
