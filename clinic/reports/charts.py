"""Server-rendered SVG bar charts: no JavaScript, no inline style (the CSP forbids both).

Every label goes through format_html, so a room or code named "<script>" stays text. Each chart
sits beside a table with the same figures, which is what screen readers and printouts use.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
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

    parts: list[SafeString] = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" viewBox="0 0 {} {}" '
            'role="img" aria-label="{}"><title>{}</title>',
            width,
            HEIGHT,
            title,
            title,
        )
    ]
    for tick in range(TICKS + 1):
        value = top_value * tick / TICKS
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#dee2e6"/>'
                '<text x="{}" y="{}" font-size="10" text-anchor="end" fill="#6c757d">{}</text>',
                LEFT,
                width - RIGHT,
                _f(y(value)),
                _f(y(value)),
                LEFT - 4,
                _f(y(value) + 3),
                _number(value),
            )
        )
    x = LEFT
    for s in series:
        parts.append(
            format_html(
                '<rect x="{}" y="8" width="10" height="10" fill="{}"/>'
                '<text x="{}" y="17" font-size="11" fill="#212529">{}</text>',
                x,
                s.colour,
                x + 14,
                s.name,
            )
        )
        x += 14 + 7 * len(s.name) + 16
    for index, label in enumerate(labels):
        left = LEFT + (group_width - bar * len(series)) / 2 + index * group_width
        for offset, s in enumerate(series):
            value = s.values[index]
            top = y(value)
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}">'
                    "<title>{}: {} {}</title></rect>",
                    _f(left + offset * bar),
                    _f(top),
                    _f(max(bar - 1, 0.5)),
                    _f(TOP + plot_height - top),
                    s.colour,
                    label,
                    s.name,
                    _number(value),
                )
            )
        if index % label_every:
            continue
        centre = left + bar * len(series) / 2
        base = TOP + plot_height + 12
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="10" text-anchor="end" fill="#212529" '
                'transform="rotate(-40 {} {})">{}</text>',
                _f(centre),
                _f(base),
                _f(centre),
                _f(base),
                label,
            )
        )
    parts.append(mark_safe("</svg>"))
    return format_html_join("", "{}", ((part,) for part in parts))
