"""A clinic-sized data set for benchmarks, built with bulk inserts in well under a minute.

Sessions are laid on a grid (one room, provider and device per column, hourly slots), so no
provider, room, device or patient is ever in two sessions at once, and the PostgreSQL exclusion
constraints accept every row.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from core.roles import FRONT_DESK, PHYSICIAN, sync_roles
from eligibility import rules
from eligibility.models import PhysicianReview, Screening
from intake.models import IntakeQuestionnaire, Patient
from scheduling.models import (
    Device,
    DeviceKind,
    Room,
    RoomKind,
    SessionType,
    Status,
    TreatmentSession,
)

BATCH = 5000
SLOTS_PER_DAY = 9  # 09:00 to 18:00, one-hour slots
FIRST_NAMES = ("Ada", "Ben", "Cara", "Dev", "Ella", "Finn", "Gita", "Hugo", "Isla", "Jon")
LAST_NAMES = (
    "Adams",
    "Brown",
    "Clark",
    "Davis",
    "Evans",
    "Ford",
    "Green",
    "Hill",
    "Irwin",
    "Jones",
)
OUTCOMES = (rules.ELIGIBLE,) * 8 + (rules.NEEDS_REVIEW, rules.INELIGIBLE)
REVIEW_REASON = {
    "code": "anticoagulant",
    "severity": "review",
    "label": "taking blood thinners",
    "source": "sources disagree",
    "temporary": False,
    "rescreen_days": None,
}
EXCLUDE_REASON = {
    "code": "scalp_acne",
    "severity": "exclude",
    "label": "scalp acne",
    "source": "the clinic's own page",
    "temporary": True,
    "rescreen_days": 14,
}
REASONS = {rules.NEEDS_REVIEW: [REVIEW_REASON], rules.INELIGIBLE: [EXCLUDE_REASON]}
STATUSES = (Status.COMPLETED,) * 6 + (Status.BOOKED, Status.CANCELLED, Status.NO_SHOW)
SESSION_MINUTES = 50


def _grid(count: int, columns: int) -> Iterator[tuple[int, int, datetime]]:
    """(slot, column, start) of `count` sessions, `columns` to an hourly slot, nine slots a day,
    four fifths of them before today."""
    zone = timezone.get_current_timezone()
    slots = -(-count // columns)
    first_day = timezone.localdate() - timedelta(days=int(slots / SLOTS_PER_DAY * 0.8))
    for slot in range(slots):
        day = first_day + timedelta(days=slot // SLOTS_PER_DAY)
        start = datetime.combine(day, time(9 + slot % SLOTS_PER_DAY), zone)
        for column in range(min(columns, count - slot * columns)):
            yield slot, column, start


@dataclass(frozen=True)
class _Columns:
    """What the bench sessions are booked with: a doctor, a room and a device per column, and
    the session types and patients taken in turn."""

    desk: Any
    doctors: list
    rooms: list[Room]
    devices: list[Device]
    types: list[SessionType]
    patient_ids: list[int]

    def session(self, *, slot: int, column: int, start: datetime, status: str) -> TreatmentSession:
        index = slot * len(self.doctors) + column
        end = start + timedelta(minutes=SESSION_MINUTES)
        done = end if status == Status.COMPLETED else None
        return TreatmentSession(
            patient_id=self.patient_ids[index % len(self.patient_ids)],
            session_type=self.types[index % len(self.types)],
            provider=self.doctors[column],
            room=self.rooms[column],
            device=self.devices[column],
            start=start,
            end=end,
            status=status,
            booked_by=self.desk,
            booked_at=start - timedelta(days=7),
            cancel_reason="Patient unwell" if status == Status.CANCELLED else "",
            charted_at=done,
            completed_at=done,
            cartridge_lot=f"LOT-{slot % 200:04d}",
            prp_kit_lot=f"KIT-{slot % 150:04d}",
        )


class Command(BaseCommand):
    help = "Fill the database with a clinic-sized data set (for make bench). Refuses if not empty."

    def add_arguments(self, parser):
        parser.add_argument("--patients", type=int, default=10_000)
        parser.add_argument("--sessions", type=int, default=100_000)
        parser.add_argument("--columns", type=int, default=12, help="rooms / providers / devices")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, patients: int, sessions: int, columns: int, seed: int, **options):
        if not settings.DEBUG:
            raise CommandError("seed_bench is for benchmark databases; it refuses with DEBUG off.")
        if Patient.objects.exists():
            raise CommandError("The database already has patients; seed_bench needs an empty one.")
        rng = random.Random(seed)
        started = timezone.now()
        with transaction.atomic():
            sync_roles()
            desk, doctors = self._staff(columns)
            patient_ids = self._patients(patients, desk, rng)
            intake_ids = self._intakes(patient_ids, desk, rng)
            self._screenings(patient_ids, intake_ids, desk, doctors[0], rng)
            self._sessions(sessions, patient_ids, desk, doctors, columns, rng)
        # Fresh planner statistics, as autovacuum would gather on a live database: without them
        # PostgreSQL plans for near-empty tables (a review-queue query took 2.7 s, not 17 ms).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        took = (timezone.now() - started).total_seconds()
        self.stdout.write(
            self.style.SUCCESS(
                f"seed_bench: {patients} patients, {sessions} sessions in {took:.1f} s"
            )
        )

    def _staff(self, columns: int):
        users = get_user_model()
        desk, _ = users.objects.get_or_create(username="bench-desk")
        desk.groups.add(*self._groups(FRONT_DESK))
        doctors = []
        for i in range(columns):
            doctor, _ = users.objects.get_or_create(
                username=f"bench-doc-{i}", defaults={"first_name": "Dr", "last_name": f"{i}"}
            )
            doctor.groups.add(*self._groups(PHYSICIAN))
            doctors.append(doctor)
        return desk, doctors

    def _groups(self, role: str):
        from django.contrib.auth.models import Group

        return [Group.objects.get(name=role)]

    def _patients(self, count: int, desk, rng) -> list[int]:
        now = timezone.now()
        rows = [
            Patient(
                mrn=f"B{i:08d}",
                first_name=rng.choice(FIRST_NAMES),
                last_name=f"{rng.choice(LAST_NAMES)}{i}",
                date_of_birth=date(1950, 1, 1) + timedelta(days=rng.randrange(20000)),
                sex=rng.choice(("female", "male")),
                phone=f"+4479{i:08d}",
                created_by=desk,
                updated_by=desk,
                created_at=now,
                updated_at=now,
            )
            for i in range(count)
        ]
        Patient.objects.bulk_create(rows, batch_size=BATCH)
        return list(Patient.objects.order_by("id").values_list("id", flat=True))

    def _intakes(self, patient_ids: list[int], desk, rng) -> list[int]:
        now = timezone.now()
        answers = {c.code: False for c in rules.CATALOGUE}
        rows = [
            IntakeQuestionnaire(
                patient_id=pk,
                onset="Two years ago",
                course="gradual",
                loss_pattern="thinning",
                family_history="yes",
                scale="norwood",
                grade=rng.choice(("II", "III", "IV", "V")),
                fitzpatrick=rng.choice(("I", "II", "III", "IV")),
                thyroid_disease="no",
                iron_deficiency="no",
                autoimmune_disease="no",
                recent_illness_or_stress="no",
                treatments={"minoxidil": "past"},
                answers=answers,
                taken_by=desk,
                taken_at=now - timedelta(days=rng.randrange(25)),
            )
            for pk in patient_ids
        ]
        IntakeQuestionnaire.objects.bulk_create(rows, batch_size=BATCH)
        return list(IntakeQuestionnaire.objects.order_by("patient_id").values_list("id", flat=True))

    def _screenings(self, patient_ids, intake_ids, desk, doctor, rng) -> None:
        today = timezone.localdate()
        no_answers = dict.fromkeys(rules.CATALOGUE_BY_CODE, False)
        rows = []
        for patient_id, intake_id in zip(patient_ids, intake_ids, strict=True):
            for procedure in rules.PROCEDURES:
                outcome = rng.choice(OUTCOMES)
                reasons = REASONS.get(outcome, [])
                rows.append(
                    Screening(
                        patient_id=patient_id,
                        intake_id=intake_id,
                        kind="intake",
                        procedure=procedure,
                        outcome=outcome,
                        status=outcome,
                        current_status=outcome,
                        reasons=reasons,
                        answers={**no_answers, **{r["code"]: True for r in reasons}},
                        derived={},
                        ruleset_version=rules.RULESET_VERSION,
                        valid_until=today + timedelta(days=rng.randrange(1, 30)),
                        screened_at=timezone.now() - timedelta(hours=rng.randrange(600)),
                        screened_by=desk,
                    )
                )
        Screening.objects.bulk_create(rows, batch_size=BATCH)
        self._reviews(doctor, rng)

    def _reviews(self, doctor, rng) -> None:
        """Every other screening that needs a review is cleared by the doctor."""
        decided = Screening.objects.filter(outcome=rules.NEEDS_REVIEW).order_by("id")[::2]
        PhysicianReview.objects.bulk_create(
            [
                PhysicianReview(
                    screening=s,
                    patient_id=s.patient_id,
                    procedure=s.procedure,
                    decision="cleared",
                    codes=["anticoagulant"],
                    facts={"anticoagulant": True},
                    cleared_until=s.valid_until,
                    note="Cleared.",
                    decided_at=s.screened_at + timedelta(hours=rng.randrange(1, 96)),
                    decided_by=doctor,
                )
                for s in decided
            ],
            batch_size=BATCH,
        )
        for s in decided:
            Screening.objects.filter(pk=s.pk).update(
                current_status="cleared", status_until=s.valid_until
            )

    def _session_types(self) -> list[SessionType]:
        return list(SessionType.objects.all()) or [
            SessionType.objects.create(
                name="PRP",
                procedure_codes="prp",
                duration_minutes=60,
                room_kind=RoomKind.PROCEDURE,
                device_kind=DeviceKind.CENTRIFUGE,
            )
        ]

    def _rooms(self, columns: int) -> list[Room]:
        return [
            Room.objects.get_or_create(
                name=f"Bench room {i}", defaults={"kind": RoomKind.PROCEDURE}
            )[0]
            for i in range(columns)
        ]

    def _devices(self, columns: int) -> list[Device]:
        return [
            Device.objects.get_or_create(
                serial=f"BENCH-{i:03d}",
                defaults={"kind": DeviceKind.CENTRIFUGE, "name": f"Unit {i}"},
            )[0]
            for i in range(columns)
        ]

    def _sessions(self, count, patient_ids, desk, doctors, columns, rng) -> None:
        types = self._session_types()
        rooms, devices = self._rooms(columns), self._devices(columns)
        booked_with = _Columns(desk, doctors, rooms, devices, types, patient_ids)
        now = timezone.now()
        batch = []
        for slot, column, start in _grid(count, columns):
            status = rng.choice(STATUSES) if start < now else Status.BOOKED
            batch.append(booked_with.session(slot=slot, column=column, start=start, status=status))
            if len(batch) >= BATCH:
                TreatmentSession.objects.bulk_create(batch)
                batch = []
        TreatmentSession.objects.bulk_create(batch)
