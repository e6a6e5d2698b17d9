# ruff: noqa: RUF001 - clinical text uses en dashes, as CLINICAL.md does
"""The clinic admin's consent-text pages (issue 14): read every version, publish a new one;
a signed consent keeps the version the patient read."""

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scheduling import services as scheduling_services
from scheduling.consent import BY_VERSION, CURRENT
from tests.factories import ConsentFactory, PatientFactory
from treatments import services
from treatments.models import ConsentText

pytestmark = pytest.mark.django_db

SEEDED = "2026.11.1"

# The texts as scheduling/consent.py held them before they moved into the database, written out
# again: the migration that seeds them must not have changed a word.
_RISKS = (
    "Risks include bleeding, bruising, infection, an allergic reaction, and redness or marks "
    "that can last a few days. No result is guaranteed; several sessions and later maintenance "
    "sessions are usually needed."
)
_ALTERNATIVES = (
    "Alternatives include medicines such as minoxidil (applied to the scalp) and finasteride "
    "(tablets), and doing nothing."
)
OLD_CONSTANTS = {
    "microneedling": (
        "Consent to scalp microneedling",
        (
            "Microneedling makes many tiny punctures in the scalp with fine needles to stimulate "
            "hair growth. Microneedling devices are authorised for facial scars and wrinkles; "
            "their use on the scalp for hair loss is off-label.",
            _ALTERNATIVES,
            _RISKS,
            "Before: tell the clinic about any cut, spot, infection or cold sore on the scalp. "
            "After: no hair washing for 24 hours; no minoxidil or other topicals for 24 hours "
            "unless the physician says otherwise; call the clinic for spreading redness, pus, "
            "fever or pain that grows.",
        ),
    ),
    "prp": (
        "Consent to platelet-rich plasma (PRP) treatment",
        (
            "A small amount of blood is drawn, spun in a centrifuge to concentrate the platelets, "
            "and the plasma is injected into the scalp. PRP outside transfusion medicine is an "
            "off-label use.",
            _ALTERNATIVES,
            _RISKS,
            "Before: avoid aspirin and anti-inflammatory painkillers for the days the clinic "
            "tells you. After: no hair washing for 24 hours; no sauna, hard exercise or strong "
            "sun for 1–3 days; call the clinic for spreading redness, pus, fever or pain that "
            "grows.",
        ),
    ),
    "lllt": (
        "Consent to low-level laser therapy (LLLT)",
        (
            "Low-level laser or light therapy shines red light on the scalp to stimulate hair "
            "growth. Use outside the device's cleared population is off-label.",
            _ALTERNATIVES,
            "Risks include scalp warmth, redness or itching, and no guaranteed result; several "
            "sessions and later maintenance sessions are needed.",
            "Before: tell the clinic about broken skin on the scalp and any medicine that makes "
            "skin sensitive to light. After: avoid strong sun on the scalp that day.",
        ),
    ),
}

NEW_BODY = "Microneedling, explained again.\n\nNew: bring a hat for the journey home."


def _publish_url(procedure: str = "microneedling") -> str:
    return reverse("configuration:consenttext-publish", args=[procedure])


def _post(client, procedure="microneedling", **fields):
    data = {"title": "Consent to scalp microneedling", "body": NEW_BODY, "replaces": SEEDED}
    return client.post(_publish_url(procedure), {**data, **fields})


def test_the_seeded_texts_are_the_old_constants():
    seeded = {
        text.procedure: (text.title, text.paragraphs)
        for text in ConsentText.objects.filter(version=SEEDED, published_by=None)
    }
    assert seeded == OLD_CONSTANTS
    assert ConsentText.objects.count() == 3
    assert {p: (t.version, t.title, t.paragraphs) for p, t in CURRENT.items()} == {
        p: (SEEDED, *text) for p, text in OLD_CONSTANTS.items()
    }


def test_publishing_makes_the_version_new_consents_are_signed_on(admin_client_, front_desk_user):
    response = _post(admin_client_)
    new = ConsentText.objects.get(procedure="microneedling", published_by__isnull=False)
    assert response.status_code == 302
    assert response.url == reverse("configuration:consenttext-detail", args=[new.pk])
    assert new.version != SEEDED and new.paragraphs == tuple(NEW_BODY.split("\n\n"))
    page = admin_client_.get(response.url).content.decode()
    assert f"Consent to scalp microneedling: version {new.version} is published." in page
    assert "New consents are signed on this version." in page

    patient = PatientFactory()
    consent = scheduling_services.consent_sign(
        by=front_desk_user,
        patient=patient,
        procedure="microneedling",
        typed_name=patient.full_name,
        agreed=True,
    )
    assert consent.text_version == new.version
    assert consent.text == new


def test_the_consent_form_shows_the_new_version(admin_client_, desk_client):
    _post(admin_client_)
    patient = PatientFactory()
    page = desk_client.get(
        reverse("scheduling:consent-create", args=[patient.pk, "microneedling"])
    ).content.decode()
    assert "New: bring a hat for the journey home." in page
    assert f"text version {CURRENT['microneedling'].version}" in page


def test_an_old_consent_keeps_its_text_and_still_counts(admin_client_):
    consent = ConsentFactory(procedure="microneedling")
    _post(admin_client_)
    consent.refresh_from_db()
    assert consent.text_version == SEEDED
    assert consent.text.paragraphs == OLD_CONSTANTS["microneedling"][1]
    assert BY_VERSION[("microneedling", SEEDED)] == consent.text
    # CLINICAL.md asks for a signed consent per procedure, not one per version of its text.
    assert scheduling_services.missing_consents(consent.patient, ["microneedling"]) == []


def test_the_list_shows_each_procedure_s_current_and_earlier_versions(admin_client_):
    _post(admin_client_)
    response = admin_client_.get(reverse("configuration:consenttext-list"))
    page = response.content.decode()
    assert [item.procedure for item in response.context["procedures"]] == [
        "microneedling",
        "prp",
        "lllt",
    ]
    mn = response.context["procedures"][0]
    assert mn.current.published_by is not None
    assert [text.version for text in mn.earlier] == [SEEDED]
    assert "Earlier versions" in page
    assert reverse("configuration:consenttext-detail", args=[mn.earlier[0].pk]) in page
    assert "installed with the app" in page


def test_an_earlier_version_s_page_says_so(admin_client_):
    earlier = ConsentText.objects.get(procedure="microneedling", version=SEEDED)
    _post(admin_client_)
    page = admin_client_.get(
        reverse("configuration:consenttext-detail", args=[earlier.pk])
    ).content.decode()
    assert "An earlier version. Patients who signed it keep it" in page
    assert OLD_CONSTANTS["microneedling"][1][0] in page


def test_the_publish_form_starts_from_the_text_in_use(admin_client_):
    response = admin_client_.get(_publish_url("prp"))
    form = response.context["form"]
    title, paragraphs = OLD_CONSTANTS["prp"]
    assert form.initial["title"] == title
    assert form.initial["body"] == "\n\n".join(paragraphs)
    page = response.content.decode()
    assert f'name="replaces" value="{SEEDED}"' in page
    assert "Patients who signed an earlier version keep that version" in page


def test_the_publish_form_is_not_found_for_an_unknown_procedure(admin_client_):
    assert admin_client_.get(_publish_url("hair_transplant")).status_code == 404


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"title": ""}, "Give the text a title."),
        ({"body": " \n\n "}, "Write the text the patient reads."),
        (
            {
                "title": OLD_CONSTANTS["microneedling"][0],
                "body": "\n\n".join(OLD_CONSTANTS["microneedling"][1]),
            },
            "the text in use",
        ),
    ],
)
def test_a_refused_form_keeps_what_was_typed(admin_client_, fields, error):
    typed = {"title": "My title", "body": "My first paragraph.\n\nMy second.", **fields}
    response = _post(admin_client_, **typed)
    assert response.status_code == 200
    page = response.content.decode()
    assert error in page
    assert "There is a problem" in page
    for value in typed.values():
        if value.strip():
            assert value.split("\n\n")[0] in page
    assert ConsentText.objects.filter(procedure="microneedling").count() == 1


def test_a_form_opened_before_another_version_was_published_is_refused(admin_client_):
    _post(admin_client_, body="The first admin's change.")
    response = _post(admin_client_, body="The second admin's change.")
    assert response.status_code == 200
    page = response.content.decode()
    current = CURRENT["microneedling"]
    assert f"Version {current.version} was published after you opened this form" in page
    assert "The second admin&#x27;s change." in page
    # The page now starts from that version: publishing again, after reading it, goes through.
    assert f'name="replaces" value="{current.version}"' in page
    assert ConsentText.objects.filter(procedure="microneedling").count() == 2


def test_a_resubmitted_form_publishes_once(admin_client_):
    token = admin_client_.get(_publish_url()).context["form"].initial["form_token"]
    first = _post(admin_client_, form_token=token)
    again = _post(admin_client_, form_token=token)
    assert again.status_code == 302 and again.url == first.url
    assert ConsentText.objects.filter(procedure="microneedling").count() == 2


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_no_url_changes_a_published_version(admin_client_, method):
    """The publish form's POST adds a version (above); nothing else writes."""
    text = ConsentText.objects.get(procedure="prp", version=SEEDED)
    urls = [
        reverse("configuration:consenttext-detail", args=[text.pk]),
        reverse("configuration:consenttext-list"),
        *([] if method == "post" else [_publish_url("prp")]),
    ]
    for url in urls:
        assert getattr(admin_client_, method)(url, {"title": "Changed"}).status_code == 405, url
    assert ConsentText.objects.get(pk=text.pk).title == OLD_CONSTANTS["prp"][0]
    assert ConsentText.objects.count() == 3


def test_publishing_through_the_page_is_in_the_audit_log(admin_client_, admin_user):
    _post(admin_client_)
    new = CURRENT["microneedling"]
    entry = LogEntry.objects.get_for_object(new).get()
    assert (entry.action, entry.actor) == (LogEntry.Action.CREATE, admin_user)


@pytest.mark.parametrize("who", ["desk_client", "physician_client"])
def test_other_roles_may_not_publish(request, who):
    client = request.getfixturevalue(who)
    assert client.get(reverse("configuration:consenttext-list")).status_code == 403
    assert _post(client).status_code == 403
    assert ConsentText.objects.count() == 3


def test_the_list_reads_a_fixed_number_of_queries(admin_client_, admin_user):
    url = reverse("configuration:consenttext-list")
    admin_client_.get(url)
    with CaptureQueriesContext(connection) as few:
        admin_client_.get(url)
    for n in range(3):
        for procedure in ("microneedling", "prp", "lllt"):
            services.publish_consent_text(
                procedure=procedure, title=f"Version {n}", body=f"Text {n}.", by=admin_user
            )
    with CaptureQueriesContext(connection) as many:
        admin_client_.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)
