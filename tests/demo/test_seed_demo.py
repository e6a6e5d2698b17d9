import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from demo.management.commands.seed_demo import DEMO_PASSWORD
from eligibility.models import Screening
from intake.models import Patient
from messaging import services

pytestmark = pytest.mark.django_db


def test_seed_demo_makes_one_login_per_role_and_varied_patients(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")  # safe to run twice
    for username in ("frontdesk", "physician", "admin"):
        assert get_user_model().objects.get(username=username).check_password(DEMO_PASSWORD)
    assert Patient.objects.count() == 8
    outcomes = set(Screening.objects.values_list("outcome", flat=True))
    assert outcomes == {"eligible", "needs_review", "ineligible"}
    # Each agreed to email, so make run's worker has reminders to send.
    assert all(services.reachable(p) == ("email", p.email) for p in Patient.objects.all())


def test_seed_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not Patient.objects.exists()


def test_demo_totp_prints_a_code_the_device_accepts(settings):
    from io import StringIO

    from demo.management.commands.demo_totp import give_demo_device
    from tests.factories import UserFactory

    settings.DEBUG = True
    user = UserFactory(username="demo-doc")
    device = give_demo_device(user)
    out = StringIO()
    call_command("demo_totp", "demo-doc", stdout=out)
    code = out.getvalue().strip()
    assert len(code) == 6 and code.isdigit()
    assert device.verify_token(code)


def test_demo_totp_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_totp", "physician")
