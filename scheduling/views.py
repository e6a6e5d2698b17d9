"""Scheduling pages: declarations on core's base views. Selectors read (and log reads), one
service call writes."""

from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.views.generic import TemplateView

from core.bounds import in_range
from core.idempotency import IdempotentFormMixin, new_token
from core.redirects import safe_next
from core.views import (
    ObjectActionView,
    ObjectFormView,
    ObjectListView,
    ObjectView,
    RoleRequiredMixin,
)
from eligibility import rules
from eligibility.services import eligibility_for
from intake import selectors as intake_selectors
from scheduling import refusals, selectors, services, times
from scheduling.consent import CURRENT as CONSENT_TEXTS
from scheduling.forms import (
    AddendumForm,
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


class _SessionPage:
    """A page of the session in the URL; every one shows the patient, so the read is logged."""

    selector = selectors.session_get
    context_object_name = "session"


class _SessionFormView(_SessionPage, ObjectFormView):
    """A form about one session whose valid POST calls one service."""

    template_name = "scheduling/session_form.html"
    error_message = "Not saved: see the marked fields."
    title = ""

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=self.title, **kwargs)


class _SessionActionView(ObjectActionView):
    """A button that calls one service and goes back to the session; a refusal's message links
    to what fixes it (scheduling.refusals)."""

    def load(self, user, *, pk: int):
        # A button shows nothing: the change it makes is in the audit log already.
        return selectors.session_get(user=user, pk=pk, log=False)

    def post(self, request, *args, **kwargs):
        """ObjectActionView's post, but a refusal is drawn with its links (core's would join its
        messages as plain text)."""
        back = self.get_success_url()
        try:
            self.result = self.call()
        except ValidationError as exc:
            messages.error(request, refusals.message(exc, request.user, back=back))
        else:
            if message := self.get_success_message({}):
                messages.success(request, message)
        return HttpResponseRedirect(back)


class _OverrideMixin:
    """Those who may book inside the minimum interval get the override note's field; a refusal
    raised by `call` links to what fixes it, the override note among them."""

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["can_override"] = self.request.user.has_perm("scheduling.override_interval")
        return kwargs

    def linked(self, form, *, back: str):
        field = form["override_note"].auto_id if "override_note" in form.fields else ""
        return refusals.linked(self.request.user, back=back, override_field=field)


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


class AttentionView(ObjectListView):
    """The front desk's list of booked sessions that can no longer go ahead as booked."""

    permission_required = selectors.VIEW
    template_name = "scheduling/attention.html"
    selector = selectors.sessions_needing_attention
    log_selector = selectors.sessions_shown
    per_page = selectors.ATTENTION_PAGE_SIZE

    def get_context_data(self, **kwargs):
        return super().get_context_data(today=times.today(), **kwargs)


class FreeSlotsView(RoleRequiredMixin, TemplateView):
    """Free slots; with a patient chosen (by id, in the picker), only those they could be booked
    into, each bookable in one click, or the reason they cannot be booked."""

    permission_required = selectors.VIEW
    template_name = "scheduling/free_slots.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        data = self.request.GET if "session_type" in self.request.GET else None
        form = FreeSlotsForm(data, initial={"day": times.today()})
        if data is None and "patient" in self.request.GET:
            form.initial["patient"] = _int(self.request.GET["patient"])
        # The picker shows the chosen patient's name: the read is logged.
        chosen = _int(form["patient"].value())
        patient = selectors.booking_patient(user=user, pk=chosen) if chosen else None
        slots, blocked, missing = None, "", []
        if form.is_valid():
            session_type = form.cleaned_data["session_type"]
            search = {
                "session_type": session_type,
                "day": max(form.cleaned_data["day"], times.today()),
                "provider": form.cleaned_data["provider"],
                "room": form.cleaned_data["room"],
            }
            if patient is None:
                slots = selectors.free_slots(**search)
            else:
                found = selectors.patient_free_slots(user=user, patient=patient, **search)
                slots, blocked = found.slots, found.blocked
                if not blocked:
                    missing = services.missing_consents(patient, session_type.procedures)
        context.update(
            form=form,
            slots=slots,
            patient=patient,
            blocked=blocked,
            missing_consents=missing,
            # One click books a slot for the chosen patient; each button its own form token.
            rows=[(slot, new_token()) for slot in slots or ()],
        )
        return context


# ---- booking ------------------------------------------------------------------------------


class SessionBookView(_OverrideMixin, IdempotentFormMixin, ObjectFormView):
    permission_required = "scheduling.add_treatmentsession"
    template_name = "scheduling/session_book.html"
    form_class = BookingForm
    error_message = "Not booked: see why below."

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

    def call(self, form):
        data = form.cleaned_data
        with self.linked(form, back=self.filled_in(data)):
            return services.session_book(
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

    @staticmethod
    def filled_in(data) -> str:
        """This form filled in as posted (ids and a time, no names): where a consent taken from
        a refusal's link comes back to."""
        query = {
            "patient": data["patient"].pk,
            "session_type": data["session_type"].pk,
            "start": data["start"].isoformat(),
        }
        query.update({name: data[name].pk for name in ("provider", "room", "device") if data[name]})
        return f"{reverse('scheduling:session-book')}?{urlencode(query)}"

    def get_success_url(self) -> str:
        return self.result.get_absolute_url()

    def get_success_message(self, cleaned_data) -> str:
        session = self.result
        return f"Booked {session.session_type} on {times.local(session.start):%a %d %b at %H:%M}."

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
        context["empty_text"] = (
            "No patient chosen yet. Open the patient (Patients) and choose Book a session, "
            "or search for them here."
        )
        return context


class SessionDetailView(_SessionPage, ObjectView):
    permission_required = selectors.VIEW
    template_name = "scheduling/session_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        session = self.object
        context.update(
            events=selectors.session_events(user=self.request.user, session=session),
            Status=Status,
            is_today=times.local(session.start).date() == times.today(),
            record_gaps=services.record_gaps(session) if session.is_charted else [],
            addenda=(
                selectors.session_addenda(user=self.request.user, session=session)
                if self.request.user.has_perm("scheduling.view_addendum")
                else []
            ),
        )
        return context


class SessionRescheduleView(_OverrideMixin, _SessionFormView):
    permission_required = "scheduling.change_treatmentsession"
    form_class = RescheduleForm
    success_message = "Session moved."
    title = "Move session"

    def get_initial(self):
        start = times.local(self.object.start)
        return {
            "day": start.date(),
            "time": start.time(),
            "provider": self.object.provider_id,
            "room": self.object.room_id,
            "device": self.object.device_id,
        }

    def call(self, form):
        data = form.cleaned_data
        with self.linked(form, back=self.request.path):
            return services.session_reschedule(
                by=self.request.user,
                session=self.object,
                start=data["start"],
                provider=data["provider"],
                room=data["room"],
                device=data["device"],
                override_note=data.get("override_note", ""),
            )


class SessionCancelView(_SessionFormView):
    permission_required = "scheduling.cancel_session"
    form_class = CancelForm
    success_message = "Session cancelled."
    title = "Cancel session"

    def call(self, form):
        return services.session_cancel(
            by=self.request.user, session=self.object, reason=form.cleaned_data["reason"]
        )


class SessionCheckInView(_SessionFormView):
    permission_required = "scheduling.check_in_session"
    form_class = CheckInForm
    title = "Check in"

    def call(self, form):
        user = self.request.user
        with refusals.linked(user, back=self.request.path):
            session = services.session_check_in(
                by=user, session=self.object, answers=form.answers()
            )
        if session.stopped_by is not None:
            back = session.get_absolute_url()
            messages.warning(self.request, refusals.message(session.stopped_by, user, back=back))
        else:
            messages.success(self.request, "Checked in.")
        return session


class SessionNoShowView(_SessionActionView):
    permission_required = "scheduling.check_in_session"
    success_message = "Marked as a no-show."

    def call(self):
        return services.session_no_show(by=self.request.user, session=self.object)


class SessionStartView(_SessionActionView):
    permission_required = "scheduling.chart_treatment"
    success_message = "Treatment started."

    def call(self):
        return services.session_start(by=self.request.user, session=self.object)


class SessionCompleteView(_SessionActionView):
    permission_required = "scheduling.chart_treatment"
    success_message = "Session completed."

    def call(self):
        return services.session_complete(by=self.request.user, session=self.object)


class TreatmentRecordView(_SessionFormView):
    permission_required = "scheduling.chart_treatment"
    form_class = TreatmentForm
    success_message = "Treatment record saved."
    title = "Treatment record"

    def get(self, request, *args, **kwargs):
        if self.object.status == Status.COMPLETED:
            # Locked once completed: a correction is an addendum, never a rewrite.
            messages.info(request, "The record is locked since the session was completed.")
            if request.user.has_perm("scheduling.add_addendum"):
                return HttpResponseRedirect(
                    reverse("scheduling:session-addendum", args=[self.object.pk])
                )
            return HttpResponseRedirect(self.object.get_absolute_url())
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(
            instance=self.object,
            procedures=self.object.session_type.procedures,
            can_set_depth=self.request.user.has_perm("scheduling.set_needle_depth"),
        )
        return kwargs

    def call(self, form):
        # The ModelForm already set the posted values on the instance; start from the stored one.
        session = selectors.session_get(user=self.request.user, pk=self.object.pk, log=False)
        with refusals.linked(self.request.user, back=self.request.path):
            return services.treatment_record(
                by=self.request.user, session=session, **form.service_fields()
            )


class AddendumCreateView(_SessionFormView):
    permission_required = "scheduling.add_addendum"
    form_class = AddendumForm
    success_message = "Addendum added to the record."
    title = "Addendum to the treatment record"

    def call(self, form):
        return services.addendum_write(
            by=self.request.user,
            session=self.object,
            reason=form.cleaned_data["reason"],
            text=form.cleaned_data["text"],
        )


class PostCareView(_SessionPage, ObjectView):
    permission_required = selectors.VIEW
    template_name = "scheduling/post_care.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        procedures = self.object.session_type.procedures
        context.update(
            microneedling=rules.MICRONEEDLING in procedures,
            prp=rules.PRP in procedures,
            lllt=rules.LLLT in procedures,
        )
        return context


# ---- consent ------------------------------------------------------------------------------


class ConsentCreateView(IdempotentFormMixin, ObjectFormView):
    permission_required = "scheduling.add_consent"
    template_name = "scheduling/consent_form.html"
    form_class = ConsentForm
    context_object_name = "patient"

    def load(self, user, *, pk: int, procedure: str):
        self.text = CONSENT_TEXTS.get(procedure)
        if self.text is None:
            raise Http404
        return intake_selectors.patient_get(user=user, pk=pk)

    def call(self, form):
        return services.consent_sign(
            by=self.request.user,
            patient=self.object,
            procedure=self.text.procedure,
            typed_name=form.cleaned_data["typed_name"],
            agreed=form.cleaned_data["agreed"],
            shown_version=self.request.POST.get("text_version", ""),
        )

    def get_success_url(self) -> str:
        default = self.object.get_absolute_url()
        return safe_next(self.request, self.request.POST.get("next"), default)

    def get_success_message(self, cleaned_data) -> str:
        return f"{self.text.title}: recorded."

    def get_context_data(self, **kwargs):
        next_url = self.request.GET.get("next", "")
        return super().get_context_data(text=self.text, next=next_url, **kwargs)
