"""Course and outcome pages: declarations on core's base views. Selectors read (and log
reads), one service writes."""

from core.idempotency import IdempotentFormMixin
from core.views import ObjectFormView, ObjectListView
from courses import selectors, services
from courses.filters import OverdueFilter
from courses.forms import OutcomeForm, PlanEndForm, PlanForm
from courses.links import book_url
from intake import selectors as intake_selectors
from scheduling import selectors as scheduling_selectors
from scheduling import times


class PlanCreateView(IdempotentFormMixin, ObjectFormView):
    permission_required = selectors.ADD_PLAN
    template_name = "courses/plan_form.html"
    form_class = PlanForm
    selector = intake_selectors.patient_get
    context_object_name = "patient"
    success_message = "Course planned: {result.session_type.name}."
    error_message = "Not planned: see why below."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "session_types": selectors.plannable_session_types()}

    def get_initial(self):
        return {"starts_on": times.today()}

    def call(self, form):
        data = form.cleaned_data
        return services.plan_create(
            by=self.request.user,
            patient=self.object,
            **{name: data[name] for name in PlanForm.base_fields},
        )

    def get_success_url(self) -> str:
        return self.object.get_absolute_url() + "#course"


class PlanEndView(ObjectFormView):
    permission_required = selectors.CHANGE_PLAN
    template_name = "courses/plan_end.html"
    form_class = PlanEndForm
    selector = selectors.plan_get
    context_object_name = "plan"
    success_message = "The plan of {object.session_type.name} has ended."
    error_message = "Not ended: see why below."

    def call(self, form):
        return services.plan_end(
            by=self.request.user, plan=self.object, reason=form.cleaned_data["reason"]
        )

    def get_success_url(self) -> str:
        return self.object.patient.get_absolute_url() + "#course"

    def get_context_data(self, **kwargs):
        return super().get_context_data(patient=self.object.patient, **kwargs)


class OutcomeRecordView(ObjectFormView):
    """One outcome per session: the form starts from the one recorded, if any."""

    permission_required = selectors.RECORD_OUTCOME
    template_name = "courses/outcome_form.html"
    form_class = OutcomeForm
    selector = scheduling_selectors.session_get
    context_object_name = "session"
    success_message = "Outcome saved."
    error_message = "Not saved: see why below."

    def get_initial(self):
        outcome = selectors.session_outcome(user=self.request.user, session=self.object)
        if outcome is None:
            return {}
        return {
            "scale": outcome.scale,
            "grade": outcome.grade,
            "patient_assessment": outcome.patient_assessment,
            "note": outcome.note,
        }

    def call(self, form):
        data = form.cleaned_data
        return services.outcome_record(
            by=self.request.user,
            session=self.object,
            **{name: data[name] for name in OutcomeForm.base_fields},
        )

    def get_success_url(self) -> str:
        return self.object.get_absolute_url() + "#outcome"

    def get_context_data(self, **kwargs):
        return super().get_context_data(recordable=self.object.status in services.GRADED, **kwargs)


class OverdueView(ObjectListView):
    """Patients whose next session of a course is due and not booked: for the front desk to
    call, and for the physician to review."""

    permission_required = selectors.VIEW_PLAN
    template_name = "courses/overdue.html"
    selector = selectors.overdue_plans
    log_selector = selectors.plans_shown
    filterset_class = OverdueFilter
    per_page = selectors.OVERDUE_PAGE_SIZE

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = times.today()
        context.update(
            today=today,
            can_book=self.request.user.has_perm("scheduling.add_treatmentsession"),
            rows=[
                (plan, selectors.days_overdue(plan, today), book_url(plan))
                for plan in context["page"].object_list
            ],
        )
        return context
