"""Patient and intake pages. Thin: selectors read (and log reads), services write."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import FormView, TemplateView

from core.idempotency import IdempotentFormMixin, mark_completed
from core.paging import paginate_table
from core.views import FORM_METHODS, RoleRequiredMixin, call_service
from intake import selectors, services
from intake.filters import PatientFilter
from intake.forms import ArchiveForm, IntakeForm, PatientForm
from intake.tables import PatientTable

SEARCH_SESSION_KEY = "patient_search"


class _PatientPageMixin:
    """The URL's patient, read through the selector for a user the page is for (anyone else
    gets the 403 without a read), and logged when the page is drawn: a POST that only changes
    the record is in the audit log as that change."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and self.has_permission():
            self.load(request.user, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def load(self, user, *, pk: int, **kwargs) -> None:
        self.patient = selectors.patient_get(user=user, pk=pk, log=False)

    def shown(self) -> list:
        return [self.patient]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        selectors.shown(user=self.request.user, objects=self.shown())
        context["patient"] = self.patient
        return context


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
        paginate_table(self.request, table, per_page=settings.PATIENTS_PER_PAGE)
        # The page's rows are read once here; the template draws the same (cached) records.
        selectors.shown(
            user=self.request.user, objects=[row.record for row in table.page.object_list]
        )
        context.update(filter=patient_filter, table=table, searching=bool(search))
        return context


class PatientCreateView(RoleRequiredMixin, IdempotentFormMixin, FormView):
    # A form answers GET and POST; Django would take PUT as a POST.
    http_method_names = FORM_METHODS
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
        return selectors.patient_has_likely_duplicate(
            user=self.request.user, **_identity(probe.cleaned_data)
        )

    def form_valid(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k in services.PATIENT_FIELDS}
        confirmed = form.cleaned_data.get("confirm_not_duplicate")
        duplicates = (
            []
            if confirmed
            else selectors.patient_duplicates_shown(user=self.request.user, **_identity(data))
        )
        if duplicates:
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


def _identity(data: dict) -> dict:
    return {
        "first_name": data["first_name"],
        "last_name": data["last_name"],
        "date_of_birth": data["date_of_birth"],
        "phone": data.get("phone") or "",
    }


class PatientUpdateView(_PatientPageMixin, RoleRequiredMixin, FormView):
    # A form answers GET and POST; Django would take PUT as a POST.
    http_method_names = FORM_METHODS
    permission_required = "intake.change_patient"
    template_name = "intake/patient_form.html"
    form_class = PatientForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.patient
        return kwargs

    def form_valid(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k in services.PATIENT_FIELDS}
        # The ModelForm already set the fields on the instance; reload it so the service
        # starts from the stored record.
        patient = selectors.patient_get(user=self.request.user, pk=self.patient.pk, log=False)
        _, saved = call_service(
            form, services.patient_update, by=self.request.user, patient=patient, **data
        )
        if not saved:
            return self.form_invalid(form)
        messages.success(self.request, "Patient details saved.")
        return HttpResponseRedirect(patient.get_absolute_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = f"Edit {self.patient.full_name}"
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
        return context


class PatientArchiveView(_PatientPageMixin, RoleRequiredMixin, FormView):
    # A form answers GET and POST; Django would take PUT as a POST.
    http_method_names = FORM_METHODS
    permission_required = "intake.archive_patient"
    template_name = "intake/patient_archive.html"
    form_class = ArchiveForm

    def form_valid(self, form):
        services.patient_archive(
            by=self.request.user, patient=self.patient, reason=form.cleaned_data["reason"]
        )
        messages.success(self.request, f"{self.patient.full_name}'s record is archived.")
        return HttpResponseRedirect(self.patient.get_absolute_url())


class PatientRestoreView(RoleRequiredMixin, View):
    permission_required = "intake.archive_patient"
    http_method_names = ["post"]

    def post(self, request, pk):
        # Logged: the confirmation names the patient.
        patient = selectors.patient_get(user=request.user, pk=pk)
        services.patient_restore(by=request.user, patient=patient)
        messages.success(request, f"{patient.full_name}'s record is active again.")
        return redirect(patient)


class IntakeCreateView(_PatientPageMixin, RoleRequiredMixin, IdempotentFormMixin, FormView):
    """A new intake; started from an earlier one when editing, which stays as it was (the page
    then shows that intake's answers, and to a physician its screening answers: logged)."""

    # A form answers GET and POST; Django would take PUT as a POST.
    http_method_names = FORM_METHODS

    permission_required = "intake.add_intakequestionnaire"
    template_name = "intake/intake_form.html"
    form_class = IntakeForm
    source = None

    def load(self, user, *, pk: int, intake_pk: int | None = None) -> None:
        super().load(user, pk=pk)
        if intake_pk is not None:
            self.source = selectors.intake_get(
                user=user, patient=self.patient, pk=intake_pk, log=False
            )

    def shown(self) -> list:
        return [self.patient] if self.source is None else [self.patient, self.source]

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
        context["source"] = self.source
        return context


class IntakeDetailView(RoleRequiredMixin, TemplateView):
    permission_required = "intake.view_intakequestionnaire"
    template_name = "intake/intake_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        patient = selectors.patient_get(user=self.request.user, pk=kwargs["pk"], log=False)
        intake = selectors.intake_get(
            user=self.request.user, patient=patient, pk=kwargs["intake_pk"]
        )
        context.update(patient=patient, intake=intake)
        return context
