from html import escape

from django import template
from django.utils.safestring import SafeString
from django.utils.timezone import get_current_timezone

from core.links import by_pk
from eligibility import rules
from scheduling import selectors

register = template.Library()


@register.filter
def procedure_label(code: str) -> str:
    """A procedure's name for people ("PRP", "laser (LLLT)"), never its stored code."""
    return rules.PROCEDURE_LABELS.get(code, code)


@register.inclusion_tag("scheduling/includes/patient_sessions_card.html", takes_context=True)
def patient_sessions_card(context, patient):
    """The sessions and consents of a patient in two queries, however many there are."""
    user = context["request"].user
    consents = selectors.consents_on_file(user=user, patient=patient)
    return {
        "patient": patient,
        "sessions": selectors.patient_sessions(user=user, patient=patient),
        "consents": [
            {"procedure": p, "label": rules.PROCEDURE_LABELS[p], "consent": consents.get(p)}
            for p in rules.PROCEDURES
        ],
        "can_book": user.has_perm("scheduling.add_treatmentsession"),
        "can_consent": user.has_perm("scheduling.add_consent"),
    }


# The day view's grid is rendered here rather than by nested template loops: a busy day is
# 12 columns by 40 rows, and the template engine's per-cell variable lookups, filters and
# tags cost more than the rest of the page (database included). Same markup, built once with
# plain strings (format_html's per-argument checks cost as much again); every value drawn from
# the database is escaped.


def _card(s, by: str, zone, url: str) -> str:
    where = (s.provider.get_full_name() or s.provider.username) if by == "room" else s.room.name
    status = "Stopped at check-in" if s.is_blocked else s.get_status_display()
    colour = s.status_colour
    return (
        '<a class="d-block text-decoration-none schedule-card border-start border-4 '
        f'border-{colour} ps-2" href="{url}">\n'
        f'<span class="fw-semibold">{s.start.astimezone(zone):%H:%M}\N{EN DASH}'
        f"{s.end.astimezone(zone):%H:%M}</span> {escape(s.session_type.name)}<br>\n"
        f"<span>{escape(s.patient.last_name)}, {escape(s.patient.first_name)}</span><br>\n"
        f'<span class="small text-body-secondary">{escape(where)} · {escape(s.device.name)}'
        "</span>\n"
        f'<span class="badge text-bg-{colour}">{escape(status)}</span>\n'
        "</a>"
    )


def _cell(cell, by: str, zone, detail) -> str:
    if not cell.sessions:
        return "<td></td>\n"
    cards = "\n".join(_card(s, by, zone, detail(s.pk)) for s in cell.sessions)
    if cell.rows > 1:
        return f'<td rowspan="{int(cell.rows)}" class="schedule-session">{cards}</td>\n'
    return f'<td class="schedule-session">{cards}</td>\n'


@register.simple_tag
def schedule_rows(grid, by: str) -> SafeString:
    """The <tr>s of the day grid: a time header, then one cell per column not covered by a
    longer session above it (which spans it with rowspan)."""
    # What the |date filter shows: the current time zone's wall clock.
    zone = get_current_timezone()
    # One reverse() for the page instead of one per card (get_absolute_url's URL, by pk).
    detail = by_pk("scheduling:session-detail")
    return SafeString(
        "".join(
            '<tr>\n<th class="schedule-time text-body-secondary fw-normal small" scope="row">'
            f"{row.start.astimezone(zone):%H:%M}</th>\n"
            + "".join(_cell(c, by, zone, detail) for c in row.cells if not c.covered)
            + "</tr>\n"
            for row in grid.rows
        )
    )
