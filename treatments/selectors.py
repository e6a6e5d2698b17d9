"""Reads of what the clinic offers, for the layers above."""

from treatments.models import SessionType


def offered_session_types() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The active session types as (name, procedures), in one query.

    Plain values, so eligibility can judge each one without knowing the model.
    """
    return tuple(
        (session_type.name, session_type.procedures)
        for session_type in SessionType.objects.filter(active=True).only("name", "procedure_codes")
    )
