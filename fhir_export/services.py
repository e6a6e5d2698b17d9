"""The export's one write: the FhirExport row every download leaves (and, through auditlog,
an entry naming who downloaded what)."""

from django.db import transaction

from core.audit import actor
from fhir_export.models import FhirExport


def export_record(*, by, scope: str, subject: str, resources: int | None = None) -> FhirExport:
    export = FhirExport(scope=scope, subject=subject, requested_by=by, resources=resources)
    export.full_clean()
    with transaction.atomic(), actor(by):
        export.save()
    return export


def export_count(*, by, export: FhirExport, resources: int) -> None:
    """How many resources a streamed file held, once the last line is written."""
    export.resources = resources
    with transaction.atomic(), actor(by):
        export.save(update_fields=["resources"])
