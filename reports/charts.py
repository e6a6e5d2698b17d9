"""Server-rendered SVG bar charts: no JavaScript, no inline style (the CSP forbids both).

Every element goes through format_html or format_html_join, which escape each value put into
it, so a room or code named "<script>" stays text. Each chart sits beside a table with the same
figures, which is what screen readers and printouts use.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.template.defaultfilters import date as date_filter
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

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


@dataclass(frozen=True)
class _Frame:
    """Where values and groups sit on the fixed canvas: many groups get thinner bars (and every
    n-th label) instead of a chart so wide that it shrinks to nothing on the page."""

    groups: int
    bars_per_group: int
    top_value: float

    @property
    def group_width(self) -> float:
        return (WIDTH - LEFT - RIGHT) / self.groups

    @property
    def bar(self) -> float:
        return min(BAR, self.group_width * 0.8 / max(1, self.bars_per_group))

    @property
    def label_every(self) -> int:
        return -(-self.groups // MAX_LABELS)

    @property
    def plot_height(self) -> float:
        return HEIGHT - TOP - BOTTOM

    @property
    def base(self) -> float:
        return TOP + self.plot_height

    def y(self, value: float) -> float:
        return TOP + self.plot_height - self.plot_height * value / self.top_value

    def left(self, index: int) -> float:
        """The left edge of group `index`'s first bar."""
        return (
            LEFT
            + (self.group_width - self.bar * self.bars_per_group) / 2
            + index * self.group_width
        )


def _grid(frame: _Frame) -> SafeString:
    """Horizontal lines at even steps of the value axis, each with its value."""
    ticks = [frame.top_value * tick / TICKS for tick in range(TICKS + 1)]
    return format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#dee2e6"/>'
        '<text x="{}" y="{}" font-size="10" text-anchor="end" fill="#6c757d">{}</text>',
        (
            (
                LEFT,
                WIDTH - RIGHT,
                _f(frame.y(v)),
                _f(frame.y(v)),
                LEFT - 4,
                _f(frame.y(v) + 3),
                _number(v),
            )
            for v in ticks
        ),
    )


def _legend(series: Sequence[Series]) -> SafeString:
    """A colour key and name per series, in a row across the top."""
    keys = []
    x = LEFT
    for s in series:
        keys.append((x, s.colour, x + 14, s.name))
        x += 14 + 7 * len(s.name) + 16
    return format_html_join(
        "",
        '<rect x="{}" y="8" width="10" height="10" fill="{}"/>'
        '<text x="{}" y="17" font-size="11" fill="#212529">{}</text>',
        keys,
    )


def _bars(frame: _Frame, index: int, label: str, series: Sequence[Series]) -> SafeString:
    """One group's bars, each with a title a pointer or screen reader can read."""
    left = frame.left(index)
    return format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {} {}</title></rect>',
        (
            (
                _f(left + offset * frame.bar),
                _f(frame.y(s.values[index])),
                _f(max(frame.bar - 1, 0.5)),
                _f(frame.base - frame.y(s.values[index])),
                s.colour,
                label,
                s.name,
                _number(s.values[index]),
            )
            for offset, s in enumerate(series)
        ),
    )


def _group_label(frame: _Frame, index: int, label: str) -> SafeString:
    """A group's label under its bars, slanted so that long ones fit."""
    centre = _f(frame.left(index) + frame.bar * frame.bars_per_group / 2)
    under = _f(frame.base + 12)
    return format_html(
        '<text x="{}" y="{}" font-size="10" text-anchor="end" fill="#212529" '
        'transform="rotate(-40 {} {})">{}</text>',
        centre,
        under,
        centre,
        under,
        label,
    )


def _groups(frame: _Frame, labels: Sequence[str], series: Sequence[Series]) -> list[SafeString]:
    parts = []
    for index, label in enumerate(labels):
        parts.append(_bars(frame, index, label, series))
        if not index % frame.label_every:
            parts.append(_group_label(frame, index, label))
    return parts


def bar_chart(*, title: str, labels: Sequence[str], series: Sequence[Series]) -> SafeString:
    """Grouped vertical bars, one group per label, one bar per series, a legend on top."""
    frame = _Frame(
        groups=max(1, len(labels)),
        bars_per_group=len(series),
        top_value=_nice_max(max((v for s in series for v in s.values), default=0)),
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" viewBox="0 0 {} {}" '
        'role="img" aria-label="{}"><title>{}</title>{}{}{}</svg>',
        WIDTH,
        HEIGHT,
        title,
        title,
        _grid(frame),
        _legend(series),
        format_html_join("", "{}", ((part,) for part in _groups(frame, labels, series))),
    )


_COUNT_HEAD = format_html_join(
    "",
    '<th scope="col" class="text-end">{}</th>',
    ((name,) for name in ("Booked", "Completed", "Cancelled", "No-show", "No-show rate")),
)
_COUNT_KEYS = ("booked", "completed", "cancelled", "no_show")


def _count_row(row: dict, date_format: str) -> SafeString:
    label = date_filter(row["label"], date_format) if date_format else row["label"]
    rate = row["no_show_rate"]
    # As {% widthratio rate 1 100 %} rounds it.
    percent = "\N{EN DASH}" if rate is None else f"{round(float(rate) * 100)} %"
    cells = format_html_join(
        "", '<td class="text-end">{}</td>', ((localize(row[key]),) for key in _COUNT_KEYS)
    )
    return format_html(
        '  <tr><th scope="row" class="fw-normal">{}</th>{}<td class="text-end">{}</td></tr>\n',
        label,
        cells,
        percent,
    )


def count_table(rows: Sequence[dict], *, heading: str, date_format: str = "") -> SafeString:
    """The table of counts beside a chart (booked, completed, cancelled, no-show and the
    no-show rate per row), built here for the same reason as the chart: a year by day is
    hundreds of rows, each a dozen template lookups. `date_format` formats date labels."""
    if rows:
        body = format_html_join("", "{}", ((_count_row(row, date_format),) for row in rows))
    else:
        body = format_html(
            '  <tr><td colspan="6" class="text-body-secondary">{}</td></tr>\n', "No sessions."
        )
    # On a phone the six columns are wider than the screen: the table scrolls in its own
    # keyboard-focusable region rather than the page sideways.
    return format_html(
        '<div class="table-responsive" tabindex="0" role="region" aria-label="{} counts">\n'
        '<table class="table table-sm align-middle">\n'
        '  <thead><tr><th scope="col">{}</th>{}</tr></thead>\n'
        "  <tbody>\n{}  </tbody>\n</table>\n</div>",
        heading,
        heading,
        _COUNT_HEAD,
        body,
    )


def utilisation_table(items: Sequence, *, heading: str, empty: str) -> SafeString:
    """Booked over open minutes per item (`reports.queries.Utilisation`), one row each under a
    `heading` column: built here with the cached figures, as `count_table` is."""
    if items:
        body = format_html_join(
            "",
            '<tr><th scope="row" class="fw-normal">{}</th><td class="text-end">{}</td>'
            '<td class="text-end">{}</td><td class="text-end">{}</td></tr>',
            (
                (
                    item.name,
                    localize(item.booked_minutes),
                    localize(item.open_minutes),
                    item.percent,
                )
                for item in items
            ),
        )
    else:
        body = format_html('<tr><td colspan="4" class="text-body-secondary">{}</td></tr>', empty)
    return format_html(
        '<table class="table table-sm">\n'
        '  <thead><tr><th scope="col">{}</th><th scope="col" class="text-end">Booked min</th>'
        '<th scope="col" class="text-end">Open min</th>'
        '<th scope="col" class="text-end">Utilisation</th></tr></thead>\n'
        "  <tbody>{}</tbody>\n"
        "</table>",
        heading,
        body,
    )
