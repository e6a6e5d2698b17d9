"""factory_boy factories, one for every model the tests write. Records are built directly
(the services are tested on their own); staff users get their role's group. `submit_intake` is
the exception, for tests of what follows an intake: it goes through the service, and so screens."""

from datetime import date, time, timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from core.roles import sync_roles
from eligibility import rules
from eligibility.models import PhysicianReview, PlanSignOff, Screening
from intake import services as intake_services
from intake.models import IntakeQuestionnaire, Patient
from scheduling.consent import CURRENT
from scheduling.models import (
    ClosedDay,
    Consent,
    Device,
    OpeningHours,
    ProviderHours,
    Room,
    SessionEvent,
    Status,
    TreatmentSession,
)
from treatments.models import DeviceKind, RoomKind, SessionType

PASSWORD = "test-password-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = "Sam"
    last_name = factory.Sequence(lambda n: f"Staff{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            if not Group.objects.filter(name=extracted).exists():
                # The groups come from a data migration; a flushed (transactional) test lost them.
                sync_roles()
            self.groups.add(Group.objects.get(name=extracted))
        if create:
            self.save()


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    mrn = factory.Sequence(lambda n: f"F{n:08d}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = factory.Faker(
        "date_between", start_date=date(1950, 1, 1), end_date=date(2000, 1, 1)
    )
    sex = "male"
    phone = factory.Sequence(lambda n: f"+44791{n:06d}")
    created_by = factory.SubFactory(UserFactory)
    updated_by = factory.SelfAttribute("created_by")


def all_no(**yes: bool) -> dict[str, bool]:
    answers = {c.code: False for c in rules.CATALOGUE}
    answers.update(yes)
    return answers


INTAKE_HISTORY = {
    "onset": "Two years ago",
    "course": "gradual",
    "loss_pattern": "thinning",
    "family_history": "yes",
    "scale": "norwood",
    "grade": "III",
    "fitzpatrick": "II",
    "thyroid_disease": "no",
    "iron_deficiency": "no",
    "autoimmune_disease": "no",
    "recent_illness_or_stress": "no",
}


class IntakeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IntakeQuestionnaire

    patient = factory.SubFactory(PatientFactory)
    taken_by = factory.SelfAttribute("patient.created_by")
    onset = INTAKE_HISTORY["onset"]
    course = "gradual"
    loss_pattern = "thinning"
    family_history = "yes"
    scale = "norwood"
    grade = "III"
    fitzpatrick = "II"
    thyroid_disease = "no"
    iron_deficiency = "no"
    autoimmune_disease = "no"
    recent_illness_or_stress = "no"
    treatments = factory.LazyFunction(lambda: {"minoxidil": "past"})
    answers = factory.LazyFunction(all_no)


def submit_intake(by, patient: Patient, *yes: str) -> IntakeQuestionnaire:
    """An intake submitted (and so screened) by `by`: INTAKE_HISTORY, and no to every question
    but `yes`."""
    return intake_services.intake_submit(
        by=by,
        patient=patient,
        **INTAKE_HISTORY,
        treatments={"minoxidil": "never"},
        answers=all_no(**dict.fromkeys(yes, True)),
    )


# ---- eligibility -----------------------------------------------------------------------------


class ScreeningFactory(factory.django.DjangoModelFactory):
    """A stored screening, written as it is (no rules run): `screen_intake` makes honest ones."""

    class Meta:
        model = Screening

    patient = factory.SubFactory(PatientFactory)
    intake = factory.SubFactory(IntakeFactory, patient=factory.SelfAttribute("..patient"))
    kind = "intake"
    procedure = rules.MICRONEEDLING
    outcome = rules.ELIGIBLE
    reasons = factory.LazyFunction(list)
    answers = factory.LazyFunction(dict)
    ruleset_version = "test"
    valid_until = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
    screened_by = factory.SelfAttribute("intake.taken_by")


class PhysicianReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PhysicianReview

    screening = factory.SubFactory(ScreeningFactory)
    patient = factory.SelfAttribute("screening.patient")
    procedure = factory.SelfAttribute("screening.procedure")
    decision = "declined"
    note = "Reviewed."
    decided_by = factory.SubFactory(UserFactory)


class PlanSignOffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanSignOff

    patient = factory.SubFactory(PatientFactory)
    note = "Plan reviewed."
    until = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=90))
    signed_by = factory.SubFactory(UserFactory)


# ---- treatments and scheduling ---------------------------------------------------------------


class SessionTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionType
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Session type {n}")
    procedure_codes = "microneedling"
    duration_minutes = 45
    room_kind = RoomKind.PROCEDURE
    device_kind = DeviceKind.MICRONEEDLING_PEN


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Room {n + 100}")
    kind = RoomKind.PROCEDURE


class DeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Device
        django_get_or_create = ("serial",)

    kind = DeviceKind.MICRONEEDLING_PEN
    serial = factory.Sequence(lambda n: f"DEV-{n}")
    name = factory.LazyAttribute(lambda d: f"Device {d.serial}")


class OpeningHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpeningHours

    weekday = 0
    opens = time(8)
    closes = time(20)


class ClosedDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClosedDay

    day = factory.LazyFunction(timezone.localdate)
    reason = "Closed"


class ProviderHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProviderHours
        django_get_or_create = ("provider", "weekday", "start")

    provider = factory.SubFactory(UserFactory)
    weekday = 0
    start = time(8)
    end = time(20)


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    patient = factory.SubFactory(PatientFactory)
    procedure = rules.MICRONEEDLING
    text_version = factory.LazyAttribute(lambda c: CURRENT[c.procedure].version)
    typed_name = factory.LazyAttribute(lambda c: c.patient.full_name)
    agreed = True
    witnessed_by = factory.SubFactory(UserFactory)


class TreatmentSessionFactory(factory.django.DjangoModelFactory):
    """A session written directly (no gates); `end` follows the session type's length."""

    class Meta:
        model = TreatmentSession

    patient = factory.SubFactory(PatientFactory)
    session_type = factory.SubFactory(SessionTypeFactory)
    provider = factory.SubFactory(UserFactory)
    room = factory.SubFactory(RoomFactory)
    device = factory.SubFactory(DeviceFactory)
    start = factory.LazyFunction(timezone.now)
    end = factory.LazyAttribute(lambda s: s.start + s.session_type.duration)
    status = Status.BOOKED
    booked_by = factory.SelfAttribute("provider")


class SessionEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionEvent

    session = factory.SubFactory(TreatmentSessionFactory)
    kind = "booked"
    by = factory.SelfAttribute("session.booked_by")


def login_client(user, *, verified: bool = True):
    """A test client logged in as `user`, past the two-factor step when `verified`.

    Physicians and admins must use a second factor; this gives them a confirmed TOTP device and
    marks the session verified, as the two-factor page does after a right code.
    """
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    if verified:
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, confirmed=True, defaults={"name": "test"}
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client
