"""Form drafts (issue 14): a form in progress is kept on the server through the idle timeout,
read back only by its author, never with a token or a password in it, gone when it expires, is
discarded or the form is sent."""

import json
import logging
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core import drafts
from core.drafts import MARKER, draft_get, draft_save
from core.models import FormDraft
from core.roles import FRONT_DESK, PHYSICIAN
from intake.forms import IntakeForm
from intake.models import IntakeQuestionnaire
from scheduling.forms import BookingForm
from tests.factories import PatientFactory, UserFactory, login_client
from tests.intake.test_views import intake_post

pytestmark = pytest.mark.django_db

DRAFT = reverse("form-draft")
DISCARD = reverse("form-draft-discard")
PHI = "Warfarin 5 mg, since the stroke"


@pytest.fixture
def desk_user():
    return UserFactory(role=FRONT_DESK)


@pytest.fixture
def desk(desk_user):
    return login_client(desk_user)


@pytest.fixture
def intake_path():
    return reverse("intake:intake-create", args=[PatientFactory().pk])


def _save(client, path, fields, **extra):
    return client.post(
        DRAFT,
        json.dumps({"path": path, "fields": fields}),
        content_type="application/json",
        **extra,
    )


def _read(client, path):
    response = client.get(DRAFT, {"path": path})
    assert response.status_code == 200
    return response.json()["draft"]


FIELDS = [
    {"name": "family_history", "value": "yes"},
    {"name": "medications", "value": PHI},
    {"name": "scale", "value": "norwood"},
]


def test_the_author_saves_and_reads_back_a_draft(desk, intake_path):
    assert _read(desk, intake_path) is None
    assert _save(desk, intake_path, FIELDS).status_code == 200
    draft = _read(desk, intake_path)
    assert draft["fields"] == FIELDS
    assert draft["saved_label"] == f"{timezone.localtime():%H:%M}"
    # Saved again: replaced, not a second one.
    assert _save(desk, intake_path, FIELDS[:1]).status_code == 200
    assert _read(desk, intake_path)["fields"] == FIELDS[:1]
    assert FormDraft.objects.count() == 1


def test_nobody_else_reads_a_draft(desk, desk_user, intake_path):
    _save(desk, intake_path, FIELDS)
    colleague = login_client(UserFactory(role=PHYSICIAN))
    assert _read(colleague, intake_path) is None
    assert draft_get(user=UserFactory(role=FRONT_DESK), path=intake_path) is None
    assert draft_get(user=desk_user, path=intake_path).fields == FIELDS
    # Nor discards it.
    colleague.post(DISCARD, json.dumps({"path": intake_path}), content_type="application/json")
    assert FormDraft.objects.filter(user=desk_user).count() == 1


def test_tokens_and_passwords_are_never_kept(desk, intake_path):
    sent = [
        *FIELDS,
        {"name": "csrfmiddlewaretoken", "value": "csrf-secret"},
        {"name": "form_token", "value": "once-only"},
        {"name": "password", "value": "hunter2-hunter2"},
        {"name": "new_password1", "value": "hunter3-hunter3"},
        {"name": "token", "value": "123456"},
        {"name": MARKER, "value": "1"},
    ]
    assert _save(desk, intake_path, sent).status_code == 200
    stored = json.dumps(FormDraft.objects.get().fields)
    for secret in ("csrf-secret", "once-only", "hunter2", "hunter3", "123456", MARKER):
        assert secret not in stored
    assert FormDraft.objects.get().fields == FIELDS


def test_the_patient_pickers_choice_keeps_its_label(desk):
    path = reverse("scheduling:session-book")
    fields = [{"name": "patient", "value": "7", "label": "Ada Lovelace (MRN-0007)"}]
    _save(desk, path, fields)
    assert _read(desk, path)["fields"] == fields


def test_saving_needs_the_csrf_token(desk_user, intake_path):
    client = login_client(desk_user)
    client.handler.enforce_csrf_checks = True
    page = client.get(reverse("dashboard")).content.decode()
    token = page.split('data-csrf="', 1)[1].split('"', 1)[0]
    assert _save(client, intake_path, FIELDS).status_code == 403
    body = json.dumps({"path": intake_path})
    assert client.post(DISCARD, body, content_type="application/json").status_code == 403
    assert not FormDraft.objects.exists()
    assert _save(client, intake_path, FIELDS, HTTP_X_CSRFTOKEN=token).status_code == 200


def test_signed_out_nothing_is_saved_or_read(intake_path):
    client = Client()
    for response in (
        _save(client, intake_path, FIELDS),
        client.get(DRAFT, {"path": intake_path}),
        client.post(DISCARD, json.dumps({"path": intake_path}), content_type="application/json"),
    ):
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not FormDraft.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "https://evil.example/patients/",
        "//evil.example/",
        "/no-such-page/",
        "/patients/1/intake/new/?q=x",
        "patients/",
        "/" + "a" * 300,
        None,
        7,
    ],
)
def test_only_a_page_of_this_site_has_a_draft(desk, path):
    assert _save(desk, path, FIELDS).status_code == 400
    assert desk.get(DRAFT, {"path": path or ""}).status_code == 400
    assert not FormDraft.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        "medications=x",
        [["medications", "x"]],
        [{"name": "medications"}],
        [{"name": "", "value": "x"}],
        [{"name": "medications", "value": 5}],
        [{"name": "medications", "value": "x" * (drafts.MAX_VALUE + 1)}],
        [{"name": "medications", "value": "x"}] * (drafts.MAX_FIELDS + 1),
    ],
)
def test_a_draft_must_be_a_forms_fields(desk, intake_path, fields):
    assert _save(desk, intake_path, fields).status_code == 400
    assert not FormDraft.objects.exists()


def test_a_body_that_is_not_json_is_refused(desk, intake_path):
    assert desk.post(DRAFT, {"path": intake_path}).status_code == 400
    assert desk.post(DRAFT, "[1, 2]", content_type="application/json").status_code == 400


def test_drafts_expire_and_are_deleted(desk, desk_user, intake_path, settings):
    settings.FORM_DRAFT_HOURS = 3
    _save(desk, intake_path, FIELDS)
    draft = FormDraft.objects.get()
    assert draft.expires_at - draft.saved_at == timedelta(hours=3)
    someone = UserFactory(role=FRONT_DESK)
    old = draft_save(by=someone, path=intake_path, fields=FIELDS)
    FormDraft.objects.filter(pk=old.pk).update(
        saved_at=timezone.now() - timedelta(hours=4), expires_at=timezone.now() - timedelta(hours=1)
    )
    # Reading any draft deletes everyone's expired ones: patient data goes on time.
    assert _read(desk, intake_path) is not None
    assert not FormDraft.objects.filter(pk=old.pk).exists()
    FormDraft.objects.update(
        saved_at=timezone.now() - timedelta(hours=3),
        expires_at=timezone.now() - timedelta(seconds=1),
    )
    assert _read(desk, intake_path) is None
    assert not FormDraft.objects.exists()


def test_the_purge_command_deletes_expired_drafts_only(desk_user, intake_path):
    keep = draft_save(by=desk_user, path=intake_path, fields=FIELDS)
    gone = draft_save(by=desk_user, path=reverse("scheduling:session-book"), fields=FIELDS)
    FormDraft.objects.filter(pk=gone.pk).update(
        saved_at=timezone.now() - timedelta(days=2), expires_at=timezone.now() - timedelta(days=1)
    )
    call_command("purge_form_drafts")
    assert list(FormDraft.objects.values_list("pk", flat=True)) == [keep.pk]


def test_a_user_keeps_a_bounded_number_of_drafts(desk_user):
    patients = PatientFactory.create_batch(drafts.PER_USER + 2)
    paths = [reverse("intake:intake-create", args=[p.pk]) for p in patients]
    for path in paths:
        draft_save(by=desk_user, path=path, fields=FIELDS)
    kept = set(FormDraft.objects.values_list("path", flat=True))
    assert len(kept) == drafts.PER_USER
    assert paths[-1] in kept and paths[0] not in kept


def test_discard_deletes_the_draft(desk, intake_path):
    _save(desk, intake_path, FIELDS)
    body = json.dumps({"path": intake_path})
    response = desk.post(DISCARD, body, content_type="application/json")
    assert response.status_code == 200 and response.json() == {"discarded": 1}
    assert _read(desk, intake_path) is None


def test_sending_the_form_ends_its_draft(desk, intake_path):
    _save(desk, intake_path, FIELDS)
    # Not valid yet: drawn again, the draft stays.
    invalid = desk.post(intake_path, {MARKER: "1", "medications": PHI})
    assert invalid.status_code == 200
    assert FormDraft.objects.exists()
    # Sent: the intake is saved and the draft is gone.
    sent = desk.post(intake_path, intake_post(**{MARKER: "1"}))
    assert sent.status_code == 302
    assert IntakeQuestionnaire.objects.count() == 1
    assert not FormDraft.objects.exists()


def test_another_form_sent_leaves_the_draft(desk, intake_path):
    _save(desk, intake_path, FIELDS)
    desk.post(reverse("intake:patient-list"), {"q": "x", MARKER: "1"})
    assert FormDraft.objects.exists()


def test_no_draft_content_in_urls_or_logs(desk, intake_path, caplog):
    with caplog.at_level(logging.DEBUG):
        _save(desk, intake_path, FIELDS)
        _save(desk, "/no-such-page/", FIELDS)
        response = desk.get(DRAFT, {"path": intake_path})
    assert PHI not in caplog.text
    assert PHI not in response.request["QUERY_STRING"]
    assert response["Cache-Control"] == "no-store, private"


def test_the_intake_and_booking_forms_are_draftable(desk, intake_path):
    assert IntakeForm().helper.attrs == {"data-draft": "intake"}
    assert BookingForm().helper.attrs == {"data-draft": "booking"}
    assert 'data-draft="intake"' in desk.get(intake_path).content.decode()
