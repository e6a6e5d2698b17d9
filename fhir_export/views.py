"""The FHIR export (issue 17): the admins' page, one patient's Bundle, the clinic's NDJSON
files, and the published intake Questionnaire the responses point at.

Downloads are `application/fhir+json` (a Bundle) and `application/fhir+ndjson` (one resource
a line); each leaves a FhirExport row. Their file names carry ids and times, never a name or
an MRN.
"""

import json
from collections.abc import Iterator

from django.http import HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView

from core.views import FORM_METHODS, RoleRequiredMixin
from fhir_export import builders, selectors, services
from fhir_export.forms import PatientBundleForm
from fhir_export.models import FhirExport

FHIR_JSON = "application/fhir+json"
FHIR_NDJSON = "application/fhir+ndjson"
LINES_PER_WRITE = 100


def _json(resource: dict) -> str:
    return json.dumps(resource, ensure_ascii=False, separators=(",", ":"))


def _filename(name: str, ext: str) -> str:
    return f"follicle-{name}-{timezone.localtime():%Y%m%d-%H%M}.{ext}"


class ExportView(RoleRequiredMixin, FormView):
    """The NDJSON files to download, the MRN form for one patient's Bundle, the latest
    exports. A found MRN redirects to the Bundle's URL, which has the patient's id only."""

    permission_required = selectors.EXPORT
    http_method_names = FORM_METHODS
    template_name = "fhir/export.html"
    form_class = PatientBundleForm

    def form_valid(self, form):
        pk = selectors.patient_by_mrn(user=self.request.user, mrn=form.cleaned_data["mrn"])
        if pk is None:
            form.add_error("mrn", "No patient has this MRN.")
            return self.form_invalid(form)
        return HttpResponseRedirect(reverse("fhir:patient-bundle", args=[pk]))

    def get_context_data(self, **kwargs):
        user = self.request.user
        exports = (
            selectors.latest_exports(user=user) if user.has_perm(selectors.VIEW_EXPORTS) else None
        )
        return super().get_context_data(types=list(selectors.TYPES), exports=exports, **kwargs)


class PatientBundleView(RoleRequiredMixin, View):
    permission_required = selectors.EXPORT
    http_method_names = ["get"]

    def get(self, request, pk: int):
        bundle = selectors.patient_bundle(user=request.user, pk=pk)
        services.export_record(
            by=request.user,
            scope=FhirExport.Scope.PATIENT,
            subject=str(pk),
            resources=len(bundle["entry"]),
        )
        response = HttpResponse(_json(bundle), content_type=FHIR_JSON)
        name = _filename(f"patient-{pk}", "json")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class NdjsonView(RoleRequiredMixin, View):
    """One resource type of the whole clinic, streamed: constant memory, the patients of
    each chunk logged in bulk as it goes (fhir.selectors), the count recorded at the end."""

    permission_required = selectors.EXPORT
    http_method_names = ["get"]

    def get(self, request, resource_type: str):
        resources = selectors.clinic_resources(user=request.user, resource_type=resource_type)
        export = services.export_record(
            by=request.user, scope=FhirExport.Scope.CLINIC, subject=resource_type
        )
        response = StreamingHttpResponse(
            _lines(resources, by=request.user, export=export), content_type=FHIR_NDJSON
        )
        name = _filename(resource_type.lower(), "ndjson")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


def _lines(resources: Iterator[dict], *, by, export: FhirExport) -> Iterator[bytes]:
    count, batch = 0, []
    for resource in resources:
        count += 1
        batch.append(_json(resource) + "\n")
        if len(batch) == LINES_PER_WRITE:
            yield "".join(batch).encode()
            batch = []
    if batch:
        yield "".join(batch).encode()
    services.export_count(by=by, export=export, resources=count)


class QuestionnaireView(View):
    """The published intake Questionnaire, at its canonical URL: the clinic's form, no
    patient's data, for any signed-in user."""

    http_method_names = ["get"]

    def get(self, request):
        return HttpResponse(_json(builders.intake_questionnaire()), content_type=FHIR_JSON)
