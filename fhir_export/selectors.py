"""Reads for the FHIR export. Each takes the user, checks `fhir.export_fhir` and logs the
patients whose data it hands out: one entry for a patient's Bundle, one bulk insert per chunk
of rows for a clinic's NDJSON file (as reports.exports does for its CSV files).

The NDJSON streams read the database with `iterator(chunk_size=CHUNK)` and only
`select_related`, never a prefetch: one query per source whatever the row count, and no more
than a chunk of rows in memory.
"""

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.audit import log_access, log_access_many
from courses.models import Outcome
from eligibility.models import Screening
from fhir_export import builders
from fhir_export.models import FhirExport
from intake.models import IntakeQuestionnaire, Patient
from photos.models import PhotoConsent, ScalpPhoto
from scheduling.models import Consent, Device, Room, Status, TreatmentSession

EXPORT = "fhir.export_fhir"
VIEW_EXPORTS = "fhir.view_fhirexport"
CHUNK = 1000
LATEST = 10


def _require(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


def patient_by_mrn(*, user, mrn: str) -> int | None:
    """The id of the patient with this MRN (archived ones too: their record is exportable)."""
    _require(user, EXPORT)
    return Patient.objects.filter(mrn=mrn.strip().upper()).values_list("pk", flat=True).first()


def latest_exports(*, user) -> list[FhirExport]:
    _require(user, VIEW_EXPORTS)
    return list(FhirExport.objects.select_related("requested_by")[:LATEST])


# ---- one patient ---------------------------------------------------------------------------

_REFERENCE = re.compile(r"^(Practitioner|Location|Device)/[a-z]+-(\d+)$")


def _referenced(resources: Iterable[dict]) -> dict[str, set[int]]:
    """The practitioners, rooms and devices the resources point at, by type."""
    found: dict[str, set[int]] = {"Practitioner": set(), "Location": set(), "Device": set()}

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            match = _REFERENCE.match(value.get("reference", "") or "")
            if match:
                found[match[1]].add(int(match[2]))
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(list(resources))
    return found


def _patient_resources(patient: Patient) -> list[dict]:
    intakes = list(patient.intakes.order_by("taken_at", "id"))
    sessions = list(
        TreatmentSession.objects.filter(patient=patient)
        .select_related("session_type")
        .order_by("start", "id")
    )
    resources = [builders.patient(patient)]
    if intakes:
        resources.append(builders.intake_questionnaire())
    resources += [builders.questionnaire_response(intake) for intake in intakes]
    for screening in patient.screenings.order_by("screened_at", "id"):
        resources += builders.findings(screening)
    resources += [builders.consent(c) for c in patient.consents.order_by("signed_at", "id")]
    resources += [
        builders.photo_consent(c) for c in patient.photo_consents.order_by("signed_at", "id")
    ]
    resources += [builders.appointment(s) for s in sessions]
    resources += [builders.procedure(s) for s in sessions if s.status == Status.COMPLETED]
    photos = ScalpPhoto.objects.filter(patient=patient).select_related("view")
    resources += [builders.media(photo) for photo in photos.order_by("taken_at", "id")]
    outcomes = Outcome.objects.filter(session__patient=patient).select_related("session")
    resources += [builders.outcome(o) for o in outcomes.order_by("recorded_at", "id")]
    return resources


def patient_bundle(*, user, pk: int) -> dict:
    """Everything about one patient as a Bundle, with the practitioners, rooms and devices its
    resources reference; the patient's record is logged as read."""
    _require(user, EXPORT)
    patient = get_object_or_404(Patient, pk=pk)
    log_access(patient, by=user)
    resources = _patient_resources(patient)
    wanted = _referenced(resources)
    users = get_user_model().objects.filter(pk__in=wanted["Practitioner"]).order_by("pk")
    resources += [builders.practitioner(u) for u in users]
    resources += [builders.location(r) for r in Room.objects.filter(pk__in=wanted["Location"])]
    resources += [builders.device(d) for d in Device.objects.filter(pk__in=wanted["Device"])]
    now = timezone.now()
    return builders.bundle(resources, id_=f"patient-{pk}-{now:%Y%m%d%H%M%S}", timestamp=now)


# ---- the whole clinic ----------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """Rows of one model: what each becomes, and whose data it is (None: no patient's)."""

    rows: Callable[[], QuerySet | Iterable]
    build: Callable[[Any], list[dict]]
    patient: Callable[[Any], Patient] | None = None


def _one(build: Callable[[Any], dict]) -> Callable[[Any], list[dict]]:
    return lambda row: [build(row)]


def _own(row) -> Patient:
    return row.patient


def _sessions(**filters) -> Callable[[], QuerySet]:
    return lambda: (
        TreatmentSession.objects.filter(**filters)
        .select_related("patient", "session_type")
        .order_by("pk")
    )


def _itself(row) -> Patient:
    return row


#: The NDJSON files, one per resource type, in the order the export page lists them.
TYPES: dict[str, tuple[Source, ...]] = {
    "Patient": (Source(lambda: Patient.objects.order_by("pk"), _one(builders.patient), _itself),),
    "Questionnaire": (Source(lambda: [None], lambda _: [builders.intake_questionnaire()]),),
    "QuestionnaireResponse": (
        Source(
            lambda: IntakeQuestionnaire.objects.select_related("patient").order_by("pk"),
            _one(builders.questionnaire_response),
            _own,
        ),
    ),
    "DetectedIssue": (
        Source(
            lambda: Screening.objects.select_related("patient").order_by("pk"),
            builders.findings,
            _own,
        ),
    ),
    "Consent": (
        Source(
            lambda: Consent.objects.select_related("patient").order_by("pk"),
            _one(builders.consent),
            _own,
        ),
        Source(
            lambda: PhotoConsent.objects.select_related("patient").order_by("pk"),
            _one(builders.photo_consent),
            _own,
        ),
    ),
    "Appointment": (Source(_sessions(), _one(builders.appointment), _own),),
    "Procedure": (Source(_sessions(status=Status.COMPLETED), _one(builders.procedure), _own),),
    "Media": (
        Source(
            lambda: ScalpPhoto.objects.select_related("patient", "view").order_by("pk"),
            _one(builders.media),
            _own,
        ),
    ),
    "Observation": (
        Source(
            lambda: Outcome.objects.select_related("session__patient").order_by("pk"),
            _one(builders.outcome),
            lambda o: o.session.patient,
        ),
    ),
    "Practitioner": (
        Source(lambda: get_user_model().objects.order_by("pk"), _one(builders.practitioner)),
    ),
    "Location": (Source(lambda: Room.objects.order_by("pk"), _one(builders.location)),),
    "Device": (Source(lambda: Device.objects.order_by("pk"), _one(builders.device)),),
}


def _chunks(rows: QuerySet | Iterable) -> Iterator[list]:
    found = rows.iterator(chunk_size=CHUNK) if isinstance(rows, QuerySet) else iter(rows)
    while chunk := list(islice(found, CHUNK)):
        yield chunk


def clinic_resources(*, user, resource_type: str) -> Iterator[dict]:
    """Every resource of one type in the clinic, as a generator: before a chunk of rows is
    sent, the patients it has data of are logged as read (one bulk insert), so a download
    that stops half-way has logged what it sent, and one chunk more at most."""
    _require(user, EXPORT)
    if resource_type not in TYPES:
        raise Http404
    return _stream(user, TYPES[resource_type])


def _stream(user, sources: tuple[Source, ...]) -> Iterator[dict]:
    for source in sources:
        for chunk in _chunks(source.rows()):
            built = [(row, source.build(row)) for row in chunk]
            if source.patient is not None:
                shown = (source.patient(row) for row, resources in built if resources)
                log_access_many({patient.pk: patient for patient in shown}.values(), by=user)
            for _, resources in built:
                yield from resources
