"""Physicians' pages: the review queue, decisions on a patient's reasons, and the same-day
microneedling then LLLT sign-off. Thin: selectors and services read, one service call writes."""

from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from core.views import ObjectFormView, ObjectListView
from eligibility import lifecycle, rules, selectors, services
from eligibility.forms import DecisionForm, ReviewDecisionForm, SignOffEndForm, SignOffForm
from eligibility.models import Decision, Screening
from intake import selectors as intake_selectors

QUEUE_PAGE_SIZE = 25
REVIEW = "eligibility.review_screening"
SIGN_OFF = "eligibility.sign_off_plan"
SEE_ANSWERS = "eligibility.view_screening_answers"
MEDICATION_CODES = tuple(c.code for c in rules.CATALOGUE if c.section == "medications")


# ---- what a physician reads before deciding ---------------------------------------------------


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


class ReviewQueueView(ObjectListView):
    permission_required = REVIEW
    template_name = "eligibility/review_queue.html"
    selector = selectors.review_queue
    log_selector = selectors.queue_shown
    per_page = QUEUE_PAGE_SIZE


class _DecisionFormView(ObjectFormView):
    """What the queue's and the patient page's decision forms share: the reasons open to a
    decision (in the selector's `DecisionPage`), and the fields every decision service takes."""

    permission_required = REVIEW
    context_object_name = "decision"

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "code_choices": self.object.choices,
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


class ReviewDecideView(_DecisionFormView):
    """A decision taken from the queue, on the screening's patient and procedure."""

    template_name = "eligibility/review_decide.html"
    form_class = ReviewDecisionForm
    selector = selectors.review_decision

    def call(self, form):
        return services.review_decide(
            by=self.request.user, screening=self.object.screening, **self.decision_fields(form)
        )

    def get_success_message(self, cleaned_data) -> str:
        procedure = self.object.screening.get_procedure_display()
        return f"Decision recorded for {self.object.patient.full_name}: {procedure}."

    def get_success_url(self) -> str:
        return reverse("eligibility:review-queue")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        decision = self.object
        screenings, reviews = selectors.patient_history(
            user=self.request.user, patient=decision.patient
        )
        context.update(
            screening=decision.screening,
            patient=decision.patient,
            item=decision.item,
            answered=[(c, a) for c, a, _ in answer_rows(decision.screening)],
            medications=medications_text(decision.screening),
            allergies=allergies_text(decision.screening),
            screenings=screenings[:20],
            reviews=reviews[:20],
            current=decision.current,
            decidable=bool(decision.choices),
        )
        return context


# ---- a decision from the patient's page -------------------------------------------------------


class PatientDecideView(_DecisionFormView):
    """Record a decision on a patient's reasons for one procedure (lifecycle rules 2-4)."""

    template_name = "eligibility/decide.html"
    form_class = DecisionForm
    selector = selectors.patient_decision
    error_message = "Not recorded: see why below."

    def call(self, form):
        return services.decision_record(
            by=self.request.user,
            patient=self.object.patient,
            procedure=self.object.item.procedure,
            **self.decision_fields(form),
        )

    def get_success_message(self, cleaned_data) -> str:
        decision = Decision(cleaned_data["decision"]).label
        patient, item = self.object.patient, self.object.item
        return f"{decision} recorded for {patient.full_name}: {item.procedure_label}."

    def get_success_url(self) -> str:
        return self.object.patient.get_absolute_url() + "#timeline"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        screening = self.object.item.screening
        see_answers = self.request.user.has_perm(SEE_ANSWERS)
        context.update(
            patient=self.object.patient,
            item=self.object.item,
            decidable=bool(self.object.choices),
            see_answers=see_answers,
            answered=answer_rows(screening) if see_answers else [],
            medications=medications_text(screening) if see_answers else "",
            allergies=allergies_text(screening) if see_answers else None,
        )
        return context


# ---- same-day microneedling then LLLT sign-off -----------------------------------------------


class SignOffRecordView(ObjectFormView):
    permission_required = SIGN_OFF
    template_name = "eligibility/signoff_form.html"
    form_class = SignOffForm
    selector = intake_selectors.patient_get
    context_object_name = "patient"
    success_message = "Same-day microneedling then LLLT signed off until {result.until:%-d %b %Y}."
    error_message = "Not signed off: see why below."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "today": timezone.localdate()}

    def call(self, form):
        return services.signoff_record(
            by=self.request.user,
            patient=self.object,
            note=form.cleaned_data["note"],
            until=form.cleaned_data.get("until"),
        )

    def get_success_url(self) -> str:
        return self.object.get_absolute_url() + "#signoff"

    def get_context_data(self, **kwargs):
        in_force = services.eligibility_for(self.object, sorted(lifecycle.SIGNOFF_PROCEDURES))
        return super().get_context_data(current=in_force.signoff_row, **kwargs)


class SignOffEndView(ObjectFormView):
    permission_required = SIGN_OFF
    template_name = "eligibility/signoff_end.html"
    form_class = SignOffEndForm
    selector = selectors.signoff_get
    context_object_name = "signoff"
    success_message = "The same-day microneedling then LLLT sign-off has ended."
    error_message = "Not ended: see why below."

    def call(self, form):
        return services.signoff_end(
            by=self.request.user, signoff=self.object, note=form.cleaned_data["note"]
        )

    def get_success_url(self) -> str:
        return self.object.patient.get_absolute_url() + "#signoff"

    def get_context_data(self, **kwargs):
        return super().get_context_data(patient=self.object.patient, **kwargs)
