"""What the patient layer announces to the layers above it.

Screening sits above patients and intakes (docs/ARCHITECTURE.md), so the intake services cannot
call it; they announce the change here instead, inside their own transaction, and eligibility
(eligibility.apps) screens before that transaction commits: a failed screening undoes the save.
"""

from django.core.exceptions import ImproperlyConfigured
from django.dispatch import Signal

# An intake was stored: kwargs by, intake.
intake_submitted = Signal()
# A fact the screen reads (birth date, sex) was corrected: kwargs by, patient.
patient_facts_changed = Signal()


def announce(signal: Signal, **kwargs) -> None:
    """Send, and refuse when nobody listens: an intake that nothing screens must not pass."""
    if not signal.has_listeners():
        raise ImproperlyConfigured("No screening listens to the intake signals.")
    signal.send(sender=None, **kwargs)
