"""Patient and intake pages: declarations on core's base views. Selectors read (and log reads),
one service writes."""

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.views import View

from core.idempotency import IdempotentFormMixin
from core.views import (
    ObjectActionView,
    ObjectFormView,
    ObjectListView,
    ObjectView,
    RoleRequiredMixin,
    SessionSearchMixin,
)
from intake import selectors, services
from intake.filters import PatientFilter
from intake.forms import SAVE_AND_INTAKE, ArchiveForm, IntakeForm, PatientForm
from intake.tables import PatientTable


class PatientListView(SessionSearchMixin, ObjectListView):
    """Search is POSTed and kept in the session, so names and dates never appear in URLs."""

    permission_required = "intake.view_patient"
    template_name = "intake/patient_list.html"
    selector = selectors.patient_list
    log_selector = selectors.shown
    filterset_class = PatientFilter
    table_class = PatientTable
    per_page = settings.PATIENTS_PER_PAGE
    search_session_key = "patient_search"
    search_fields = ("q", "status", "sex")


class PatientDetailView(ObjectView):
    permission_required = "intake.view_patient"
    template_name = "intake/patient_detail.html"
    selector = selectors.patient_page
    context_object_name = "patient"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if user.has_perm("intake.view_intakequestionnaire"):
            context["intakes"] = selectors.patient_intakes(user=user, patient=self.object)
        return context


class PatientCreateView(IdempotentFormMixin, ObjectFormView):
    """A registration the service refuses as a likely duplicate lists those records (a read,
    logged) and asks the user to confirm that this is a different person."""

    permission_required = "intake.add_patient"
    template_name = "intake/patient_form.html"
    form_class = PatientForm
    success_message = "Registered {result.full_name} ({result.mrn})."

    def call(self, form):
        return services.patient_register(
            by=self.request.user,
            allow_duplicate=form.cleaned_data.get("confirm_not_duplicate", False),
            **form.service_fields(),
        )

    def get_form_kwargs(self):
        offer = self.request.user.has_perm("intake.add_intakequestionnaire")
        return {**super().get_form_kwargs(), "offer_intake": offer}

    def get_success_url(self) -> str:
        # The button is drawn only for those who may take an intake; the intake page checks.
        if SAVE_AND_INTAKE in self.request.POST:
            return reverse("intake:intake-create", args=[self.result.pk])
        return self.result.get_absolute_url()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(title="Register a patient", **kwargs)
        form = context["form"]
        if form.has_error(NON_FIELD_ERRORS, services.LIKELY_DUPLICATE):
            form.ask_to_confirm()
            context["duplicates"] = selectors.patient_duplicates_shown(
                user=self.request.user, fields=form.cleaned_data
            )
        return context


class _PatientFormView(ObjectFormView):
    """A form about the URL's patient. The record is read unlogged and logged when the page is
    drawn: a POST that only changes it is in the audit log as that change."""

    context_object_name = "patient"
    log_selector = selectors.shown

    def load(self, user, *, pk: int, **url_kwargs):
        return selectors.patient_get(user=user, pk=pk, log=False)


class PatientUpdateView(_PatientFormView):
    permission_required = "intake.change_patient"
    template_name = "intake/patient_form.html"
    form_class = PatientForm
    success_message = "Patient details saved."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object}

    def call(self, form):
        # The ModelForm already set the fields on the instance; the service starts from the
        # stored record.
        patient = selectors.patient_get(user=self.request.user, pk=self.object.pk, log=False)
        return services.patient_update(
            by=self.request.user, patient=patient, **form.service_fields()
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=f"Edit {self.object.full_name}", **kwargs)


class PatientArchiveView(_PatientFormView):
    permission_required = "intake.archive_patient"
    template_name = "intake/patient_archive.html"
    form_class = ArchiveForm
    success_message = "{object.full_name}'s record is archived."

    def call(self, form):
        return services.patient_archive(
            by=self.request.user, patient=self.object, reason=form.cleaned_data["reason"]
        )


class PatientRestoreView(ObjectActionView):
    permission_required = "intake.archive_patient"
    # Logged: the confirmation names the patient.
    selector = selectors.patient_get
    success_message = "{object.full_name}'s record is active again."

    def call(self):
        return services.patient_restore(by=self.request.user, patient=self.object)


class IntakeCreateView(IdempotentFormMixin, _PatientFormView):
    """A new intake; started from an earlier one when editing, which stays as it was (the page
    then shows that intake's answers, and to a physician its screening answers: logged)."""

    permission_required = "intake.add_intakequestionnaire"
    template_name = "intake/intake_form.html"
    form_class = IntakeForm
    success_message = "Intake saved."
    error_message = "Some answers are missing or wrong; see the marked questions."
    source = None

    def load(self, user, *, pk: int, intake_pk: int | None = None):
        patient = super().load(user, pk=pk)
        if intake_pk is not None:
            self.source = selectors.intake_get(user=user, patient_pk=pk, pk=intake_pk, log=False)
        return patient

    def shown(self) -> list:
        return [self.object] if self.source is None else [self.object, self.source]

    def get_initial(self):
        if self.source is None:
            return {}
        with_answers = self.request.user.has_perm("eligibility.view_screening_answers")
        return IntakeForm.initial_from(self.source, with_answers=with_answers)

    def call(self, form):
        return services.intake_submit(
            by=self.request.user, patient=self.object, **form.service_fields()
        )

    def get_success_message(self, cleaned_data) -> str:
        """Booking is the next step: the message leads there, so that a keyboard reaches it
        first on the patient's page (the URL and the permission are named as strings, as
        core.roles names them: intake imports nothing from scheduling)."""
        if not self.request.user.has_perm("scheduling.add_treatmentsession"):
            return self.success_message
        return format_html(
            '{} <a class="alert-link" href="{}?patient={}">Find a free slot for {}</a>',
            self.success_message,
            reverse("scheduling:free-slots"),
            self.object.pk,
            self.object.first_name,
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(source=self.source, **kwargs)


class IntakeDetailView(ObjectView):
    permission_required = "intake.view_intakequestionnaire"
    template_name = "intake/intake_detail.html"
    context_object_name = "intake"

    def load(self, user, *, pk: int, intake_pk: int):
        return selectors.intake_get(user=user, patient_pk=pk, pk=intake_pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(patient=self.object.patient, **kwargs)


class PatientPickerView(RoleRequiredMixin, View):
    """The patient picker's type-ahead: the options for what was typed. POST only, so what was
    typed (a name, a birth date) is in no URL, no server log and no browser history."""

    permission_required = "intake.view_patient"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        patients = selectors.patient_search(user=request.user, text=request.POST.get("q", ""))
        return render(request, "intake/patient_picker_options.html", {"patients": patients})
