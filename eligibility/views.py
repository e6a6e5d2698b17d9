"""The physician's review queue and decision page."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from clinic.views import RoleRequiredMixin, call_service
from eligibility import rules, selectors, services
from eligibility.forms import ReviewDecisionForm

QUEUE_PAGE_SIZE = 25


class ReviewQueueView(RoleRequiredMixin, TemplateView):
    permission_required = "eligibility.review_screening"
    template_name = "eligibility/review_queue.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        queue = selectors.review_queue(user=self.request.user)
        page = Paginator(queue, QUEUE_PAGE_SIZE).get_page(self.request.GET.get("page"))
        context.update(page=page, total=len(queue))
        return context


class ReviewDecideView(RoleRequiredMixin, FormView):
    permission_required = "eligibility.review_screening"
    template_name = "eligibility/review_decide.html"
    form_class = ReviewDecisionForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.has_perm(self.permission_required):
            self.screening = selectors.screening_for_review(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "screening": self.screening}

    def form_valid(self, form):
        _, saved = call_service(
            form,
            services.review_decide,
            by=self.request.user,
            screening=self.screening,
            decision=form.cleaned_data["decision"],
            note=form.cleaned_data["note"],
            cleared_until=form.cleaned_data.get("cleared_until"),
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
            answered=sorted(
                ((c, self.screening.answers.get(c.code)) for c in rules.CATALOGUE),
                key=lambda pair: pair[1] is not True,
            ),
            screenings=screenings[:20],
            reviews=reviews[:20],
            decidable=self.screening.outcome == "needs_review" and not self.screening.has_exclusion,
        )
        return context
