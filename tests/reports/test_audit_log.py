"""The audit-log page: search by staff, patient (and what belongs to them), action and date;
the MRN is POSTed and kept in the session, never in a URL; the CSV export is itself logged."""

import csv
import io
import re

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from core.audit import actor, log_access
from intake.models import Patient
from reports.models import Export
from tests.factories import IntakeFactory, PatientFactory, UserFactory
from tests.reports import builders as b
from tests.reports.test_exports import documented_columns

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(db):
    desk = UserFactory(username="desk2", first_name="Dee", last_name="Desk", role="front_desk")
    doctor = UserFactory(username="doc2", first_name="Dan", last_name="Doc", role="physician")
    with actor(desk):
        ada = PatientFactory(first_name="Ada", last_name="Lovelace", mrn="F00000201")
        intake = IntakeFactory(patient=ada)
        other = PatientFactory(first_name="Bob", last_name="Other", mrn="F00000202")
    with actor(doctor):
        screening = b.screening(
            patient=ada, procedure="prp", outcome="eligible", screened_at=b.at_now(), intake=intake
        )
    booked = b.session(
        patient=ada,
        stype=b.session_type("PRP", "prp", 60),
        provider=doctor,
        room=b.room("Audit room"),
        device=b.device("SN-AUDIT"),
        start=b.at_now(),
    )
    log_access(ada, by=doctor)
    log_access(other, by=doctor)
    log_access(booked, by=desk)
    return {"desk": desk, "doctor": doctor, "ada": ada, "intake": intake, "other": other,
            "screening": screening, "session": booked}  # fmt: skip


def _search(client, **data):
    response = client.post(reverse("reports:audit-log"), data)
    assert response.status_code == 302
    assert "F000" not in response.url
    return client.get(reverse("reports:audit-log"))


def _entries(response):
    return list(response.context["table"].data)


def test_no_search_lists_everything_newest_first(admin_client_, history):
    response = admin_client_.get(reverse("reports:audit-log"))
    entries = _entries(response)
    assert len(entries) == LogEntry.objects.count()
    assert entries[0].timestamp >= entries[-1].timestamp


def test_search_by_patient_finds_their_records_and_nothing_else(admin_client_, history):
    response = _search(admin_client_, mrn="f00000201")
    entries = _entries(response)
    kinds = {(e.content_type.model, e.object_id) for e in entries}
    ada, intake, screening = history["ada"], history["intake"], history["screening"]
    assert ("patient", ada.pk) in kinds
    assert ("intakequestionnaire", intake.pk) in kinds
    assert ("screening", screening.pk) in kinds
    assert ("treatmentsession", history["session"].pk) in kinds
    assert ("patient", history["other"].pk) not in kinds
    # The MRN stays out of every link on the page.
    assert "F00000201" not in " ".join(
        part for part in response.content.decode().split('"') if part.startswith("/")
    )


def test_search_by_staff_action_and_date(admin_client_, history):
    entries = _entries(_search(admin_client_, staff=history["doctor"].pk, action="3"))
    assert len(entries) == 2
    assert {e.actor_id for e in entries} == {history["doctor"].pk}
    assert {e.action for e in entries} == {LogEntry.Action.ACCESS}
    assert _entries(_search(admin_client_, date_from="2000-01-01", date_to="2000-01-31")) == []


def test_page_shows_changed_field_names_not_values(admin_client_, history):
    ada = history["ada"]
    with actor(history["desk"]):
        ada.first_name = "Augusta"
        ada.save()
    html = _search(admin_client_, mrn="F00000201", action="1").content.decode()
    assert "first_name" in html
    assert "Dee Desk" in html


def test_invalid_search_says_why(admin_client_, history):
    html = _search(admin_client_, mrn="F99999999").content.decode()
    assert "No patient has this MRN." in html
    html = _search(admin_client_, date_from="2026-12-01", date_to="2026-11-01").content.decode()
    assert "on or before" in html


def test_clear_search(admin_client_, history):
    _search(admin_client_, mrn="F00000201")
    admin_client_.post(reverse("reports:audit-log"), {"clear": "1"})
    assert "auditlog_search" not in admin_client_.session


def test_export_of_the_search_is_a_logged_export(admin_client_, admin_user, history):
    _search(admin_client_, mrn="F00000201")
    response = admin_client_.get(reverse("reports:audit-log-export"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == documented_columns("audit log")
    assert {r[3] for r in rows[1:]} >= {"intake.patient", "intake.intakequestionnaire"}
    assert all(r[3] != "intake.patient" or r[4] == str(history["ada"].pk) for r in rows[1:])
    export = Export.objects.get()
    assert export.report == "audit_log"
    assert export.filters == {"patient_mrn": "F00000201"}
    entry = LogEntry.objects.get_for_object(export).get()
    assert entry.actor == admin_user
    # The export itself now shows in the log, under the admin's name.
    found = _entries(_search(admin_client_, staff=admin_user.pk, action="0"))
    assert [e.object_id for e in found if e.content_type.model == "export"] == [export.pk]


def _rows(html: str) -> list[list[str]]:
    """The audit table's body rows, as the cells' text."""
    body = html.split('aria-label="Audit entries"', 1)[1].split("<tbody>", 1)[1]
    body = body.split("</tbody>", 1)[0]
    return [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in body.split("</tr>")[:-1]]


def test_rows_show_time_staff_action_kind_object_and_changed_fields(admin_client_, history):
    ada = history["ada"]
    with actor(history["desk"]):
        ada.first_name = "Augusta"
        ada.save()
    rows = _rows(_search(admin_client_, mrn="F00000201", action="1").content.decode())
    entry = LogEntry.objects.filter(action=LogEntry.Action.UPDATE).latest("timestamp")
    when = timezone.localtime(entry.timestamp).strftime("%d %b %Y %H:%M:%S")
    assert rows[0] == [when, "Dee Desk", "update", "patient", str(ada), "first_name"]


def test_rows_escape_stored_text_and_name_what_is_missing(admin_client_, history):
    """An entry without an actor is the system's; one without a description shows a dash; a
    description is text, never markup."""
    kind = ContentType.objects.get_for_model(Patient)
    LogEntry.objects.create(
        content_type=kind, object_pk="1", object_id=1, object_repr='<script>alert("x")</script>',
        action=LogEntry.Action.ACCESS, actor=None,
    )  # fmt: skip
    LogEntry.objects.create(
        content_type=kind, object_pk="2", object_id=2, object_repr="",
        action=LogEntry.Action.ACCESS, actor=history["desk"],
    )  # fmt: skip
    html = admin_client_.get(reverse("reports:audit-log")).content.decode()
    assert "<script>alert" not in html
    rows = _rows(html)
    assert [
        "(system)",
        "access",
        "patient",
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;",
        "",
    ] in [row[1:] for row in rows]
    assert ["Dee Desk", "access", "patient", "\N{EM DASH}", ""] in [row[1:] for row in rows]


def test_no_entries_found_says_so(admin_client_, history):
    html = _search(admin_client_, date_from="2000-01-01", date_to="2000-01-31").content.decode()
    assert "No audit entries match." in html
    assert _rows(html) == [["No audit entries match."]]


def test_the_search_form_posts_with_a_token_and_keeps_the_search_out_of_the_cache(
    admin_client_, history
):
    cache.clear()
    html = admin_client_.get(reverse("reports:audit-log")).content.decode()
    form = html.split('<form method="post">', 1)[1].split("</form>", 1)[0]
    assert 'name="csrfmiddlewaretoken"' in form and 'name="mrn"' in form
    assert 'name="search"' in form  # the Search button, inside the form
    assert cache._cache  # the empty search form, drawn once for everyone
    cache.clear()
    html = _search(admin_client_, mrn="F00000201").content.decode()
    assert 'value="F00000201"' in html
    # A search may hold an MRN: it is drawn for the request, never cached.
    assert not any(b"F00000201" in value for value in cache._cache.values())


def test_a_new_staff_member_is_in_the_search_form_after_the_commit(
    admin_client_, history, django_capture_on_commit_callbacks
):
    admin_client_.get(reverse("reports:audit-log"))
    with django_capture_on_commit_callbacks(execute=True):
        UserFactory(username="newdoc", first_name="Nina", last_name="Newdoc", role="physician")
    assert "Nina Newdoc" in admin_client_.get(reverse("reports:audit-log")).content.decode()
