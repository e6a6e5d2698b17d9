"""Server-rendered SVG bar charts: no JavaScript, no inline style (the CSP forbids both).

Every label goes through format_html, so a room or code named "<script>" stays text. Each chart
sits beside a table with the same figures, which is what screen readers and printouts use.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.template.defaultfilters import date as date_filter
from django.utils.formats import localize
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
HEIGHT = 280
MAX_LABELS = 16
TOP = 34
BOTTOM = 64
LEFT = 48
RIGHT = 12
BAR = 14
TICKS = 4


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]
    colour: str


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def _f(value: float) -> str:
    return f"{value:.1f}"


def _number(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


def bar_chart(*, title: str, labels: Sequence[str], series: Sequence[Series]) -> SafeString:
    """Grouped vertical bars, one group per label, one bar per series, a legend on top."""
    groups = max(1, len(labels))
    width = WIDTH
    # A fixed canvas: many groups get thinner bars (and every n-th label) instead of a chart
    # so wide that it shrinks to nothing on the page.
    group_width = (WIDTH - LEFT - RIGHT) / groups
    bar = min(BAR, group_width * 0.8 / max(1, len(series)))
    label_every = -(-groups // MAX_LABELS)
    plot_height = HEIGHT - TOP - BOTTOM
    top_value = _nice_max(max((v for s in series for v in s.values), default=0))

    def y(value: float) -> float:
        return TOP + plot_height - plot_height * value / top_value

    # Plain formatting with every text escaped: a chart is a few hundred elements, and
    # format_html per element cost more than the report's queries.
    title = escape(title)
    names = [escape(s.name) for s in series]
    colours = [escape(s.colour) for s in series]
    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" viewBox="0 0 {width} '
        f'{HEIGHT}" role="img" aria-label="{title}"><title>{title}</title>'
    ]
    for tick in range(TICKS + 1):
        value = top_value * tick / TICKS
        at = _f(y(value))
        parts.append(
            f'<line x1="{LEFT}" x2="{width - RIGHT}" y1="{at}" y2="{at}" stroke="#dee2e6"/>'
            f'<text x="{LEFT - 4}" y="{_f(y(value) + 3)}" font-size="10" text-anchor="end" '
            f'fill="#6c757d">{escape(_number(value))}</text>'
        )
    x = LEFT
    for s, name, colour in zip(series, names, colours, strict=True):
        parts.append(
            f'<rect x="{x}" y="8" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 14}" y="17" font-size="11" fill="#212529">{name}</text>'
        )
        x += 14 + 7 * len(s.name) + 16
    base = TOP + plot_height
    for index, label in enumerate(labels):
        text = escape(label)
        left = LEFT + (group_width - bar * len(series)) / 2 + index * group_width
        for offset, s in enumerate(series):
            value = s.values[index]
            top = y(value)
            parts.append(
                f'<rect x="{_f(left + offset * bar)}" y="{_f(top)}" '
                f'width="{_f(max(bar - 1, 0.5))}" height="{_f(base - top)}" '
                f'fill="{colours[offset]}"><title>{text}: {names[offset]} '
                f"{escape(_number(value))}</title></rect>"
            )
        if index % label_every:
            continue
        centre = _f(left + bar * len(series) / 2)
        under = _f(base + 12)
        parts.append(
            f'<text x="{centre}" y="{under}" font-size="10" text-anchor="end" fill="#212529" '
            f'transform="rotate(-40 {centre} {under})">{text}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


_COUNT_HEAD = "".join(
    f'<th scope="col" class="text-end">{name}</th>'
    for name in ("Booked", "Completed", "Cancelled", "No-show", "No-show rate")
)


def count_table(rows: Sequence[dict], *, heading: str, date_format: str = "") -> SafeString:
    """The table of counts beside a chart (booked, completed, cancelled, no-show and the
    no-show rate per row), built here for the same reason as the chart: a year by day is
    hundreds of rows, each a dozen template lookups. `date_format` formats date labels."""
    parts = [
        '<table class="table table-sm align-middle">\n'
        f'  <thead><tr><th scope="col">{escape(heading)}</th>{_COUNT_HEAD}</tr></thead>\n'
        "  <tbody>\n"
    ]
    for row in rows:
        label = date_filter(row["label"], date_format) if date_format else row["label"]
        rate = row["no_show_rate"]
        # As {% widthratio rate 1 100 %} rounds it.
        percent = "\N{EN DASH}" if rate is None else f"{round(float(rate) * 100)} %"
        cells = "".join(
            f'<td class="text-end">{escape(localize(row[key]))}</td>'
            for key in ("booked", "completed", "cancelled", "no_show")
        )
        parts.append(
            f'  <tr><th scope="row" class="fw-normal">{escape(label)}</th>{cells}'
            f'<td class="text-end">{percent}</td></tr>\n'
        )
    if not rows:
        parts.append('  <tr><td colspan="6" class="text-body-secondary">No sessions.</td></tr>\n')
    parts.append("  </tbody>\n</table>")
    return mark_safe("".join(parts))
