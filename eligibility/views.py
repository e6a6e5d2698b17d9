"""Physicians' pages: the review queue, decisions on a patient's reasons, and the same-day
microneedling then LLLT sign-off. Thin: selectors and services read, one service call writes."""

from datetime import datetime

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView

from core.views import FORM_METHODS, RoleRequiredMixin, call_service
from eligibility import lifecycle, rules, selectors, services
from eligibility.forms import DecisionForm, ReviewDecisionForm, SignOffEndForm, SignOffForm
from eligibility.models import Decision, PlanSignOff, Screening
from intake import selectors as intake_selectors

QUEUE_PAGE_SIZE = 25
REVIEW = "eligibility.review_screening"
SIGN_OFF = "eligibility.sign_off_plan"
SEE_ANSWERS = "eligibility.view_screening_answers"
MEDICATION_CODES = tuple(c.code for c in rules.CATALOGUE if c.section == "medications")


# ---- what a physician reads before deciding ---------------------------------------------------


def _code_label(code: str, labels: dict[str, str]) -> str:
    if code in labels:
        return labels[code]
    answered = rules.answered_code(code)
    if answered is None:
        return code.replace("_", " ")
    label = rules.CATALOGUE_BY_CODE[answered].label
    return label if answered == code else f"not answered: {label}"


def decision_choices(patient, procedure: str, blocks) -> list[tuple[str, str]]:
    """The reasons some decision may name today, labelled in plain words with their severity
    (an exclusion can be lifted, never cleared)."""
    codes: set[str] = set()
    for value, _ in Decision.choices:
        codes.update(services.decidable_codes(patient, procedure, value))
    labels = {b.reason.code: b.reason.label for b in blocks}
    severities = {b.reason.code: b.reason.severity for b in blocks}
    order = {b.reason.code: i for i, b in enumerate(blocks)}
    choices = []
    for code in sorted(codes, key=lambda c: (order.get(c, len(order)), c)):
        severity = severities.get(code) or _catalogue_severity(code, procedure)
        suffix = {rules.EXCLUDE: " (exclusion)", rules.REVIEW: " (review)"}.get(severity, "")
        label = _code_label(code, labels)
        choices.append((code, f"{label[:1].upper()}{label[1:]}{suffix}"))
    return choices


def _catalogue_severity(code: str, procedure: str) -> str:
    answered = rules.answered_code(code)
    if answered is None:
        return rules.REVIEW
    return rules.CATALOGUE_BY_CODE[answered].severities.get(procedure, "")


# The free-text boxes of the intake, and the catalogue questions whose "yes" they should explain.
ALLERGY_CODES = ("nickel_allergy", "anesthetic_allergy")


def _free_text(screening: Screening | None, box: str, codes) -> str:
    """A free-text box, or why it is empty: an empty box is not "none" when a question it
    should explain was answered yes."""
    if screening is None:
        return "none listed"
    written = (screening.details or {}).get(box)
    if written is None and screening.intake_id:
        written = getattr(screening.intake, box)
    if (written or "").strip():
        return written.strip()
    said_yes = [
        rules.CATALOGUE_BY_CODE[code].label
        for code in codes
        if (screening.answers or {}).get(code) is True
    ]
    if said_yes:
        return f"not written down (answered yes to: {'; '.join(said_yes)})"
    return "none listed"


def medications_text(screening: Screening | None) -> str:
    return _free_text(screening, "medications", MEDICATION_CODES)


def allergies_text(screening: Screening | None) -> str:
    return _free_text(screening, "allergies", ALLERGY_CODES)


def answer_rows(screening: Screening | None) -> list[tuple]:
    """(question, answer, day answered) for the catalogue: yes first, then unanswered, then no."""
    if screening is None:
        return []
    times = screening.answered_at or {}
    rows = []
    for condition in rules.CATALOGUE:
        at = times.get(condition.code)
        rows.append(
            (
                condition,
                screening.answers.get(condition.code),
                datetime.fromisoformat(at) if at else screening.screened_at,
            )
        )
    rank = {True: 0, None: 1, False: 2}
    return sorted(rows, key=lambda row: rank[row[1]])


# ---- the review queue -------------------------------------------------------------------------


class ReviewQueueView(RoleRequiredMixin, TemplateView):
    permission_required = REVIEW
    template_name = "eligibility/review_queue.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = selectors.review_queue_page(
            user=self.request.user, page=self.request.GET.get("page"), per_page=QUEUE_PAGE_SIZE
        )
        context.update(page=page, total=page.paginator.count)
        return context


class _DecisionFormMixin:
    """What the queue's and the patient page's decision forms share: the reasons open to a
    decision, and the fields every decision service takes."""

    # A form answers GET and POST; Django would take PUT as a POST.
    http_method_names = FORM_METHODS
    permission_required = REVIEW

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "code_choices": self.choices,
            "today": timezone.localdate(),
        }

    @staticmethod
    def decision_fields(form) -> dict:
        return {
            "decision": form.cleaned_data["decision"],
            "note": form.cleaned_data["note"],
            "codes": form.cleaned_data["codes"] or None,
            "cleared_until": form.cleaned_data.get("cleared_until"),
        }


class ReviewDecideView(_DecisionFormMixin, RoleRequiredMixin, FormView):
    """A decision taken from the queue, on the screening's patient and procedure."""

    template_name = "eligibility/review_decide.html"
    form_class = ReviewDecisionForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.has_perm(self.permission_required):
            self.screening = selectors.screening_for_review(user=request.user, pk=kwargs["pk"])
            patient = self.screening.patient
            self.item = services.eligibility_for(patient, self.screening.procedure).procedures[0]
            self.current = (
                self.item.screening is not None and self.item.screening.pk == self.screening.pk
            )
            blocks = self.item.assessment.blocks if self.item.assessment else ()
            self.choices = (
                decision_choices(patient, self.screening.procedure, blocks) if self.current else []
            )
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        _, saved = call_service(
            form,
            services.review_decide,
            by=self.request.user,
            screening=self.screening,
            **self.decision_fields(form),
        )
        if not saved:
            return self.form_invalid(form)
        patient = self.screening.patient
        messages.success(
            self.request,
            f"Decision recorded for {patient.full_name}: {self.screening.get_procedure_display()}.",
        )
        return HttpResponseRedirect(reverse("eligibility:review-queue"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        patient = self.screening.patient
        screenings, reviews = selectors.patient_history(user=self.request.user, patient=patient)
        context.update(
            screening=self.screening,
            patient=patient,
            item=self.item,
            answered=[(c, a) for c, a, _ in answer_rows(self.screening)],
            medications=medications_text(self.screening),
            allergies=allergies_text(self.screening),
            screenings=screenings[:20],
            reviews=reviews[:20],
            current=self.current,
            decidable=bool(self.choices),
        )
        return context


# ---- a decision from the patient's page -------------------------------------------------------


class PatientDecideView(_DecisionFormMixin, RoleRequiredMixin, FormView):
    """Record a decision on a patient's reasons for one procedure (lifecycle rules 2-4)."""

    template_name = "eligibility/decide.html"
    form_class = DecisionForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.has_perm(self.permission_required):
            self.procedure = kwargs["procedure"]
            if self.procedure not in rules.PROCEDURES:
                raise Http404("No such procedure.")
            self.patient = intake_selectors.patient_get(user=request.user, pk=kwargs["pk"])
            self.item = services.eligibility_for(self.patient, self.procedure).procedures[0]
            blocks = self.item.assessment.blocks if self.item.assessment else ()
            self.choices = decision_choices(self.patient, self.procedure, blocks)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        _, saved = call_service(
            form,
            services.decision_record,
            by=self.request.user,
            patient=self.patient,
            procedure=self.procedure,
            **self.decision_fields(form),
        )
        if not saved:
            return self.form_invalid(form)
        decision = Decision(form.cleaned_data["decision"]).label
        messages.success(
            self.request,
            f"{decision} recorded for {self.patient.full_name}: {self.item.procedure_label}.",
        )
        return HttpResponseRedirect(self.patient.get_absolute_url() + "#timeline")

    def form_invalid(self, form):
        messages.error(self.request, "Not recorded: see why below.")
        return super().form_invalid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        see_answers = self.request.user.has_perm(SEE_ANSWERS)
        context.update(
            patient=self.patient,
            item=self.item,
            decidable=bool(self.choices),
            see_answers=see_answers,
            answered=answer_rows(self.item.screening) if see_answers else [],
            medications=medications_text(self.item.screening) if see_answers else "",
            allergies=allergies_text(self.item.screening) if see_answers else None,
        )
        return context


# ---- same-day microneedling then LLLT sign-off -----------------------------------------------


def _signoff_in_force(patient) -> PlanSignOff | None:
    return services.eligibility_for(patient, sorted(lifecycle.SIGNOFF_PROCEDURES)).signoff_row


class SignOffRecordView(RoleRequiredMixin, FormView):
    # A form answers GET and POST; Django would take PUT as a POST.
    http_method_names = FORM_METHODS
    permission_required = SIGN_OFF
    template_name = "eligibility/signoff_form.html"
    form_class = SignOffForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.has_perm(self.permission_required):
            self.patient = intake_selectors.patient_get(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "today": timezone.localdate()}

    def form_valid(self, form):
        signoff, saved = call_service(
            form,
            services.signoff_record,
            by=self.request.user,
            patient=self.patient,
            note=form.cleaned_data["note"],
            until=form.cleaned_data.get("until"),
        )
        if not saved:
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"Same-day microneedling then LLLT signed off until {signoff.until:%-d %b %Y}.",
        )
        return HttpResponseRedirect(self.patient.get_absolute_url() + "#signoff")

    def form_invalid(self, form):
        messages.error(self.request, "Not signed off: see why below.")
        return super().form_invalid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(patient=self.patient, current=_signoff_in_force(self.patient))
        return context


class SignOffEndView(RoleRequiredMixin, FormView):
    # A form answers GET and POST; Django would take PUT as a POST.
    http_method_names = FORM_METHODS
    permission_required = SIGN_OFF
    template_name = "eligibility/signoff_end.html"
    form_class = SignOffEndForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.has_perm(self.permission_required):
            self.signoff = selectors.signoff_get(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        _, saved = call_service(
            form,
            services.signoff_end,
            by=self.request.user,
            signoff=self.signoff,
            note=form.cleaned_data["note"],
        )
        if not saved:
            return self.form_invalid(form)
        messages.success(self.request, "The same-day microneedling then LLLT sign-off has ended.")
        return HttpResponseRedirect(self.signoff.patient.get_absolute_url() + "#signoff")

    def form_invalid(self, form):
        messages.error(self.request, "Not ended: see why below.")
        return super().form_invalid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(signoff=self.signoff, patient=self.signoff.patient)
        return context
