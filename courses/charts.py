"""Server-rendered SVG charts of a course: a grade over time (a step chart: a grade holds until
the next one) and the patient's global assessment over time (a line). No JavaScript, no inline
style (the CSP forbids both): SVG presentation attributes only, every value escaped by
format_html. Each chart sits beside a table of the same points for screen readers and print.

Reports draws its own bar charts, but reports sits above courses, so these are drawn here.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 640
HEIGHT = 240
TOP = 16
BOTTOM = 40
LEFT = 96
RIGHT = 16
COLOUR = "#0d6efd"
GRID = "#dee2e6"
MUTED = "#6c757d"
INK = "#212529"


@dataclass(frozen=True)
class Point:
    day: date
    level: int  # the index into the chart's levels


def _f(value: float) -> str:
    return f"{value:.1f}"


@dataclass(frozen=True)
class _Frame:
    first: date
    last: date
    levels: int

    def x(self, day: date) -> float:
        span = (self.last - self.first).days
        width = WIDTH - LEFT - RIGHT
        if span == 0:
            return LEFT + width / 2
        return LEFT + width * (day - self.first).days / span

    def y(self, level: int) -> float:
        height = HEIGHT - TOP - BOTTOM
        if self.levels == 1:
            return TOP + height / 2
        return TOP + height - height * level / (self.levels - 1)


def _grid(frame: _Frame, labels: Sequence[str]) -> SafeString:
    return format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}"/>'
        '<text x="{}" y="{}" font-size="11" text-anchor="end" fill="{}">{}</text>',
        (
            (
                LEFT,
                WIDTH - RIGHT,
                _f(frame.y(i)),
                _f(frame.y(i)),
                GRID,
                LEFT - 6,
                _f(frame.y(i) + 4),
                MUTED,
                label,
            )
            for i, label in enumerate(labels)
        ),
    )


def _days(frame: _Frame) -> SafeString:
    """The first and the last day under the axis (and the one day, when there is one)."""
    ends = {frame.first, frame.last}
    anchor = {frame.first: "start", frame.last: "end"} if len(ends) > 1 else {frame.first: "middle"}
    return format_html_join(
        "",
        '<text x="{}" y="{}" font-size="11" text-anchor="{}" fill="{}">{}</text>',
        (
            (_f(frame.x(d)), HEIGHT - BOTTOM + 18, anchor[d], INK, f"{d:%-d %b %Y}")
            for d in sorted(ends)
        ),
    )


def _path(frame: _Frame, points: Sequence[Point], *, step: bool) -> str:
    parts = []
    for i, p in enumerate(points):
        x, y = _f(frame.x(p.day)), _f(frame.y(p.level))
        if i == 0:
            parts.append(f"M{x} {y}")
        elif step:
            parts.append(f"H{x} V{y}")
        else:
            parts.append(f"L{x} {y}")
    return " ".join(parts)


def course_chart(
    *, title: str, levels: Sequence[str], points: Sequence[Point], step: bool = False
) -> SafeString:
    """`points` (by day) on a vertical axis of named `levels`, lowest first; an empty chart
    says so in its frame."""
    points = sorted(points, key=lambda p: p.day)
    if not points:
        return format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" viewBox="0 0 {} {}" '
            'role="img" aria-label="{}"><title>{}</title>'
            '<text x="{}" y="{}" font-size="13" text-anchor="middle" fill="{}">'
            "Nothing recorded yet</text></svg>",
            WIDTH,
            HEIGHT // 3,
            title,
            title,
            WIDTH // 2,
            HEIGHT // 6,
            MUTED,
        )
    frame = _Frame(first=points[0].day, last=points[-1].day, levels=len(levels))
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="4" fill="{}"><title>{}: {}</title></circle>',
        (
            (
                _f(frame.x(p.day)),
                _f(frame.y(p.level)),
                COLOUR,
                f"{p.day:%-d %b %Y}",
                levels[p.level],
            )
            for p in points
        ),
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" viewBox="0 0 {} {}" '
        'role="img" aria-label="{}"><title>{}</title>{}{}'
        '<path d="{}" fill="none" stroke="{}" stroke-width="2"/>{}</svg>',
        WIDTH,
        HEIGHT,
        title,
        title,
        _grid(frame, levels),
        _days(frame),
        _path(frame, points, step=step),
        COLOUR,
        dots,
    )
