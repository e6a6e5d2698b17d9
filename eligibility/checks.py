"""System checks for the clinical settings the screening lifecycle reads (run by every
`manage.py` command, so a bad value stops the app before it screens anyone)."""

from django.conf import settings
from django.core.checks import Error, register

from eligibility import lifecycle, rules


def _is_days(value) -> bool:
    """A whole number of days the lifecycle accepts."""
    return isinstance(value, int) and 1 <= value <= lifecycle.MAX_VALID_DAYS


@register()
def screening_settings(app_configs, **kwargs) -> list[Error]:
    errors = []
    valid = getattr(settings, "SCREENING_VALID_DAYS", None)
    if not _is_days(valid):
        errors.append(
            Error(
                f"SCREENING_VALID_DAYS must be a whole number of days from 1 to "
                f"{lifecycle.MAX_VALID_DAYS}; it is {valid!r}.",
                hint="Set CLINIC_SCREENING_VALID_DAYS to 30 or fewer (CLINICAL.md).",
                id="eligibility.E001",
            )
        )
    rescreen = getattr(settings, "SCREENING_RESCREEN_DAYS", {})
    if not isinstance(rescreen, dict):
        rescreen = {}
        errors.append(Error("SCREENING_RESCREEN_DAYS must be a mapping.", id="eligibility.E002"))
    for code, days in rescreen.items():
        condition = rules.CATALOGUE_BY_CODE.get(code)
        if condition is None or not condition.temporary:
            errors.append(
                Error(
                    f"SCREENING_RESCREEN_DAYS names {code!r}, which is not a temporary "
                    "condition of the catalogue.",
                    hint="Temporary codes: "
                    + ", ".join(c.code for c in rules.CATALOGUE if c.temporary),
                    id="eligibility.E003",
                )
            )
        elif not _is_days(days):
            errors.append(
                Error(
                    f"SCREENING_RESCREEN_DAYS[{code!r}] must be 1 to "
                    f"{lifecycle.MAX_VALID_DAYS} days; it is {days!r}.",
                    id="eligibility.E004",
                )
            )
    return errors
