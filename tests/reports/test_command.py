"""`manage.py export`: the same rows as the download, and an Export under the named user."""

import csv
import io

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from reports.models import Export
from tests.reports.conftest import WEEK

pytestmark = pytest.mark.django_db


def _args(report="sessions", **extra):
    args = [report, "--from", WEEK["date_from"], "--to", WEEK["date_to"]]
    for key, value in extra.items():
        args += [f"--{key.replace('_', '-')}", value]
    return args


def test_csv_to_a_file_matches_the_download(admin_client_, admin_user, week, tmp_path):
    out = tmp_path / "sessions.csv"
    call_command("export", *_args(format="csv", output=str(out), by=admin_user.username))
    with out.open(encoding="utf-8-sig", newline="") as file:
        from_command = list(csv.reader(file))
    response = admin_client_.get("/reports/sessions/export.csv", WEEK)
    download = b"".join(response.streaming_content).decode("utf-8-sig")
    assert from_command == list(csv.reader(io.StringIO(download)))
    assert len(from_command) == 7
    export = Export.objects.filter(format="csv").earliest("exported_at")
    assert export.exported_by == admin_user
    assert export.filters == {**WEEK, "by": "day"}
    assert LogEntry.objects.get_for_object(export).get().actor == admin_user


def test_csv_to_stdout_and_xlsx(admin_user, week, tmp_path):
    stdout = io.StringIO()
    call_command("export", *_args(by=admin_user.username, procedure="prp"), stdout=stdout)
    rows = list(csv.reader(io.StringIO(stdout.getvalue().lstrip("\ufeff"))))
    assert [r[4] for r in rows[1:]] == ["PRP", "PRP with microneedling"]
    out = tmp_path / "recall.xlsx"
    call_command(
        "export", "recall", "--lot", "KIT-7", "--format", "xlsx", "--output", str(out),
        "--by", admin_user.username,
    )  # fmt: skip
    sheet = load_workbook(out, read_only=True).active
    assert len(list(sheet.iter_rows())) == 3
    assert Export.objects.count() == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sessions", "--by", "nobody"], "No active staff member"),
        (["sessions", "--by", "doc"], "may not export"),
        (["sessions", "--by", "boss", "--from", "2026-13-01"], "Invalid filters"),
        (["sessions", "--by", "boss", "--format", "xlsx"], "needs --output"),
        (["recall", "--by", "boss"], "needs --lot"),
    ],
)
def test_refusals(admin_user, physician_user, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("export", *args)
    assert not Export.objects.exists()


def test_by_is_required():
    with pytest.raises(CommandError):
        call_command("export", "sessions")
