"""Report downloads: stable columns, rows straight from the database, CSV streamed, XLSX via
openpyxl's write-only mode, every text cell defused against spreadsheet formula injection.

Rows come from `values_list(...).iterator(chunk_size=2000)`: one query whatever the row count,
and never a list of all rows in memory. The column names are documented in the README
("Reports and exports"); they do not change once released.
"""

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import islice

from django.conf import settings
from django.db import connections
from django.db.models import CharField, F, QuerySet
from django.db.models.functions import Cast
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from phonenumber_field.phonenumber import PhoneNumber
from phonenumbers import country_code_for_region

from core.audit import actor, log_access_many
from intake.models import Patient
from reports import queries
from reports.forms import ReportFilters
from reports.models import Export

CHUNK = 2000
CSV_BATCH = 500
# A spreadsheet reads a cell starting with one of these as a formula (or, for tab and carriage
# return, as the start of one after its own trimming).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


_FORMULA_FIRST = frozenset(FORMULA_STARTS)


def defuse(value):
    """A cell value safe for a spreadsheet: text that could start a formula gets a leading '."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in _FORMULA_FIRST:
        return f"'{value}"
    return value


# Exports format hundreds of thousands of times: isoformat and f-strings, not strftime, and the
# clinic's zone (the default one) looked up once, not per cell.
_DATE, _TIME, _DATETIME = "date", "time", "datetime"


def _local(value: datetime | None, part: str = _DATETIME) -> str:
    if not value:
        return ""
    local = value.astimezone(timezone.get_default_timezone())
    if part == _DATE:
        return local.date().isoformat()
    if part == _TIME:
        return f"{local.hour:02d}:{local.minute:02d}"
    return f"{local.date().isoformat()} {local.hour:02d}:{local.minute:02d}"


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class ReportExport:
    name: str
    title: str
    columns: tuple[str, ...]
    # rows(filters, by=user): `by` is the staff member the rows are written for; a report that
    # lists patients by name logs their reads for that user.
    rows: Callable[..., Iterator[tuple]]
    # count(filters): how many rows, in one query (whether it runs in the background, and
    # its progress bar's end).
    count: Callable[[ReportFilters], int]


def _ordered_rows(qs: QuerySet, first: str, fields: tuple[str, ...]) -> Iterator[tuple]:
    """`fields` of every row, ordered by `first` then id: one query, a chunk in memory."""
    return qs.order_by(first, "id").values_list(*fields).iterator(chunk_size=CHUNK)


class _Clock:
    """Stored moments as the clinic's date and time, each distinct moment worked out once.

    On SQLite the moments come as the stored text (`_stored`): Django's own conversion of a
    datetime column (parse, make aware) cost more than everything else in an export. Sessions
    share their start and end times, so 100,000 rows hold a few thousand moments; what is
    remembered is bounded, so the memory stays flat whatever the rows. A text is read as
    Django reads it (a naive one is in the connection's zone).
    """

    KEEP = 2_000

    def __init__(self, db: str):
        self.stored_zone = connections[db].timezone
        self.zone = timezone.get_default_timezone()
        self.known: dict[str | datetime | None, tuple[str, str, str]] = {None: ("", "", "")}

    def __call__(self, stored: str | datetime | None) -> tuple[str, str, str]:
        """(date, HH:MM, date HH:MM) in the clinic's zone; three empty texts for no moment."""
        known = self.known.get(stored)
        if known is not None:
            return known
        moment = stored if isinstance(stored, datetime) else datetime.fromisoformat(stored)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.stored_zone)
        local = moment.astimezone(self.zone)
        day, hour = local.date().isoformat(), f"{local.hour:02d}:{local.minute:02d}"
        if len(self.known) > self.KEEP:
            self.known = {None: ("", "", "")}
        known = self.known[stored] = (day, hour, f"{day} {hour}")
        return known


def _stored(name: str, db: str) -> Cast | F:
    """A datetime column for `_Clock`: on SQLite the text it holds, unconverted; elsewhere the
    driver's own datetime (PostgreSQL's, converted in C, needs nothing more)."""
    return Cast(name, output_field=CharField()) if connections[db].vendor == "sqlite" else F(name)


SESSION_FIELDS = (
    "id",
    "start_stored",
    "end_stored",
    "session_type__name",
    "session_type__procedure_codes",
    "provider__username",
    "room__name",
    "device__serial",
    "status",
    "patient__mrn",
    "cartridge_lot",
    "prp_kit_lot",
    "completed_stored",
)


def session_rows(filters: ReportFilters, *, by=None) -> Iterator[tuple]:
    qs = queries.sessions(filters)
    qs = qs.annotate(
        start_stored=_stored("start", qs.db),
        end_stored=_stored("end", qs.db),
        completed_stored=_stored("completed_at", qs.db),
    )
    clock = _Clock(qs.db)
    for row in _ordered_rows(qs, "start", SESSION_FIELDS):
        pk, start, end, type_name, codes, provider, room, serial, status, mrn, *rest = row
        cartridge, kit, completed_at = rest
        day, begins, _ = clock(start)
        yield (
            pk,
            day,
            begins,
            clock(end)[1],
            type_name,
            codes,
            provider,
            room,
            serial,
            status,
            mrn,
            cartridge,
            kit,
            clock(completed_at)[2],
        )


def _codes(reasons, severity: str) -> str:
    return ";".join(r.get("code", "") for r in reasons or [] if r.get("severity") == severity)


SCREENING_FIELDS = (
    "id",
    "screened_at",
    "patient__mrn",
    "procedure",
    "kind",
    "outcome",
    "reasons",
    "ruleset_version",
    "valid_until",
    "screened_by__username",
)


def screening_rows(filters: ReportFilters, *, by=None) -> Iterator[tuple]:
    for row in _ordered_rows(queries.screenings(filters), "screened_at", SCREENING_FIELDS):
        pk, screened_at, mrn, procedure, kind, outcome, reasons, version, valid, screener = row
        yield (
            pk,
            _local(screened_at),
            mrn,
            procedure,
            kind,
            outcome,
            _codes(reasons, "exclude"),
            _codes(reasons, "review"),
            _codes(reasons, "caution"),
            version,
            _text(valid),
            screener,
        )


REVIEW_FIELDS = (
    "id",
    "procedure",
    "patient__mrn",
    "screening_id",
    "screening__screened_at",
    "decided_at",
    "decision",
    "decided_by__username",
    "cleared_until",
)


def review_rows(filters: ReportFilters, *, by=None) -> Iterator[tuple]:
    for row in _ordered_rows(queries.reviews(filters), "decided_at", REVIEW_FIELDS):
        pk, procedure, mrn, screening_id, screened_at, decided_at, *rest = row
        decision, decider, cleared_until = rest
        hours = Decimal((decided_at - screened_at).total_seconds() / 3600).quantize(Decimal("0.01"))
        yield (
            pk,
            procedure,
            mrn,
            screening_id,
            _local(screened_at),
            _local(decided_at),
            hours,
            decision,
            decider,
            _text(cleared_until),
        )


def _phone(value) -> str:
    """National format for the clinic's own region (what staff dial), international otherwise
    (which starts with "+" and so is defused like any other such cell)."""
    if isinstance(value, PhoneNumber):
        # Not `not value`: a PhoneNumber's truth is its text, which validates it once more.
        number = value
    elif not value:
        return ""
    else:
        number = PhoneNumber.from_string(str(value))
    if number.country_code == country_code_for_region(settings.PHONENUMBER_DEFAULT_REGION):
        return number.as_national
    return number.as_international


def _matched(lot: str, serial: str, cartridge: str, kit: str) -> str:
    wanted = lot.casefold()
    found = [
        name
        for name, value in (("device", serial), ("cartridge", cartridge), ("prp_kit", kit))
        if (value or "").casefold() == wanted
    ]
    return ";".join(found)


def recall_queryset(filters: ReportFilters) -> QuerySet:
    """The sessions that used the lot or serial; none at all without one."""
    if not filters.lot:
        return queries.sessions(filters).none()
    return queries.sessions(filters).order_by("patient__mrn", "start", "id")


RECALL_FIELDS = (
    "patient__mrn",
    "patient__first_name",
    "patient__last_name",
    "patient__phone",
    "id",
    "start",
    "session_type__name",
    "status",
    "device__serial",
    "cartridge_lot",
    "prp_kit_lot",
)


def _recall_row(lot: str, row: tuple) -> tuple:
    mrn, first, last, phone, pk, start, type_name, status, serial, cartridge, kit, _ = row
    return (
        mrn,
        f"{first} {last}",
        _phone(phone),
        pk,
        _local(start, _DATE),
        type_name,
        status,
        serial,
        cartridge,
        kit,
        _matched(lot, serial, cartridge, kit),
    )


def _recall_patients(rows: list[tuple]) -> list[Patient]:
    """The patients of some recall rows, built from the rows themselves (no query), to log."""
    patients: dict[int, Patient] = {}
    for mrn, first, last, *_, patient_id in rows:
        patients.setdefault(
            patient_id, Patient(pk=patient_id, mrn=mrn, first_name=first, last_name=last)
        )
    return list(patients.values())


def recall_rows(filters: ReportFilters, *, by=None, limit: int | None = None) -> Iterator[tuple]:
    """The recall list: names and phone numbers. For `by`, the patients of each chunk of rows
    are logged as read (one bulk insert) before the chunk is written, so a download that
    stops half-way has logged what it sent, and one chunk more at most."""
    qs = recall_queryset(filters).values_list(*RECALL_FIELDS, "patient_id")
    if limit is not None:
        qs = qs[:limit]
    found = qs.iterator(chunk_size=CHUNK)
    while chunk := list(islice(found, CHUNK)):
        if by is not None:
            log_access_many(_recall_patients(chunk), by=by)
        for row in chunk:
            yield _recall_row(filters.lot, row)


REPORTS: dict[str, ReportExport] = {
    "sessions": ReportExport(
        "sessions",
        "Sessions",
        (
            "session_id",
            "date",
            "start",
            "end",
            "session_type",
            "procedures",
            "provider",
            "room",
            "device_serial",
            "status",
            "patient_mrn",
            "cartridge_lot",
            "prp_kit_lot",
            "completed_at",
        ),
        session_rows,
        lambda filters: queries.sessions(filters).count(),
    ),
    "screenings": ReportExport(
        "screenings",
        "Screening outcomes",
        (
            "screening_id",
            "screened_at",
            "patient_mrn",
            "procedure",
            "kind",
            "outcome",
            "exclude_codes",
            "review_codes",
            "caution_codes",
            "ruleset_version",
            "valid_until",
            "screened_by",
        ),
        screening_rows,
        lambda filters: queries.screenings(filters).count(),
    ),
    "reviews": ReportExport(
        "reviews",
        "Physician review turnaround",
        (
            "review_id",
            "procedure",
            "patient_mrn",
            "screening_id",
            "screened_at",
            "decided_at",
            "wait_hours",
            "decision",
            "decided_by",
            "cleared_until",
        ),
        review_rows,
        lambda filters: queries.reviews(filters).count(),
    ),
    "recall": ReportExport(
        "recall",
        "Lot recall",
        (
            "patient_mrn",
            "patient_name",
            "phone",
            "session_id",
            "session_date",
            "session_type",
            "status",
            "device_serial",
            "cartridge_lot",
            "prp_kit_lot",
            "matched",
        ),
        recall_rows,
        lambda filters: recall_queryset(filters).count(),
    ),
}


# Writing ------------------------------------------------------------------------------------


def csv_lines(columns: Iterable[str], rows: Iterable[tuple]) -> Iterator[str]:
    """The CSV text in batches of rows: a UTF-8 byte-order mark (spreadsheets want it), the
    header, then the rows, defused.

    Each batch goes through the csv writer at once (`writerows`), and the defusing is
    `defuse`'s test written inline: an export is over a million cells, and a call per cell
    cost a fifth of its time.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(list(columns))
    yield "\ufeff" + buffer.getvalue()
    rows = iter(rows)
    first = _FORMULA_FIRST
    while batch := list(islice(rows, CSV_BATCH)):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(
            [
                [
                    f"'{value}" if isinstance(value, str) and value[:1] in first else value
                    for value in row
                ]
                for row in batch
            ]
        )
        yield buffer.getvalue()


def write_csv(file, columns: Iterable[str], rows: Iterable[tuple]) -> None:
    for chunk in csv_lines(columns, rows):
        file.write(chunk)


def _xlsx_cell(value):
    value = defuse(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    if isinstance(value, Decimal):
        return float(value)
    return value


def write_xlsx(file, title: str, columns: Iterable[str], rows: Iterable[tuple]) -> None:
    """The rows into one sheet; write-only mode keeps only the current row in memory."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(list(columns))
    for row in rows:
        sheet.append([_xlsx_cell(value) for value in row])
    workbook.save(file)


def filename(report: str, fmt: str) -> str:
    return f"follicle-{report}-{timezone.localtime():%Y%m%d-%H%M}.{fmt}"


def csv_response(name: str, columns: Iterable[str], rows: Iterable[tuple]):
    response = StreamingHttpResponse(
        (chunk.encode() for chunk in csv_lines(columns, rows)), content_type=CSV_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{filename(name, "csv")}"'
    return response


def xlsx_response(name: str, title: str, columns: Iterable[str], rows: Iterable[tuple]):
    """The workbook is written to a temporary file on disk, then streamed from it."""
    file = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    write_xlsx(file, title, columns, rows)
    file.seek(0)
    return FileResponse(
        file,
        as_attachment=True,
        filename=filename(name, "xlsx"),
        content_type=XLSX_CONTENT_TYPE,
    )


def record_export(*, by, report: str, fmt: str, filters: dict) -> Export:
    """Every download leaves an Export row, and through it an audit-log entry naming `by`."""
    with actor(by):
        return Export.objects.create(report=report, format=fmt, filters=filters, exported_by=by)
