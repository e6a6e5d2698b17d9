"""Patient and intake pages. Thin: selectors read (and log reads), services write."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import FormView, TemplateView
from django_tables2 import RequestConfig

from clinic.idempotency import IdempotentFormMixin, mark_completed
from clinic.views import RoleRequiredMixin, call_service
from eligibility.services import eligibility_summary
from intake import selectors, services
from intake.filters import PatientFilter
from intake.forms import ArchiveForm, IntakeForm, PatientForm
from intake.models import Patient
from intake.tables import PatientTable

SEARCH_SESSION_KEY = "patient_search"


class PatientListView(RoleRequiredMixin, TemplateView):
    """Search is POSTed and kept in the session, so names and dates never appear in URLs."""

    permission_required = "intake.view_patient"
    template_name = "intake/patient_list.html"

    def post(self, request, *args, **kwargs):
        if "clear" in request.POST:
            request.session.pop(SEARCH_SESSION_KEY, None)
        else:
            fields = ("q", "status", "sex")
            request.session[SEARCH_SESSION_KEY] = {k: request.POST.get(k, "")[:100] for k in fields}
        return HttpResponseRedirect(reverse("intake:patient-list"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        queryset = selectors.patient_list(user=self.request.user)
        search = self.request.session.get(SEARCH_SESSION_KEY)
        patient_filter = PatientFilter(search, queryset=queryset)
        table = PatientTable(patient_filter.qs if patient_filter.is_valid() else queryset.none())
        RequestConfig(self.request, paginate={"per_page": settings.PATIENTS_PER_PAGE}).configure(
            table
        )
        context.update(filter=patient_filter, table=table, searching=bool(search))
        return context


class PatientCreateView(RoleRequiredMixin, IdempotentFormMixin, FormView):
    permission_required = "intake.add_patient"
    template_name = "intake/patient_form.html"
    form_class = PatientForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["show_duplicate_confirmation"] = self.request.method == "POST" and (
            "confirm_not_duplicate" in self.request.POST or self._duplicates_in_post()
        )
        return kwargs

    def _duplicates_in_post(self) -> bool:
        probe = PatientForm(self.request.POST)
        if not probe.is_valid():
            return False
        return self._duplicates(probe.cleaned_data).exists()

    def _duplicates(self, data: dict):
        return selectors.patient_likely_duplicates(
            first_name=data["first_name"],
            last_name=data["last_name"],
            date_of_birth=data["date_of_birth"],
            phone=data.get("phone") or "",
        )

    def form_valid(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k in services.PATIENT_FIELDS}
        duplicates = list(self._duplicates(data)[:10])
        if duplicates and not form.cleaned_data.get("confirm_not_duplicate"):
            form.add_error(
                None,
                "This looks like a patient who is already registered (same name and date of "
                "birth, or same phone). Open the existing record, or confirm below that this is a "
                "different person.",
            )
            return self.render_to_response(self.get_context_data(form=form, duplicates=duplicates))
        patient, saved = call_service(form, services.patient_register, by=self.request.user, **data)
        if not saved:
            return self.form_invalid(form)
        url = patient.get_absolute_url()
        mark_completed(self.request, url)
        messages.success(self.request, f"Registered {patient.full_name} ({patient.mrn}).")
        return HttpResponseRedirect(url)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = "Register a patient"
        return context


class PatientUpdateView(RoleRequiredMixin, FormView):
    permission_required = "intake.change_patient"
    template_name = "intake/patient_form.html"
    form_class = PatientForm

    def dispatch(self, request, *args, **kwargs):
        self.patient = get_object_or_404(Patient, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.patient
        return kwargs

    def form_valid(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k in services.PATIENT_FIELDS}
        # The ModelForm already set the fields on the instance; reload it so the service
        # starts from the stored record.
        patient = Patient.objects.get(pk=self.patient.pk)
        _, saved = call_service(
            form, services.patient_update, by=self.request.user, patient=patient, **data
        )
        if not saved:
            return self.form_invalid(form)
        messages.success(self.request, "Patient details saved.")
        return HttpResponseRedirect(patient.get_absolute_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title=f"Edit {self.patient.full_name}", patient=self.patient)
        return context


class PatientDetailView(RoleRequiredMixin, TemplateView):
    permission_required = "intake.view_patient"
    template_name = "intake/patient_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        patient = selectors.patient_get(user=user, pk=kwargs["pk"])
        context["patient"] = patient
        if user.has_perm("intake.view_intakequestionnaire"):
            context["intakes"] = selectors.patient_intakes(user=user, patient=patient)
        if user.has_perm("eligibility.view_screening"):
            context["eligibility"] = summary = eligibility_summary(patient)
            context["reviews"] = summary.reviews[:10]
        return context


class PatientArchiveView(RoleRequiredMixin, FormView):
    permission_required = "intake.archive_patient"
    template_name = "intake/patient_archive.html"
    form_class = ArchiveForm

    def dispatch(self, request, *args, **kwargs):
        self.patient = get_object_or_404(Patient, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        services.patient_archive(
            by=self.request.user, patient=self.patient, reason=form.cleaned_data["reason"]
        )
        messages.success(self.request, f"{self.patient.full_name}'s record is archived.")
        return HttpResponseRedirect(self.patient.get_absolute_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["patient"] = self.patient
        return context


class PatientRestoreView(RoleRequiredMixin, View):
    permission_required = "intake.archive_patient"
    http_method_names = ["post"]

    def post(self, request, pk):
        patient = get_object_or_404(Patient, pk=pk)
        services.patient_restore(by=request.user, patient=patient)
        messages.success(request, f"{patient.full_name}'s record is active again.")
        return redirect(patient)


class IntakeCreateView(RoleRequiredMixin, IdempotentFormMixin, FormView):
    """A new intake; started from an earlier one when editing, which stays as it was."""

    permission_required = "intake.add_intakequestionnaire"
    template_name = "intake/intake_form.html"
    form_class = IntakeForm

    def dispatch(self, request, *args, **kwargs):
        self.patient = get_object_or_404(Patient, pk=kwargs["pk"])
        self.source = None
        if "intake_pk" in kwargs:
            self.source = get_object_or_404(self.patient.intakes.all(), pk=kwargs["intake_pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        if self.source is None:
            return {}
        with_answers = self.request.user.has_perm("eligibility.view_screening_answers")
        return IntakeForm.initial_from(self.source, with_answers=with_answers)

    def form_valid(self, form):
        _, saved = call_service(
            form,
            services.intake_submit,
            by=self.request.user,
            patient=self.patient,
            **form.service_fields(),
        )
        if not saved:
            return self.form_invalid(form)
        url = self.patient.get_absolute_url()
        mark_completed(self.request, url)
        messages.success(self.request, "Intake saved.")
        return HttpResponseRedirect(url)

    def form_invalid(self, form):
        messages.error(self.request, "Some answers are missing or wrong; see the marked questions.")
        return super().form_invalid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(patient=self.patient, source=self.source)
        return context


class IntakeDetailView(RoleRequiredMixin, TemplateView):
    permission_required = "intake.view_intakequestionnaire"
    template_name = "intake/intake_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        patient = get_object_or_404(Patient, pk=kwargs["pk"])
        intake = selectors.intake_get(
            user=self.request.user, patient=patient, pk=kwargs["intake_pk"]
        )
        context.update(patient=patient, intake=intake)
        return context
