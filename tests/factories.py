"""factory_boy factories. Patients and intakes are built directly (the services are tested on
their own); staff users get their role's group."""

from datetime import date

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from clinic.roles import sync_roles
from eligibility import rules
from intake.models import IntakeQuestionnaire, Patient

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
