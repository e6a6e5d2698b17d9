"""Lifecycle rule 8: `migrate` (and `manage.py rescreen`) re-evaluates screenings decided under an
older rule set, on their stored answers, keeping the answers' age."""

import pytest
from django.core.management import call_command

from eligibility import rules
from eligibility.models import Screening, ScreeningKind
from tests.scheduling.factories import make_clinic, screened_patient

pytestmark = pytest.mark.django_db


def _outdate(patient) -> None:
    Screening.objects.filter(patient=patient).update(ruleset_version="2000.1.1")


@pytest.mark.parametrize("command", [("migrate",), ("rescreen",)])
def test_a_new_rule_set_re_screens_on_migrate_and_on_the_command(command):
    clinic = make_clinic()
    patient = screened_patient(by=clinic.desk)
    _outdate(patient)
    before = Screening.objects.get(patient=patient, procedure=rules.PRP, is_latest=True)
    call_command(*command, verbosity=0)
    after = Screening.objects.get(patient=patient, procedure=rules.PRP, is_latest=True)
    assert after.pk != before.pk
    assert after.kind == ScreeningKind.RULES_UPDATED
    assert after.ruleset_version == rules.RULESET_VERSION
    assert after.answers == before.answers
    assert after.answered_at == before.answered_at
    assert after.valid_until == before.valid_until
    assert after.screened_by is None
