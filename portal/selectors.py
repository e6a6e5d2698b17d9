"""Staff reads of patients' links and tablet sessions."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from intake import selectors as intake_selectors
from portal.models import PatientAccess
from portal.services import ISSUE

VIEW = "portal.view_patientaccess"
SHOWN = 5


def _require(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


def patient_accesses(*, user, patient) -> list[PatientAccess]:
    """The patient's latest links and tablet sessions (the page showing them logs the patient)."""
    _require(user, VIEW)
    return list(
        patient.accesses.select_related("issued_by", "session").order_by("-issued_at", "-id")[
            :SHOWN
        ]
    )


def access_get(*, user, pk: int) -> PatientAccess:
    """An access a staff member acts on (revokes); the patient's record is logged as read."""
    _require(user, ISSUE)
    access = get_object_or_404(PatientAccess.objects.select_related("patient"), pk=pk)
    intake_selectors.patient_get(user=user, pk=access.patient_id)
    return access


def issuing_patient(*, user, pk: int):
    """The patient a link or the tablet is for, logged as read."""
    _require(user, ISSUE)
    return intake_selectors.patient_get(user=user, pk=pk)
