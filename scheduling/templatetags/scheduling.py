from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.timezone import get_current_timezone

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
# tags cost more than the rest of the page (database included). Same markup, built once;
# format_html escapes every value.


def _card(s, by: str, zone, url: str) -> SafeString:
    where = (s.provider.get_full_name() or s.provider.username) if by == "room" else s.room.name
    status = "Stopped at check-in" if s.is_blocked else s.get_status_display()
    return format_html(
        '<a class="d-block text-decoration-none schedule-card border-start border-4 '
        'border-{} ps-2" href="{}">\n'
        '<span class="fw-semibold">{}\N{EN DASH}{}</span> {}<br>\n'
        "<span>{}, {}</span><br>\n"
        '<span class="small text-body-secondary">{} · {}</span>\n'
        '<span class="badge text-bg-{}">{}</span>\n'
        "</a>",
        s.status_colour,
        url,
        f"{s.start.astimezone(zone):%H:%M}",
        f"{s.end.astimezone(zone):%H:%M}",
        s.session_type.name,
        s.patient.last_name,
        s.patient.first_name,
        where,
        s.device.name,
        s.status_colour,
        status,
    )


def _cell(cell, by: str, zone, pattern: str) -> SafeString:
    cards = format_html_join(
        "\n",
        "{}",
        ((_card(s, by, zone, pattern.replace(str(_PK_MARK), str(s.pk))),) for s in cell.sessions),
    )
    if cell.rows > 1:
        return format_html('<td rowspan="{}"{}>{}</td>\n', int(cell.rows), _css(cell), cards)
    return format_html("<td{}>{}</td>\n", _css(cell), cards)


def _css(cell) -> SafeString:
    return format_html(' class="{}"', "schedule-session") if cell.sessions else SafeString()


@register.simple_tag
def schedule_rows(grid, by: str) -> SafeString:
    """The <tr>s of the day grid: a time header, then one cell per column not covered by a
    longer session above it (which spans it with rowspan)."""
    # What the |date filter shows: the current time zone's wall clock.
    zone = get_current_timezone()
    # One reverse() for the page instead of one per card (get_absolute_url's URL, by pk).
    pattern = reverse("scheduling:session-detail", args=[_PK_MARK])
    return format_html_join(
        "",
        '<tr>\n<th class="schedule-time text-body-secondary fw-normal small" scope="row">{}'
        "</th>\n{}</tr>\n",
        (
            (
                f"{row.start.astimezone(zone):%H:%M}",
                format_html_join(
                    "", "{}", ((_cell(c, by, zone, pattern),) for c in row.cells if not c.covered)
                ),
            )
            for row in grid.rows
        ),
    )


_PK_MARK = 987654321
