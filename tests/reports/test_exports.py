"""Downloads: CSV parses back to the rows, XLSX opens, formulas are defused, every download is
recorded (Export row and audit-log entry naming the admin)."""

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from reports import selectors
from reports.exports import REPORTS, _Clock, defuse
from reports.forms import RecallFilterForm, ReportFilterForm
from reports.models import Export
from scheduling.models import TreatmentSession
from tests.reports import builders as b
from tests.reports.conftest import WEEK

pytestmark = pytest.mark.django_db

README = settings.BASE_DIR / "README.md"


def documented_columns(report: str) -> list[str]:
    """A report's columns as the README's "Reports and exports" table releases them (they are
    never renamed or removed): the names in backquotes, less the notes in brackets."""
    for line in README.read_text(encoding="utf-8").splitlines():
        if line.startswith(f"| {report} ("):
            columns = re.sub(r"\([^)]*\)", "", line.split("|")[2])
            return re.findall(r"`(\w+)`", columns)
    raise LookupError(f"No {report!r} row in the README's table of report columns")


SESSION_HEADER = documented_columns("sessions")


def _csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _xlsx(response) -> list[list]:
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def _export(client, report, fmt, **params):
    """The download, as an admin gets it: at once, or (an XLSX, a large export) through the
    job's start page, its job run by the queue, and the job's download link."""
    url = reverse("reports:export", args=[report, fmt])
    response = client.get(url, params)
    if response.status_code != 200 or "attachment" in response.get("Content-Disposition", ""):
        return response
    assert "Write the export" in response.content.decode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        started = client.post(f"{url}?{urlencode(params)}")
    job = Export.objects.get(pk=int(started["Location"].rstrip("/").rsplit("/", 1)[1]))
    assert job.state == "done", job.error
    return client.get(reverse("reports:export-download", args=[job.pk]))


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+2", "'=1+2"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        (7, 7),
        (None, ""),
    ],
)
def test_defuse(value, safe):
    assert defuse(value) == safe


def test_sessions_csv_parses_back_to_the_rows(admin_client_, week):
    rows = _csv(_export(admin_client_, "sessions", "csv", **WEEK))
    assert rows[0] == SESSION_HEADER
    s = week["sessions"]
    assert [int(r[0]) for r in rows[1:]] == [s[k].pk for k in ("s1", "s2", "s3", "s4", "s5", "s7")]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first == {
        "session_id": str(s["s1"].pk),
        "date": "2026-11-02",
        "start": "10:00",
        "end": "11:00",
        "session_type": "PRP",
        "procedures": "prp",
        "provider": "anna",
        "room": "Room 1",
        "device_serial": "SN-100",
        "status": "completed",
        "patient_mrn": "F00000101",
        "cartridge_lot": "",
        "prp_kit_lot": "KIT-7",
        "completed_at": "2026-11-02 11:00",
    }
    # Exactly the rows the same filters give the code path shared with the command.
    form = ReportFilterForm(WEEK)
    assert form.is_valid()
    expected = [[str(defuse(v)) for v in row] for row in REPORTS["sessions"].rows(form.filters())]
    assert rows[1:] == expected


def test_export_holds_exactly_what_the_filters_select(admin_client_, week):
    rows = _csv(_export(admin_client_, "sessions", "csv", **WEEK, procedure="prp"))
    assert [r[4] for r in rows[1:]] == ["PRP", "PRP with microneedling"]
    rows = _csv(_export(admin_client_, "sessions", "csv", **WEEK, status="no_show"))
    assert [r[9] for r in rows[1:]] == ["no_show"]


def test_sessions_xlsx_opens_with_the_rows(admin_client_, week):
    response = _export(admin_client_, "sessions", "xlsx", **WEEK)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = _xlsx(response)
    assert rows[0] == SESSION_HEADER
    assert len(rows) == 7
    assert rows[1][0] == week["sessions"]["s1"].pk
    assert rows[1][12] == "KIT-7"


def test_formula_injection_is_defused_in_csv_and_xlsx(admin_client_, week):
    params = {"lot": "KIT-7"}
    csv_rows = _csv(_export(admin_client_, "recall", "csv", **params))
    names = {r[1] for r in csv_rows[1:]}
    assert '\'=HYPERLINK("http://evil") X' in names
    assert "'+1" in {r[8] for r in csv_rows[1:]}
    xlsx_rows = _xlsx(_export(admin_client_, "recall", "xlsx", **params))
    assert '\'=HYPERLINK("http://evil") X' in {r[1] for r in xlsx_rows[1:]}
    assert "'+1" in {r[8] for r in xlsx_rows[1:]}
    # No cell of either file starts a formula.
    for row in csv_rows[1:] + xlsx_rows[1:]:
        for cell in row:
            assert not (isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@"))


def test_recall_lists_every_patient_and_session_of_a_lot(admin_client_, week):
    rows = _csv(_export(admin_client_, "recall", "csv", lot="kit-7"))
    assert rows[0] == documented_columns("recall")
    s1, s2 = week["sessions"]["s1"], week["sessions"]["s2"]
    assert [(r[0], int(r[3]), r[10]) for r in rows[1:]] == [
        ("F00000101", s1.pk, "prp_kit"),
        ("F00000102", s2.pk, "prp_kit"),
    ]
    assert rows[1][1] == "Ada Lovelace" and rows[1][2] == "07911 123456"
    device_rows = _csv(_export(admin_client_, "recall", "csv", lot="SN-100"))
    # The device was used in four sessions, two of them outside any date range: recall is all-time.
    assert len(device_rows) - 1 == 4
    assert {r[10] for r in device_rows[1:]} == {"device"}


def test_recall_page_lists_patients_and_logs_the_access(admin_client_, admin_user, week):
    before = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count()
    response = admin_client_.get(reverse("reports:recall"), {"lot": "KIT-7"})
    html = response.content.decode()
    assert "Ada Lovelace" in html and "F00000102" in html
    assert "2 sessions of 2 patients" in html
    accessed = LogEntry.objects.filter(action=LogEntry.Action.ACCESS)
    assert accessed.count() == before + 2
    assert set(accessed.values_list("actor", flat=True)) == {admin_user.pk}


def test_recall_export_without_a_lot_says_so(admin_client_, week):
    response = _export(admin_client_, "recall", "csv")
    assert response.status_code == 400
    assert "Type a device serial or lot" in response.content.decode()
    assert not Export.objects.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_is_recorded_with_its_filters_and_in_the_audit_log(
    admin_client_, admin_user, week, fmt
):
    response = _export(admin_client_, "sessions", fmt, **WEEK, procedure="prp")
    assert response.status_code == 200
    export = Export.objects.get()
    assert (export.report, export.format, export.exported_by) == ("sessions", fmt, admin_user)
    assert export.filters == {**WEEK, "procedure": "prp", "by": "day"}
    entry = LogEntry.objects.get_for_object(export).order_by("pk").first()
    assert entry.action == LogEntry.Action.CREATE
    assert entry.actor == admin_user


@pytest.mark.parametrize("report", ["screenings", "reviews"])
def test_other_reports_export_their_headers(admin_client_, report):
    rows = _csv(_export(admin_client_, report, "csv"))
    assert tuple(rows[0]) == REPORTS[report].columns


def test_unknown_report_or_format_is_404(admin_client_):
    assert _export(admin_client_, "patients", "csv").status_code == 404
    assert _export(admin_client_, "sessions", "pdf").status_code == 404


@pytest.mark.parametrize("client_name", ["desk_client", "physician_client"])
def test_non_admins_get_403_on_every_report_and_export(request, client_name):
    client = request.getfixturevalue(client_name)
    urls = [reverse(f"reports:{name}") for name in ("index", "sessions", "screenings")]
    urls += [reverse("reports:reviews"), reverse("reports:recall"), reverse("reports:audit-log")]
    urls += [reverse("reports:audit-log-export")]
    urls += [reverse("reports:export", args=[r, f]) for r in REPORTS for f in ("csv", "xlsx")]
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("reports:audit-log"), {"mrn": "F1"}).status_code == 403
    assert not Export.objects.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # SQLite's text: naive, in UTC (the connection's zone); summer time moves the hour.
        ("2026-07-01 09:30:00", ("2026-07-01", "10:30", "2026-07-01 10:30")),
        ("2026-12-01 09:30:59.999999", ("2026-12-01", "09:30", "2026-12-01 09:30")),
        ("2026-06-30 23:15:00", ("2026-07-01", "00:15", "2026-07-01 00:15")),
        # PostgreSQL's text carries its offset.
        ("2026-07-01 09:30:00+00", ("2026-07-01", "10:30", "2026-07-01 10:30")),
        ("2026-07-01 09:30:00.5+02", ("2026-07-01", "08:30", "2026-07-01 08:30")),
        # PostgreSQL's driver gives aware datetimes.
        (datetime(2026, 7, 1, 9, 30, tzinfo=UTC), ("2026-07-01", "10:30", "2026-07-01 10:30")),
        (None, ("", "", "")),
    ],
)
def test_clock_reads_stored_moments_in_the_clinics_zone(text, expected):
    assert settings.TIME_ZONE == "Europe/London"
    clock = _Clock("default")
    assert clock(text) == expected
    assert clock(text) == expected  # and again, remembered


def test_clock_remembers_a_bounded_number_of_moments(monkeypatch):
    monkeypatch.setattr(_Clock, "KEEP", 5)
    clock = _Clock("default")
    for minute in range(40):
        assert clock(f"2026-12-01 09:{minute:02d}:00")[1] == f"09:{minute:02d}"
        assert len(clock.known) <= 7


def test_sessions_csv_times_are_local_whatever_the_seconds(admin_client_, week):
    """A moment with microseconds, in summer time: the export shows the clinic's minute."""
    s1 = week["sessions"]["s1"]
    summer = b.at(date(2026, 7, 1), 9, 5) + timedelta(seconds=59, microseconds=123456)
    TreatmentSession.objects.filter(pk=s1.pk).update(
        start=summer, end=summer + timedelta(hours=1), completed_at=summer + timedelta(hours=1)
    )
    rows = _csv(
        _export(admin_client_, "sessions", "csv", date_from="2026-07-01", date_to="2026-07-01")
    )
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["date"], row["start"], row["end"]) == ("2026-07-01", "09:05", "10:05")
    assert row["completed_at"] == "2026-07-01 10:05"


def test_recall_counts_only_when_the_list_is_cut(admin_user, week):
    form = RecallFilterForm({"lot": "KIT-7"})
    assert form.is_valid()
    with CaptureQueriesContext(connection) as whole:
        found = selectors.recall(user=admin_user, filters=form.filters(), limit=500)
    assert (len(found.rows), found.total, found.patients) == (2, 2, 2)
    assert not [q for q in whole.captured_queries if "COUNT(" in q["sql"].upper()]
    cut = selectors.recall(user=admin_user, filters=form.filters(), limit=1)
    assert (len(cut.rows), cut.total, cut.patients) == (1, 2, 1)


def test_recall_page_rows_are_escaped_and_leave_out_the_session_id(admin_client_, week):
    html = admin_client_.get(reverse("reports:recall"), {"lot": "KIT-7"}).content.decode()
    assert "=HYPERLINK(&quot;http://evil&quot;) X" in html
    assert 'HYPERLINK("' not in html
    s1 = week["sessions"]["s1"]
    row = re.search(r"<tr><td>F00000101</td>(.*?)</tr>", html).group(1)
    cells = re.findall(r"<td>(.*?)</td>", row)
    assert cells == [
        "Ada Lovelace", "07911 123456", "2026-11-02", "PRP", "Completed", "SN-100", "",
        "KIT-7", "PRP kit lot",
    ]  # fmt: skip
    assert f"<td>{s1.pk}</td>" not in row
