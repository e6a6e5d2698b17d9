"""Consent texts as versions in the database: publishing, numbering, and versions that never
change once published (issue 14)."""

from datetime import date

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection

from core.roles import CLINIC_ADMIN, FRONT_DESK, PHYSICIAN
from scheduling.consent import BY_VERSION, CURRENT
from tests.factories import UserFactory
from treatments import services
from treatments.models import ConsentText

pytestmark = pytest.mark.django_db

SEEDED = "2026.11.1"


@pytest.fixture
def on(monkeypatch):
    """Publish as if today (in the clinic's zone) were `day`."""

    def set_day(day: date) -> None:
        monkeypatch.setattr(services.timezone, "localdate", lambda: day)

    return set_day


def publish(by, *, procedure="prp", title="Consent to PRP", body="One.\n\nTwo.", **kwargs):
    return services.publish_consent_text(
        procedure=procedure, title=title, body=body, by=by, **kwargs
    )


def test_a_new_version_is_numbered_on_from_the_month_s_last(admin_user, on):
    on(date(2026, 11, 30))
    second = publish(admin_user)
    third = publish(admin_user, body="One.\n\nTwo.\n\nThree.")
    assert (second.version, third.version) == ("2026.11.2", "2026.11.3")
    on(date(2027, 1, 4))
    assert publish(admin_user, body="Four.").version == "2027.01.1"
    # Numbered per procedure: the microneedling text is still on its first.
    assert publish(admin_user, procedure="microneedling").version == "2027.01.1"
    assert CURRENT["microneedling"].version == "2027.01.1"


def test_the_new_version_is_current_and_the_old_one_stays(admin_user):
    old = CURRENT["prp"]
    new = publish(admin_user, title="  Consent to PRP,   revised ")
    assert CURRENT["prp"] == new
    assert new.title == "Consent to PRP, revised"
    assert new.published_by == admin_user
    assert BY_VERSION[("prp", SEEDED)] == old
    assert BY_VERSION.get(("prp", new.version)) == new
    assert BY_VERSION.get(("prp", "1999.01.1")) is None
    assert ConsentText.objects.get(pk=old.pk).body == old.body


def test_paragraphs_are_split_at_blank_lines_and_tidied(admin_user):
    text = publish(
        admin_user, body="\r\n  First line\r\n  wraps here.\r\n\r\n \r\n\r\nSecond   one.\n \n"
    )
    assert text.paragraphs == ("First line wraps here.", "Second one.")
    assert text.body == "First line wraps here.\n\nSecond one."


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"title": " "}, "title"), ({"body": "\n\n  \n"}, "body")],
)
def test_a_text_needs_a_title_and_paragraphs(admin_user, fields, field):
    with pytest.raises(ValidationError) as refused:
        publish(admin_user, **fields)
    assert field in refused.value.error_dict
    assert ConsentText.objects.filter(procedure="prp").count() == 1


def test_the_text_in_use_is_not_published_again(admin_user):
    current = CURRENT["lllt"]
    with pytest.raises(ValidationError, match="the text in use"):
        publish(
            admin_user,
            procedure="lllt",
            title=current.title,
            body="\n\n\n".join(current.paragraphs),
        )
    assert ConsentText.objects.filter(procedure="lllt").count() == 1


def test_a_version_published_since_the_form_was_opened_is_not_overwritten(admin_user):
    publish(admin_user, body="Someone else's change.", replaces=SEEDED)
    with pytest.raises(ValidationError, match="published after you opened this form"):
        publish(admin_user, body="My change.", replaces=SEEDED)
    assert CURRENT["prp"].paragraphs == ("Someone else's change.",)


def test_unknown_procedure_is_refused(admin_user):
    with pytest.raises(ValidationError):
        publish(admin_user, procedure="hair_transplant")


@pytest.mark.parametrize("role", [FRONT_DESK, PHYSICIAN])
def test_only_clinic_admins_publish(role):
    with pytest.raises(PermissionDenied):
        publish(UserFactory(role=role))
    assert ConsentText.objects.filter(procedure="prp").count() == 1


def test_a_published_version_is_never_changed_or_removed():
    text = ConsentText.objects.get(procedure="prp", version=SEEDED)
    text.title = "Changed"
    with pytest.raises(ValidationError, match="never changed"):
        text.save()
    with pytest.raises(ValidationError):
        text.delete()
    with pytest.raises(ValidationError):
        ConsentText.objects.filter(pk=text.pk).update(title="Changed")
    with pytest.raises(ValidationError):
        ConsentText.objects.filter(pk=text.pk).delete()
    assert (
        ConsentText.objects.get(pk=text.pk).title
        == "Consent to platelet-rich plasma (PRP) treatment"
    )


def test_publishing_is_in_the_audit_log(admin_user):
    text = publish(admin_user)
    entry = LogEntry.objects.get_for_object(text).get()
    assert entry.action == LogEntry.Action.CREATE
    assert entry.actor == admin_user
    assert entry.changes_dict["version"][1] == text.version


def test_current_texts_are_read_in_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        assert [p for p, _ in CURRENT.items()] == ["microneedling", "prp", "lllt"]
    with django_assert_num_queries(1):
        assert CURRENT.get("prp").version == SEEDED
    with django_assert_num_queries(1):
        assert "botox" not in CURRENT


@pytest.mark.django_db(transaction=True)
def test_a_flushed_database_gets_its_texts_back():
    """As it gets its permissions back: the test runner flushes between transactional tests,
    and a database without texts could take no consent."""
    call_command("flush", interactive=False, verbosity=0)
    assert sorted(CURRENT) == ["lllt", "microneedling", "prp"]
    assert {text.version for text in CURRENT.values()} == {SEEDED}


def on_postgres(test):
    """Real concurrent transactions: SQLite writes one at a time anyway."""
    test = pytest.mark.django_db(transaction=True)(test)
    test = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL")(test)
    return pytest.mark.postgres(test)


def _admins(n: int) -> list:
    return [UserFactory(role=CLINIC_ADMIN) for _ in range(n)]


@on_postgres
def test_admins_publishing_at_once_take_turns(run_concurrently):
    """Each sees the version the one before made: four versions, numbered one after another."""
    admins = _admins(4)
    results, errors = run_concurrently(lambda i: publish(admins[i], body=f"Change {i}."), 4)
    assert not errors
    assert len({text.version for text in results}) == 4
    assert ConsentText.objects.filter(procedure="prp").count() == 5


@on_postgres
def test_of_admins_editing_the_same_version_at_once_one_publishes(run_concurrently):
    admins = _admins(4)
    results, errors = run_concurrently(
        lambda i: publish(admins[i], body=f"Change {i}.", replaces=SEEDED), 4
    )
    assert len(results) == 1
    assert [type(error) for error in errors] == [ValidationError] * 3
    assert CURRENT["prp"] == results[0]
