"""Clinic-settings pages: declarations on core's base views. Selectors read, one service writes;
every write lands in the audit log through auditlog's signals, attributed by the service."""

from typing import Any, ClassVar

from django.contrib import messages
from django.urls import reverse

from configuration import selectors, services
from configuration.forms import (
    ClosedDayForm,
    ConfirmForm,
    DeviceForm,
    OpeningHoursForm,
    ProviderHoursForm,
    RoomForm,
    SessionTypeForm,
)
from configuration.tables import DeviceTable, RoomTable, SessionTypeTable
from core.idempotency import IdempotentFormMixin
from core.views import ObjectActionView, ObjectFormView, ObjectListView, ObjectView

FORM_TEMPLATE = "configuration/object_form.html"
NOT_SAVED = "Not saved: see the marked fields."


class _Resource:
    """What a room, device or session type page says and where it leads back to."""

    noun = ""  # "room"
    url_prefix = ""  # "configuration:room"
    list_title = ""  # "Rooms"

    @classmethod
    def list_url(cls) -> str:
        return reverse(f"{cls.url_prefix}-list")

    def get_success_url(self) -> str:
        return self.list_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            noun=self.noun,
            list_url=self.list_url(),
            list_title=self.list_title,
            url_prefix=self.url_prefix,
            **kwargs,
        )


class _ListView(_Resource, ObjectListView):
    template_name = "configuration/object_list.html"
    add_permission = ""
    intro = ""

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=self.list_title,
            intro=self.intro,
            can_add=self.request.user.has_perm(self.add_permission),
            add_url=reverse(f"{self.url_prefix}-create"),
            **kwargs,
        )


class _CreateView(_Resource, IdempotentFormMixin, ObjectFormView):
    template_name = FORM_TEMPLATE
    error_message = NOT_SAVED

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "submit": f"Add {self.noun}"}

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=f"Add a {self.noun}", **kwargs)


class _UpdateView(_Resource, ObjectFormView):
    """The record's edit page; from it, the record is deactivated or reactivated."""

    template_name = FORM_TEMPLATE
    error_message = NOT_SAVED
    success_message = "{result} saved."
    fields: ClassVar[tuple[str, ...]] = ()

    def get_initial(self):
        return {name: getattr(self.object, name) for name in self.fields}

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=f"Edit {self.object}", editing=True, **kwargs)


class _DeactivateView(_Resource, ObjectFormView):
    """A confirmation page that says what deactivating does, or why it can't be done yet."""

    template_name = "configuration/deactivate.html"
    form_class = ConfirmForm
    success_message = "{result} is inactive: it is no longer offered for booking."
    relation = ""  # how a session names the record: "room"

    def get_context_data(self, **kwargs):
        booked = selectors.booked_with(**{self.relation: self.object})
        return super().get_context_data(title=f"Deactivate {self.object}?", booked=booked, **kwargs)


class _ReactivateView(_Resource, ObjectActionView):
    success_message = "{result} is active again."


# ---- rooms ---------------------------------------------------------------------------------


class _Room(_Resource):
    noun = "room"
    url_prefix = "configuration:room"
    list_title = "Rooms"
    selector = selectors.room_get


class RoomListView(_Room, _ListView):
    permission_required = "scheduling.view_room"
    add_permission = "scheduling.add_room"
    selector = selectors.room_list
    table_class = RoomTable
    intro = (
        "The rooms sessions are booked into. A session type needs a room of its kind; an "
        "inactive room takes no new booking."
    )


class RoomCreateView(_Room, _CreateView):
    permission_required = "scheduling.add_room"
    selector = None
    form_class = RoomForm
    success_message = "{result} added."

    def call(self, form):
        return services.room_create(by=self.request.user, **form.service_fields())


class RoomUpdateView(_Room, _UpdateView):
    permission_required = "scheduling.change_room"
    form_class = RoomForm
    fields = ("name", "kind")

    def call(self, form):
        return services.room_update(by=self.request.user, room=self.object, **form.service_fields())


class RoomDeactivateView(_Room, _DeactivateView):
    permission_required = "scheduling.change_room"
    relation = "room"

    def call(self, form):
        return services.room_deactivate(by=self.request.user, room=self.object)


class RoomReactivateView(_Room, _ReactivateView):
    permission_required = "scheduling.change_room"

    def call(self):
        return services.room_reactivate(by=self.request.user, room=self.object)


# ---- devices -------------------------------------------------------------------------------


class _Device(_Resource):
    noun = "device"
    url_prefix = "configuration:device"
    list_title = "Devices"
    selector = selectors.device_get


class DeviceListView(_Device, _ListView):
    permission_required = "scheduling.view_device"
    add_permission = "scheduling.add_device"
    selector = selectors.device_list
    table_class = DeviceTable
    intro = (
        "Microneedling pens, PRP centrifuges and laser units, by serial number. A session "
        "type needs a device of its kind; an inactive device takes no new booking."
    )


class DeviceCreateView(_Device, _CreateView):
    permission_required = "scheduling.add_device"
    selector = None
    form_class = DeviceForm
    success_message = "{result.name} added."

    def call(self, form):
        return services.device_create(by=self.request.user, **form.service_fields())


class DeviceUpdateView(_Device, _UpdateView):
    permission_required = "scheduling.change_device"
    form_class = DeviceForm
    fields = ("name", "kind", "serial")
    success_message = "{result.name} saved."

    def call(self, form):
        return services.device_update(
            by=self.request.user, device=self.object, **form.service_fields()
        )


class DeviceDeactivateView(_Device, _DeactivateView):
    permission_required = "scheduling.change_device"
    relation = "device"
    success_message = "{result.name} is inactive: it is no longer offered for booking."

    def call(self, form):
        return services.device_deactivate(by=self.request.user, device=self.object)


class DeviceReactivateView(_Device, _ReactivateView):
    permission_required = "scheduling.change_device"
    success_message = "{result.name} is active again."

    def call(self):
        return services.device_reactivate(by=self.request.user, device=self.object)


# ---- session types -------------------------------------------------------------------------


class _SessionType(_Resource):
    noun = "session type"
    url_prefix = "configuration:sessiontype"
    list_title = "Session types"
    selector = selectors.sessiontype_get


class SessionTypeListView(_SessionType, _ListView):
    permission_required = "treatments.view_sessiontype"
    add_permission = "treatments.add_sessiontype"
    selector = selectors.sessiontype_list
    table_class = SessionTypeTable
    intro = (
        "What the front desk can book: one or more procedures in order, how long it takes, "
        "the kind of room and device it needs, and who may perform it. An inactive session "
        "type is no longer offered."
    )


class SessionTypeCreateView(_SessionType, _CreateView):
    permission_required = "treatments.add_sessiontype"
    selector = None
    form_class = SessionTypeForm
    success_message = "{result} added."

    def call(self, form):
        return services.sessiontype_create(by=self.request.user, **form.service_fields())


class SessionTypeUpdateView(_SessionType, _UpdateView):
    permission_required = "treatments.change_sessiontype"
    form_class = SessionTypeForm

    def get_initial(self):
        return SessionTypeForm.initial_from(self.object)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "listed": list(self.object.providers.all())}

    def call(self, form):
        return services.sessiontype_update(
            by=self.request.user, session_type=self.object, **form.service_fields()
        )


class SessionTypeDeactivateView(_SessionType, _DeactivateView):
    permission_required = "treatments.change_sessiontype"
    relation = "session_type"

    def call(self, form):
        return services.sessiontype_deactivate(by=self.request.user, session_type=self.object)


class SessionTypeReactivateView(_SessionType, _ReactivateView):
    permission_required = "treatments.change_sessiontype"

    def call(self):
        return services.sessiontype_reactivate(by=self.request.user, session_type=self.object)


# ---- hours ---------------------------------------------------------------------------------


def _hours_url() -> str:
    return reverse("configuration:hours")


class HoursView(ObjectView):
    """Opening hours, closed days from today on, and each provider's week, on one page."""

    permission_required = "scheduling.view_openinghours"
    template_name = "configuration/hours.html"
    context_object_name = "overview"

    def load(self, user, **url_kwargs) -> Any:
        return selectors.hours_overview(user=user)


class OpeningHoursView(ObjectFormView):
    permission_required = (
        "scheduling.view_openinghours",
        "scheduling.add_openinghours",
        "scheduling.change_openinghours",
        "scheduling.delete_openinghours",
    )
    template_name = "configuration/opening_hours.html"
    form_class = OpeningHoursForm
    error_message = NOT_SAVED
    success_message = "Opening hours saved."

    def get_initial(self):
        return OpeningHoursForm.initial_from(selectors.opening_week())

    def call(self, form):
        return services.opening_hours_set(by=self.request.user, week=form.week())

    def get_success_url(self) -> str:
        return _hours_url()

    def get_success_message(self, cleaned_data) -> str:
        """The confirmation, then what the new hours leave outside them (provider hours)."""
        messages.success(self.request, super().get_success_message(cleaned_data))
        for warning in self.result:
            messages.warning(self.request, warning)
        return ""

    def get_context_data(self, **kwargs):
        return super().get_context_data(title="Opening hours", **kwargs)


class ClosedDayCreateView(IdempotentFormMixin, ObjectFormView):
    permission_required = "scheduling.add_closedday"
    template_name = FORM_TEMPLATE
    form_class = ClosedDayForm
    error_message = NOT_SAVED
    success_message = "The clinic is closed on {result.day:%a %d %b %Y}."

    def call(self, form):
        return services.closedday_add(by=self.request.user, **form.service_fields())

    def get_success_url(self) -> str:
        return _hours_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title="Add a closed day",
            list_url=_hours_url(),
            list_title="Hours",
            intro="No session can be booked on a closed day. A day with sessions booked "
            "can't be closed until they are moved or cancelled.",
            **kwargs,
        )


class ClosedDayDeleteView(ObjectActionView):
    permission_required = "scheduling.delete_closedday"
    selector = selectors.closedday_get
    success_message = "The clinic is open again on {object.day:%a %d %b %Y}."

    def call(self):
        return services.closedday_delete(by=self.request.user, closed_day=self.object)

    def get_success_url(self) -> str:
        return _hours_url()


class ProviderHoursView(IdempotentFormMixin, ObjectFormView):
    """One provider's week: their shifts, each to edit or remove, and a form to add one."""

    permission_required = ("scheduling.view_providerhours", "scheduling.add_providerhours")
    template_name = "configuration/provider_hours.html"
    selector = selectors.provider_get
    context_object_name = "provider"
    form_class = ProviderHoursForm
    error_message = NOT_SAVED
    success_message = "Hours added."

    def call(self, form):
        return services.providerhours_add(
            by=self.request.user, provider=self.object, **form.service_fields()
        )

    def get_success_url(self) -> str:
        return reverse("configuration:provider-hours", args=[self.object.pk])

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            name=selectors.provider_name(self.object),
            shifts=selectors.provider_shifts(user=user, provider=self.object),
            can_treat=selectors.can_treat(self.object),
            week=selectors.opening_week(),
            **kwargs,
        )


class ProviderHoursUpdateView(ObjectFormView):
    permission_required = "scheduling.change_providerhours"
    template_name = FORM_TEMPLATE
    selector = selectors.shift_get
    context_object_name = "shift"
    form_class = ProviderHoursForm
    error_message = NOT_SAVED
    success_message = "Hours saved."

    def get_initial(self):
        return {"weekday": self.object.weekday, "start": self.object.start, "end": self.object.end}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "submit": "Save hours"}

    def call(self, form):
        return services.providerhours_update(
            by=self.request.user, shift=self.object, **form.service_fields()
        )

    def get_success_url(self) -> str:
        return reverse("configuration:provider-hours", args=[self.object.provider_id])

    def get_context_data(self, **kwargs):
        name = selectors.provider_name(self.object.provider)
        return super().get_context_data(
            title=f"Edit {name}'s hours",
            list_url=self.get_success_url(),
            list_title=f"{name}'s hours",
            **kwargs,
        )


class ProviderHoursDeleteView(ObjectActionView):
    permission_required = "scheduling.delete_providerhours"
    selector = selectors.shift_get
    success_message = "Hours removed."

    def call(self):
        return services.providerhours_delete(by=self.request.user, shift=self.object)

    def get_success_url(self) -> str:
        return reverse("configuration:provider-hours", args=[self.object.provider_id])
