"""The front desk's arrivals table, rendered in Python.

A busy day is a hundred arrivals or more, and the template engine's per-row includes, variable
lookups and filters cost more than the rest of the page, database included. Same markup, built
once per row; every value drawn from the database is escaped.
"""

from html import escape

from django import template
from django.utils.safestring import SafeString
from django.utils.timezone import get_current_timezone

from core.links import by_pk

register = template.Library()


def _eligibility(session) -> str:
    if session.is_blocked:
        return f'<span class="text-danger">Needs attention: {escape(session.blocked_reason)}</span>'
    return '<span class="text-success">Can go ahead</span>'


def _consent(arrival, *, on_file: str, missing: str) -> str:
    if arrival.consent_ok:
        return f'<span class="text-success">{on_file}</span>'
    labels = ", ".join(escape(label) for label in arrival.missing_consents)
    return f'<span class="text-warning-emphasis">{missing}: {labels}</span>'


def _row(arrival, zone, detail, check_in) -> str:
    s = arrival.session
    start = s.start.astimezone(zone)
    hhmm = f"{start:%H:%M}"
    patient = s.patient
    last, first = escape(patient.last_name), escape(patient.first_name)
    session_type = escape(s.session_type.name)
    room = escape(s.room.name)
    status = escape(s.get_status_display())
    eligibility = _eligibility(s)
    button = ""
    if arrival.can_check_in:
        label = "Check in again" if s.is_blocked else "Check in"
        url = check_in(s.pk)
        button = (
            f'<a class="btn btn-sm btn-primary" href="{url}">{label}'
            f'<span class="visually-hidden"> {last}, {hhmm}</span></a>'
        )
    return (
        "<tr>\n"
        f'<td><a href="{detail(s.pk)}">'
        f'<time datetime="{start.isoformat()}">{hhmm}</time></a></td>\n'
        f'<td>{last}, {first} <span class="text-body-secondary small">'
        f"({escape(patient.mrn)})</span>\n"
        f'<div class="d-md-none small">{session_type} · {room} · {status}<br>{eligibility}\n · '
        f"{_consent(arrival, on_file='Consent on file', missing='Consent missing')}</div></td>\n"
        f'<td class="d-none d-md-table-cell">{session_type}</td>\n'
        f'<td class="d-none d-md-table-cell">{room}</td>\n'
        f'<td class="d-none d-md-table-cell"><span class="badge text-bg-{s.status_colour}">'
        f"{status}</span></td>\n"
        f'<td class="d-none d-md-table-cell">{eligibility}</td>\n'
        f'<td class="d-none d-md-table-cell">'
        f"{_consent(arrival, on_file='On file', missing='Missing')}</td>\n"
        f'<td class="text-end">{button}</td>\n'
        "</tr>\n"
    )


@register.simple_tag
def arrival_rows(arrivals) -> SafeString:
    """The <tr>s of today's arrivals: time, patient, session, room, status, whether it can go
    ahead, its consents, and the check-in button (on a phone, the middle columns fold into a
    line under the patient's name)."""
    # What the |date and |time filters show: the current time zone's wall clock.
    zone = get_current_timezone()
    # One reverse() per page instead of one per row.
    detail = by_pk("scheduling:session-detail")
    check_in = by_pk("scheduling:session-check-in")
    return SafeString("".join(_row(a, zone, detail, check_in) for a in arrivals))
