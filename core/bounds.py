"""How far a day typed into a form or a URL may reach (issue 12, finding 6).

Python's dates end at 9999-12-31: a day near either end, plus a day, a week or a time zone,
overflows and the page answers 500. No clinic record is older than 1900 or later than 2200, so
every day the app accepts from outside lies between EARLIEST and LATEST, and a form can narrow
that further (a booking is at most two years ahead).
"""

from collections.abc import Callable
from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.formats import date_format

EARLIEST = date(1900, 1, 1)
LATEST = date(2200, 12, 31)

Bound = date | Callable[[], date]


class DateInput(forms.DateInput):
    """The browser's own date picker, fed ISO dates whatever the locale."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def in_range(day: date) -> bool:
    return EARLIEST <= day <= LATEST


def _resolve(bound: Bound) -> date:
    return bound() if callable(bound) else bound


class BoundedDateField(forms.DateField):
    """A DateField that refuses days outside [earliest, latest] with a form error.

    A bound may be a callable (`timezone.localdate`-based) so it moves with the calendar; it is
    evaluated when the form is cleaned."""

    def __init__(self, *, earliest: Bound = EARLIEST, latest: Bound = LATEST, **kwargs):
        super().__init__(**kwargs)
        self.earliest, self.latest = earliest, latest

    def validate(self, value):
        super().validate(value)
        if value in self.empty_values:
            return
        low = max(_resolve(self.earliest), EARLIEST)
        high = min(_resolve(self.latest), LATEST)
        if not low <= value <= high:
            raise forms.ValidationError(
                "Choose a day from %(low)s to %(high)s.",
                code="out_of_range",
                params={"low": date_format(low, "j M Y"), "high": date_format(high, "j M Y")},
            )


def days_from_today(days: int) -> Callable[[], date]:
    """A bound `days` after (or, negative, before) today in the clinic's zone."""
    return lambda: timezone.localdate() + timedelta(days=days)
