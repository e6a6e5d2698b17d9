"""The next step offered after a registration and an intake (issue 14: fewer key presses): the
registration's first button goes on to the intake, the intake's message to the free slots."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from intake.forms import SAVE_AND_INTAKE
from intake.models import Patient
from tests.factories import PatientFactory
from tests.intake.test_views import PATIENT_POST, intake_post

pytestmark = pytest.mark.django_db


def test_registration_offers_the_intake_as_its_first_button(desk_client):
    page = desk_client.get(reverse("intake:patient-create")).content.decode()
    assert page.index(f'name="{SAVE_AND_INTAKE}"') < page.index('name="save"')


def test_save_and_take_the_intake_goes_to_the_new_patients_intake(desk_client):
    response = desk_client.post(
        reverse("intake:patient-create"), {**PATIENT_POST, SAVE_AND_INTAKE: "1"}
    )
    patient = Patient.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("intake:intake-create", args=[patient.pk])


def test_editing_a_patient_has_only_the_save_button(desk_client):
    patient = PatientFactory()
    page = desk_client.get(reverse("intake:patient-update", args=[patient.pk])).content.decode()
    assert SAVE_AND_INTAKE not in page
    assert 'name="save"' in page


def test_intake_message_leads_to_the_patients_free_slots(desk_client):
    patient = PatientFactory(first_name="Ada")
    response = desk_client.post(reverse("intake:intake-create", args=[patient.pk]), intake_post())
    assert response.status_code == 302
    [message] = get_messages(response.wsgi_request)
    slots = f"{reverse('scheduling:free-slots')}?patient={patient.pk}"
    assert str(message) == (
        f'Intake saved. <a class="alert-link" href="{slots}">Find a free slot for Ada</a>'
    )
    page = desk_client.get(response.url).content.decode()
    assert f'href="{slots}">Find a free slot for Ada</a>' in page
