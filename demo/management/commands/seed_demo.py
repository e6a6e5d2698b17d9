"""Demo data: one login per role and patients whose answers exercise every screen.

Safe to run twice: users are updated in place and patients are only added when missing.
"""

from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.roles import CLINIC_ADMIN, FRONT_DESK, PHYSICIAN, sync_roles
from demo import scheduling as scheduling_demo
from demo.management.commands.demo_totp import give_demo_device
from eligibility import rules
from intake import services
from intake.models import Patient
from messaging import services as messaging

DEMO_PASSWORD = "follicle-demo-2026"

DEMO_USERS = (
    ("frontdesk", "Fran", "Desk", FRONT_DESK, False),
    ("physician", "Dr Priya", "Shah", PHYSICIAN, False),
    ("admin", "Alex", "Admin", CLINIC_ADMIN, True),
)

HISTORY = {
    "onset": "About 3 years ago",
    "course": "gradual",
    "loss_pattern": "thinning",
    "scalp_symptoms": "",
    "family_history": "yes",
    "family_history_details": "Father and grandfather",
    "treatment_outcomes": "Minoxidil for a year, some slowing.",
    "thyroid_disease": "no",
    "iron_deficiency": "no",
    "autoimmune_disease": "no",
    "recent_illness_or_stress": "no",
    "medical_details": "",
    "medications": "",
    "allergies": "",
}

# (first, last, dob, sex, phone, scale, grade, fitzpatrick)
DEMO_PATIENTS = (
    ("Oliver", "Bennett", date(1986, 4, 12), "male", "+447911123401", "norwood", "III", "II"),
    ("Amelia", "Clarke", date(1979, 9, 3), "female", "+447911123402", "ludwig", "I", "III"),
    ("James", "Okafor", date(1991, 1, 22), "male", "+447911123403", "norwood", "IV", "V"),
    ("Harry", "Wilson", date(1994, 6, 30), "male", "+447911123404", "norwood", "III-vertex", "II"),
    ("George", "Patel", date(1968, 11, 8), "male", "+447911123405", "norwood", "V", "IV"),
    ("Sophie", "Turner", date(1990, 2, 14), "female", "+447911123406", "ludwig", "II", "II"),
    ("Noah", "Fletcher", date(2010, 5, 17), "male", "+447911123407", "norwood", "II", "III"),
    ("Margaret", "Hughes", date(1958, 7, 25), "female", "+447911123408", "ludwig", "II", "II"),
)
# The yes-answers of the patients who gave any (every other answer is no).
DEMO_YES = {
    ("Harry", "Wilson"): ("scalp_acne",),
    ("George", "Patel"): ("bleeding_disorder",),
    ("Sophie", "Turner"): ("pregnant_or_breastfeeding",),
    ("Margaret", "Hughes"): ("anticoagulant",),
}


def _add_patient(desk, first, last, dob, sex, phone, scale, grade, fitzpatrick) -> None:
    """Register a demo patient and take their intake (which screens them)."""
    patient = services.patient_register(
        by=desk,
        first_name=first,
        last_name=last,
        date_of_birth=dob,
        sex=sex,
        phone=phone,
        email=f"{first.lower()}.{last.lower()}@example.com",
    )
    # Every demo patient agreed to email: `make run`'s worker sends their reminders (printed by
    # the console e-mail back-end).
    messaging.contact_set(by=desk, patient=patient, channel="email", consent=True)
    yes = DEMO_YES.get((first, last), ())
    services.intake_submit(
        by=desk,
        patient=patient,
        **HISTORY,
        scale=scale,
        grade=grade,
        fitzpatrick=fitzpatrick,
        treatments={"minoxidil": "past"},
        answers={c.code: c.code in yes for c in rules.CATALOGUE},
    )


def _add_patients(desk) -> int:
    """The demo patients not there yet; returns how many were added."""
    created = 0
    for first, last, dob, *rest in DEMO_PATIENTS:
        if Patient.objects.filter(first_name=first, last_name=last, date_of_birth=dob).exists():
            continue
        _add_patient(desk, first, last, dob, *rest)
        created += 1
    return created


class Command(BaseCommand):
    help = "Load demo users (one per role) and demo patients. Refuses when DEBUG is off."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (never in production)."
        )

    @transaction.atomic
    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates logins with a published password; it refuses to run with "
                "DEBUG off. Use --force only on a throw-away database."
            )
        sync_roles()
        users = {row[3]: self._user(*row) for row in DEMO_USERS}
        desk = users[FRONT_DESK]
        created = _add_patients(desk)
        sessions = scheduling_demo.seed(physician=users[PHYSICIAN], desk=desk)
        for role in (PHYSICIAN, CLINIC_ADMIN):
            give_demo_device(users[role])
        self._say_ready(created, sessions)

    def _say_ready(self, created: int, sessions: int) -> None:
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready ({created} patients and {sessions} sessions added)."
            )
        )
        self.stdout.write(f"Demo logins (password for each: {DEMO_PASSWORD}):")
        for username, _first, _last, role, _staff in DEMO_USERS:
            self.stdout.write(f"  {username:<10} {role}")
        self.stdout.write(
            "physician and admin need a two-factor code after the password: print it with\n"
            "  .venv/bin/python manage.py demo_totp physician   (or: demo_totp admin)\n"
            "or add the key JBSWY3DPEHPK3PXP to an authenticator app."
        )

    def _user(self, username, first, last, role, is_staff):
        user, _ = get_user_model().objects.get_or_create(username=username)
        user.first_name, user.last_name = first, last
        user.email = f"{username}@follicle.example"
        user.is_staff = is_staff
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        return user
