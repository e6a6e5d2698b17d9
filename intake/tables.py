import functools
from datetime import datetime

import django_tables2 as tables
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.html import escape
from django.utils.safestring import SafeString
from phonenumber_field.phonenumber import to_python

from core.links import by_pk
from intake.models import Patient

# Secondary columns are left out below Bootstrap's md breakpoint, so a phone's list fits
# without sideways scrolling (issue 14); the rows' cells get the same class.
WIDE = "d-none d-md-table-cell"
WIDE_ONLY = {"th": {"class": WIDE}}


class PatientTable(tables.Table):
    """Columns, sorting and pagination; the rows themselves are `rows_html`."""

    mrn = tables.Column(verbose_name="MRN")
    last_name = tables.Column(verbose_name="Name", order_by=("last_name", "first_name"))
    date_of_birth = tables.Column(verbose_name="Date of birth", attrs=WIDE_ONLY)
    sex = tables.Column(attrs=WIDE_ONLY)
    phone = tables.Column(orderable=False, attrs=WIDE_ONLY)
    last_intake_at = tables.Column(verbose_name="Last intake", attrs=WIDE_ONLY)
    archived_at = tables.Column(verbose_name="Status", orderable=False)

    class Meta:
        model = Patient
        fields = ("mrn", "last_name", "date_of_birth", "sex", "phone", "last_intake_at")
        sequence = ("mrn", "last_name", "date_of_birth", "sex", "phone", "last_intake_at", "...")
        template_name = "intake/patient_table.html"
        attrs = {"class": "table table-hover align-middle"}
        empty_text = "No patients match."

    def rows_html(self) -> SafeString:
        """The <tr>s of the page, built here rather than by a template loop: the template
        engine's lookups, filters and a reverse() per link cost more per row than the rest of
        the page's rendering (issue 15). Same markup; every stored value is escaped."""
        # One reverse() for the page instead of one per link (get_absolute_url's URL, by pk).
        detail = by_pk("intake:patient-detail")
        months = ["", *(str(MONTHS_3[m]).title() for m in range(1, 13))]  # as |date's "M"
        zone = timezone.get_current_timezone()
        return SafeString(
            "".join(
                _row(row.record, detail(row.record.pk), months, zone) for row in self.paginated_rows
            )
        )


def _day(value, months: list[str], zone) -> str:
    """What `|date:"j M Y"` shows, a time in the current time zone's calendar, without
    dateformat's per-call set-up (a tenth of a row's cost)."""
    if value is None:
        return ""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = value.astimezone(zone)
    return f"{value.day} {months[value.month]} {value.year}"


@functools.lru_cache(maxsize=4096)
def _national(stored: str) -> str:
    """A stored number as the list shows it; parsing and formatting cost more than the rest of
    a row, and the same numbers come back page after page."""
    number = to_python(stored)
    return (number.as_national if number else "") or "—"


def _row(p: Patient, url: str, months: list[str], zone) -> str:
    phone = _national(p.phone_text or "")
    return (
        "<tr>\n"
        f'  <td><a href="{url}">{escape(p.mrn)}</a></td>\n'
        f'  <td><a href="{url}">{escape(p.last_name)}, {escape(p.first_name)}</a></td>\n'
        f'  <td class="{WIDE}">{_day(p.date_of_birth, months, zone)}</td>\n'
        f'  <td class="{WIDE}">{escape(p.get_sex_display())}</td>\n'
        f'  <td class="{WIDE}">{escape(phone)}</td>\n'
        f'  <td class="{WIDE}">{_day(p.last_intake_at, months, zone) or "none yet"}</td>\n'
        f"  <td>{'Archived' if p.archived_at else 'Active'}</td>\n"
        "</tr>\n"
    )
