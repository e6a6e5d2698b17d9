"""Scheduling pages. Thin: selectors read (and log reads), one service call writes."""

from datetime import datetime, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.views import View
from django.views.generic import FormView, TemplateView

from core.bounds import in_range
from core.idempotency import IdempotentFormMixin, mark_completed
from core.redirects import safe_next
from core.views import FORM_METHODS, RoleRequiredMixin, call_service
from eligibility import rules
from eligibility.services import eligibility_for
from intake import selectors as intake_selectors
from scheduling import selectors, services, times
from scheduling.consent import CURRENT as CONSENT_TEXTS
from scheduling.forms import (
    BookingForm,
    CancelForm,
    CheckInForm,
    ConsentForm,
    FreeSlotsForm,
    RescheduleForm,
    TreatmentForm,
)
from scheduling.models import Status


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class _SessionMixin:
    """Loads the session of the URL and logs the access (every page of it shows the patient)."""

    logs_access = True

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.has_perm(selectors.VIEW):
            self.session = selectors.session_get(
                user=request.user, pk=kwargs["pk"], log=self.logs_access
            )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["session"] = self.session
        return context


class _SessionFormView(_SessionMixin, RoleRequiredMixin, FormView):
    """A form about one session whose valid POST calls one service."""

    # A form answers GET and POST; Django would take PUT as a POST.
    http_method_names = FORM_METHODS

    success_message = ""

    def call(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        _, saved = call_service(form, self.call, form=form)
        if not saved:
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.session.get_absolute_url())

    def form_invalid(self, form):
        messages.error(self.request, "Not saved: see the marked fields.")
        return super().form_invalid(form)


class _SessionActionView(_SessionMixin, RoleRequiredMixin, View):
    """A button (POST only) that calls one service and goes back to the session."""

    http_method_names = ["post"]
    success_message = ""
    # A button shows nothing: the change it makes is in the audit log already.
    logs_access = False

    def call(self):
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        try:
            self.call()
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, self.success_message)
        return redirect(self.session)


# ---- day view and free slots ----------------------------------------------------------------


class DayView(RoleRequiredMixin, TemplateView):
    permission_required = selectors.VIEW
    template_name = "scheduling/day.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        day = kwargs.get("day") or times.today()
        by = "provider" if self.request.GET.get("by") == "provider" else "room"
        grid = selectors.day_view(user=self.request.user, day=day, by=by)
        context.update(
            grid=grid,
            day=day,
            by=by,
            today=times.today(),
            headers=[selectors.column_label(c) for c in grid.columns],
            prev_day=day - timedelta(days=1),
            next_day=day + timedelta(days=1),
            prev_week=day - timedelta(days=7),
            next_week=day + timedelta(days=7),
        )
        return context


class AttentionView(RoleRequiredMixin, TemplateView):
    """The front desk's list of booked sessions that can no longer go ahead as booked."""

    permission_required = selectors.VIEW
    template_name = "scheduling/attention.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = selectors.sessions_needing_attention(
            user=self.request.user, page=self.request.GET.get("page")
        )
        context.update(page=page, today=times.today())
        return context


class FreeSlotsView(RoleRequiredMixin, TemplateView):
    permission_required = selectors.VIEW
    template_name = "scheduling/free_slots.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        data = self.request.GET if "session_type" in self.request.GET else None
        form = FreeSlotsForm(data, initial={"day": times.today()})
        if data is None and "patient" in self.request.GET:
            form.initial["patient"] = _int(self.request.GET["patient"])
        slots = None
        if form.is_valid():
            slots = selectors.free_slots(
                session_type=form.cleaned_data["session_type"],
                day=max(form.cleaned_data["day"], times.today()),
                provider=form.cleaned_data["provider"],
                room=form.cleaned_data["room"],
            )
        context.update(form=form, slots=slots)
        return context


# ---- booking ------------------------------------------------------------------------------


class SessionBookView(RoleRequiredMixin, IdempotentFormMixin, FormView):
    # A form answers GET and POST; Django would take PUT as a POST.
    http_method_names = FORM_METHODS
    permission_required = "scheduling.add_treatmentsession"
    template_name = "scheduling/session_book.html"
    form_class = BookingForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["can_override"] = self.request.user.has_perm("scheduling.override_interval")
        return kwargs

    def get_initial(self):
        """Pre-fill from the patient page or a free slot: primary keys and a time, no names."""
        get = self.request.GET
        initial = {
            name: _int(get.get(name))
            for name in ("patient", "session_type", "provider", "room", "device")
            if _int(get.get(name))
        }
        try:
            start = times.local(datetime.fromisoformat(get["start"]))
        except (KeyError, ValueError, OverflowError):
            start = None
        if start is not None and in_range(start.date()):
            initial.update(day=start.date(), time=start.time())
        else:
            initial["day"] = times.today() + timedelta(days=1)
        return initial

    def form_valid(self, form):
        data = form.cleaned_data
        session, saved = call_service(
            form,
            services.session_book,
            by=self.request.user,
            patient=data["patient"],
            session_type=data["session_type"],
            start=data["start"],
            provider=data["provider"],
            room=data["room"],
            device=data["device"],
            override_note=data.get("override_note", ""),
            form_token=data.get("form_token") or None,
        )
        if not saved:
            return self.form_invalid(form)
        url = session.get_absolute_url()
        mark_completed(self.request, url)
        messages.success(
            self.request,
            f"Booked {session.session_type} on {times.local(session.start):%a %d %b at %H:%M}.",
        )
        return HttpResponseRedirect(url)

    def form_invalid(self, form):
        messages.error(self.request, "Not booked: see why below.")
        return super().form_invalid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        # The form names the patient it is for: the read is logged.
        patient = selectors.booking_patient(
            user=self.request.user, pk=_int(form["patient"].value())
        )
        session_type = selectors.session_type_get(
            user=self.request.user, pk=_int(form["session_type"].value())
        )
        if not form.is_bound and patient is not None and session_type is not None:
            # A preview before booking; a refused booking lists the same reasons in its errors.
            day = form.initial.get("day") or times.today()
            context["eligibility"] = eligibility_for(patient, session_type, on=day)
            context["missing_consents"] = services.missing_consents(
                patient, session_type.procedures
            )
        context["patient"] = patient
        return context


class SessionDetailView(_SessionMixin, RoleRequiredMixin, TemplateView):
    permission_required = selectors.VIEW
    template_name = "scheduling/session_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        session = self.session
        context.update(
            events=selectors.session_events(user=self.request.user, session=session),
            Status=Status,
            is_today=times.local(session.start).date() == times.today(),
            record_gaps=services.record_gaps(session) if session.is_charted else [],
        )
        return context


class SessionRescheduleView(_SessionFormView):
    permission_required = "scheduling.change_treatmentsession"
    template_name = "scheduling/session_form.html"
    form_class = RescheduleForm
    success_message = "Session moved."

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["can_override"] = self.request.user.has_perm("scheduling.override_interval")
        return kwargs

    def get_initial(self):
        start = times.local(self.session.start)
        return {
            "day": start.date(),
            "time": start.time(),
            "provider": self.session.provider_id,
            "room": self.session.room_id,
            "device": self.session.device_id,
        }

    def call(self, form):
        data = form.cleaned_data
        services.session_reschedule(
            by=self.request.user,
            session=self.session,
            start=data["start"],
            provider=data["provider"],
            room=data["room"],
            device=data["device"],
            override_note=data.get("override_note", ""),
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(title="Move session", **kwargs)


class SessionCancelView(_SessionFormView):
    permission_required = "scheduling.cancel_session"
    template_name = "scheduling/session_form.html"
    form_class = CancelForm
    success_message = "Session cancelled."

    def call(self, form):
        services.session_cancel(
            by=self.request.user, session=self.session, reason=form.cleaned_data["reason"]
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(title="Cancel session", **kwargs)


class SessionCheckInView(_SessionFormView):
    permission_required = "scheduling.check_in_session"
    template_name = "scheduling/session_form.html"
    form_class = CheckInForm

    def call(self, form):
        services.session_check_in(
            by=self.request.user, session=self.session, answers=form.answers()
        )
        if self.session.is_blocked:
            messages.warning(
                self.request,
                f"Stopped at check-in. Not checked in: {self.session.blocked_reason}",
            )
        else:
            messages.success(self.request, "Checked in.")

    def get_context_data(self, **kwargs):
        return super().get_context_data(title="Check in", **kwargs)


class SessionNoShowView(_SessionActionView):
    permission_required = "scheduling.check_in_session"
    success_message = "Marked as a no-show."

    def call(self):
        services.session_no_show(by=self.request.user, session=self.session)


class SessionStartView(_SessionActionView):
    permission_required = "scheduling.chart_treatment"
    success_message = "Treatment started."

    def call(self):
        services.session_start(by=self.request.user, session=self.session)


class SessionCompleteView(_SessionActionView):
    permission_required = "scheduling.chart_treatment"
    success_message = "Session completed."

    def call(self):
        services.session_complete(by=self.request.user, session=self.session)


class TreatmentRecordView(_SessionFormView):
    permission_required = "scheduling.chart_treatment"
    template_name = "scheduling/session_form.html"
    form_class = TreatmentForm
    success_message = "Treatment record saved."

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(
            instance=self.session,
            procedures=self.session.session_type.procedures,
            can_set_depth=self.request.user.has_perm("scheduling.set_needle_depth"),
        )
        return kwargs

    def call(self, form):
        # The ModelForm already set the posted values on the instance; start from the stored one.
        session = selectors.session_get(user=self.request.user, pk=self.session.pk, log=False)
        services.treatment_record(by=self.request.user, session=session, **form.service_fields())

    def get_context_data(self, **kwargs):
        return super().get_context_data(title="Treatment record", **kwargs)


class PostCareView(_SessionMixin, RoleRequiredMixin, TemplateView):
    permission_required = selectors.VIEW
    template_name = "scheduling/post_care.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        procedures = self.session.session_type.procedures
        context.update(
            microneedling=rules.MICRONEEDLING in procedures,
            prp=rules.PRP in procedures,
            lllt=rules.LLLT in procedures,
        )
        return context


# ---- consent ------------------------------------------------------------------------------


class ConsentCreateView(RoleRequiredMixin, IdempotentFormMixin, FormView):
    # A form answers GET and POST; Django would take PUT as a POST.
    http_method_names = FORM_METHODS
    permission_required = "scheduling.add_consent"
    template_name = "scheduling/consent_form.html"
    form_class = ConsentForm

    def dispatch(self, request, *args, **kwargs):
        if kwargs["procedure"] not in CONSENT_TEXTS:
            raise Http404
        self.text = CONSENT_TEXTS[kwargs["procedure"]]
        if request.user.is_authenticated and self.has_permission():
            self.patient = intake_selectors.patient_get(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        _, saved = call_service(
            form,
            services.consent_sign,
            by=self.request.user,
            patient=self.patient,
            procedure=self.text.procedure,
            typed_name=form.cleaned_data["typed_name"],
            agreed=form.cleaned_data["agreed"],
        )
        if not saved:
            return self.form_invalid(form)
        url = safe_next(
            self.request, self.request.POST.get("next"), self.patient.get_absolute_url()
        )
        mark_completed(self.request, url)
        messages.success(self.request, f"{self.text.title}: recorded.")
        return HttpResponseRedirect(url)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(patient=self.patient, text=self.text, next=self.request.GET.get("next", ""))
        return context
