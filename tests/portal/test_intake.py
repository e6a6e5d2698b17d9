"""The intake a patient fills in: page by page, saved as they go, screened like any other,
marked as theirs, and the clinician's assessment never asked of them."""

import pytest
from django.urls import reverse

from eligibility.models import Screening, ScreeningKind
from intake.models import IntakeQuestionnaire, Source
from portal.forms import STEPS
from portal.models import Channel, PatientAccess
from tests.factories import IntakeFactory, PatientFactory, all_no
from tests.portal.helpers import fill_intake, page_answers, verified

pytestmark = pytest.mark.django_db


def _url(step):
    return reverse("portal:intake", kwargs={"step": step.slug})


def test_the_patient_intake_arrives_marked_as_theirs_and_is_screened(front_desk_user):
    patient = PatientFactory()
    client, access = verified(front_desk_user, patient)
    response = fill_intake(client, yes=("scalp_wound",))
    assert response["Location"] == reverse("portal:done")
    assert "we have your answers" in client.get(response["Location"]).content.decode()
    intake = IntakeQuestionnaire.objects.get(patient=patient)
    assert intake.source == Source.LINK and intake.taken_by == front_desk_user
    assert intake.answers["scalp_wound"] is True and intake.onset == "About two years ago"
    # Never asked: not yet assessed, and no rule reads a grade that is not there.
    assert (intake.scale, intake.grade, intake.fitzpatrick) == ("", "", "")
    screenings = Screening.objects.filter(intake=intake, kind=ScreeningKind.INTAKE)
    assert screenings.count() == 3
    assert screenings.get(procedure="microneedling").outcome == "ineligible"
    access.refresh_from_db()
    assert access.intake == intake and access.completed_at and access.draft == {}


def test_the_clinicians_last_assessment_is_carried_into_the_patients_intake(front_desk_user):
    earlier = IntakeFactory(scale="ludwig", grade="II", fitzpatrick="IV", answers=all_no())
    client, _ = verified(front_desk_user, earlier.patient)
    fill_intake(client)
    latest = IntakeQuestionnaire.objects.filter(patient=earlier.patient).latest()
    assert latest.source == Source.LINK and latest.supersedes == earlier
    assert (latest.scale, latest.grade, latest.fitzpatrick) == ("ludwig", "II", "IV")


def test_each_page_is_saved_and_shown_again(front_desk_user):
    client, access = verified(front_desk_user, PatientFactory())
    first = page_answers(STEPS[0])
    first["onset"] = "Last spring"
    assert client.post(_url(STEPS[0]), first)["Location"] == _url(STEPS[1])
    access.refresh_from_db()
    assert access.draft[STEPS[0].slug]["onset"] == "Last spring"
    # Back on the first page (another day, say): the answer is there.
    assert "Last spring" in client.get(_url(STEPS[0])).content.decode()
    # Home resumes at the first page not yet answered.
    assert client.get(reverse("portal:home"))["Location"] == _url(STEPS[1])


def test_back_keeps_the_page_and_goes_to_the_one_before(front_desk_user):
    client, access = verified(front_desk_user, PatientFactory())
    data = {**page_answers(STEPS[1]), "back": ""}
    assert client.post(_url(STEPS[1]), data)["Location"] == _url(STEPS[0])
    access.refresh_from_db()
    assert STEPS[1].slug in access.draft


def test_back_keeps_a_half_answered_page_too(front_desk_user):
    client, _ = verified(front_desk_user, PatientFactory())
    data = {"medical_details": "Asthma since childhood", "back": ""}
    assert client.post(_url(STEPS[1]), data)["Location"] == _url(STEPS[0])
    page = client.get(_url(STEPS[1])).content.decode()
    assert "Asthma since childhood" in page
    # Sending it still needs every answer.
    response = client.post(_url(STEPS[1]), {"medical_details": "Asthma since childhood"})
    assert response.status_code == 400 and "Please answer yes or no." in response.content.decode()


def test_a_missing_answer_is_said_in_plain_words_and_nothing_is_lost(front_desk_user):
    client, _ = verified(front_desk_user, PatientFactory())
    data = page_answers(STEPS[3])
    del data["q_scalp_wound"]
    response = client.post(_url(STEPS[3]), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Please answer yes or no." in body
    assert 'value="no" checked' in body or "checked" in body  # the other answers stay ticked
    assert not IntakeQuestionnaire.objects.exists()


def test_sending_with_an_earlier_page_unanswered_goes_back_to_it(front_desk_user):
    client, _ = verified(front_desk_user, PatientFactory())
    response = client.post(_url(STEPS[-1]), page_answers(STEPS[-1]))
    assert response["Location"] == _url(STEPS[0])
    assert "Some answers are missing" in client.get(response["Location"]).content.decode()
    assert not IntakeQuestionnaire.objects.exists()


def test_staff_see_who_entered_what(front_desk_user, desk_client):
    patient = PatientFactory()
    client, _ = verified(front_desk_user, patient)
    fill_intake(client)
    intake = IntakeQuestionnaire.objects.get(patient=patient)
    page = desk_client.get(intake.get_absolute_url()).content.decode()
    assert "entered by the patient" in page and "not yet assessed" in page
    listing = desk_client.get(patient.get_absolute_url()).content.decode()
    assert "Patient, by link" in listing


def test_the_staff_intake_still_requires_the_assessment(desk_client):
    patient = PatientFactory()
    response = desk_client.post(reverse("intake:intake-create", args=[patient.pk]), {})
    body = response.content.decode()
    assert response.status_code == 200 and not IntakeQuestionnaire.objects.exists()
    assert body.count("This field is required") >= 3


def test_the_tablet_intake_is_marked_as_such(front_desk_user):
    patient = PatientFactory()
    client, access = verified(front_desk_user, patient, channel=Channel.KIOSK)
    fill_intake(client)
    assert IntakeQuestionnaire.objects.get(patient=patient).source == Source.KIOSK
    assert PatientAccess.objects.get(pk=access.pk).completed_at


def test_answers_in_progress_do_not_outlive_the_link(front_desk_user):
    from django.utils import timezone

    from portal import services

    client, access = verified(front_desk_user, PatientFactory())
    client.post(_url(STEPS[0]), page_answers(STEPS[0]))
    still_open, _ = services.access_issue(
        by=front_desk_user, patient=PatientFactory(), purpose="intake", channel=Channel.KIOSK
    )
    services.draft_save(access=still_open, step="hair", data={"onset": "x"})
    PatientAccess.objects.filter(pk=access.pk).update(expires_at=timezone.now())
    assert services.drafts_expired_clear() == 1
    assert PatientAccess.objects.get(pk=access.pk).draft == {}
    assert PatientAccess.objects.get(pk=still_open.pk).draft == {"hair": {"onset": "x"}}
    assert services.drafts_expired_clear() == 0
