"""Photo pages: declarations on core's base views. The files themselves are streamed by
`ImageView` only, after the permission check and the access-log entry, never cached."""

from typing import ClassVar

from django.http import FileResponse, Http404
from django.urls import reverse
from django.views import View

from core.views import ObjectFormView, ObjectListView, ObjectMixin, ObjectView
from photos import consent, selectors, services
from photos.forms import (
    CompareForm,
    PhotoConsentForm,
    PhotoUploadForm,
    PhotoViewForm,
    WithdrawForm,
)

NOT_SAVED = "Not saved: see the marked fields."


# ---- the files ----------------------------------------------------------------------------


class ImageView(ObjectMixin, View):
    """A photo's file, streamed: never under a public URL, never kept by a browser or proxy."""

    permission_required = selectors.VIEW
    selector = selectors.photo_file
    http_method_names = ["get", "head"]
    field = "image"

    def get(self, request, *args, **kwargs):
        stored = getattr(self.object, self.field)
        try:
            handle = stored.open("rb")
        except FileNotFoundError:
            raise Http404("The photo's file is missing.") from None
        response = FileResponse(
            handle, content_type="image/jpeg", filename=f"scalp-photo-{self.object.pk}.jpg"
        )
        response["Cache-Control"] = "no-store, private"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class ThumbnailView(ImageView):
    field = "thumbnail"


# ---- taking photos ------------------------------------------------------------------------


class PhotoUploadView(ObjectFormView):
    """One view of the session at a time, from the session page's card (or this page, when
    the photo was refused and the form says why)."""

    permission_required = services.TAKE
    selector = selectors.upload_session
    form_class = PhotoUploadForm
    template_name = "photos/upload.html"
    context_object_name = "session"
    error_message = "The photo was not saved: see why below."

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["views"] = selectors.active_views()
        return kwargs

    def call(self, form):
        return services.photo_take(
            by=self.request.user,
            session=self.object,
            view=form.cleaned_data["view"],
            upload=form.cleaned_data["image"],
        )

    def get_success_message(self, cleaned_data) -> str:
        return f"{self.result.view.label} photo saved."

    def get_success_url(self) -> str:
        return reverse("scheduling:session-detail", args=[self.object.pk]) + "#photos"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["consent"] = services.consent_active(self.object.patient)
        return context


class ContactSheetView(ObjectView):
    permission_required = selectors.VIEW
    selector = selectors.contact_sheet
    template_name = "photos/contact_sheet.html"
    context_object_name = "sheet"


class CompareView(ObjectView):
    """The same view from two dates: first and latest unless the form chose others."""

    permission_required = selectors.VIEW
    selector = selectors.patient_photos
    template_name = "photos/compare.html"
    context_object_name = "course"

    def _choice(self) -> tuple[CompareForm, int | None, int | None, int | None]:
        """The form, and the view and two sessions it chose (the defaults when it chose none,
        or chose what is not this patient's)."""
        course = self.object
        form = CompareForm(
            self.request.GET or None, views=course.views(), sessions=course.sessions()
        )
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            return form, data["view"], data["before"], data["after"]
        default = course.first_and_latest()
        if default is None:
            return form, None, None, None
        if not form.is_bound:
            initial = dict(zip(("view", "before", "after"), default, strict=True))
            form = CompareForm(initial=initial, views=course.views(), sessions=course.sessions())
        return form, *default

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, view_id, before_id, after_id = self._choice()
        course = self.object
        sessions = {s.pk: s for s in course.sessions()}
        view = next((v for v in course.views() if v.pk == view_id), None)
        before = course.photo(view_id, before_id) if view else None
        after = course.photo(view_id, after_id) if view else None
        selectors.shown(user=self.request.user, objects=[before, after])
        context.update(
            form=form,
            patient=course.patient,
            view=view,
            before=before,
            after=after,
            before_session=sessions.get(before_id),
            after_session=sessions.get(after_id),
        )
        return context


# ---- consent ------------------------------------------------------------------------------


class ConsentCreateView(ObjectFormView):
    permission_required = services.SIGN
    selector = selectors.consent_patient
    form_class = PhotoConsentForm
    template_name = "photos/consent_form.html"
    context_object_name = "patient"
    success_message = "Photo consent recorded."
    error_message = NOT_SAVED

    def call(self, form):
        return services.consent_record(
            by=self.request.user,
            patient=self.object,
            typed_name=form.cleaned_data["typed_name"],
            agreed=form.cleaned_data["agreed"],
        )

    def _session_id(self) -> int | None:
        """The session page the form was opened from, to go back to."""
        value = self.request.GET.get("session", "")
        return int(value) if value.isdigit() else None

    def get_success_url(self) -> str:
        session_id = self._session_id()
        if session_id is not None and selectors.is_patients_session(self.object, session_id):
            return reverse("scheduling:session-detail", args=[session_id]) + "#photos"
        return self.object.get_absolute_url() + "#photos"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            consent=services.consent_active(self.object),
            title=consent.TITLE,
            version=consent.VERSION,
            paragraphs=consent.PARAGRAPHS,
            **kwargs,
        )


class ConsentWithdrawView(ObjectFormView):
    """A confirmation page: what withdrawing does, then the button."""

    permission_required = services.WITHDRAW
    selector = selectors.consent_get
    form_class = WithdrawForm
    template_name = "photos/consent_withdraw.html"
    context_object_name = "consent"
    success_message = "Photo consent withdrawn: no new photos will be taken."

    def call(self, form):
        return services.consent_withdraw(by=self.request.user, consent=self.object)

    def get_success_url(self) -> str:
        return self.object.patient.get_absolute_url() + "#photos"


# ---- the clinic's views ------------------------------------------------------------------


class ViewListView(ObjectListView):
    permission_required = selectors.VIEW_VIEWS
    selector = selectors.view_list
    template_name = "photos/view_list.html"
    per_page = 50


class _ViewFormView(ObjectFormView):
    form_class = PhotoViewForm
    template_name = "photos/view_form.html"
    error_message = NOT_SAVED
    success_message = "{result} saved."
    editing: ClassVar[bool] = False

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "editing": self.editing}

    def get_success_url(self) -> str:
        return reverse("photos:view-list")


class ViewCreateView(_ViewFormView):
    permission_required = services.ADD_VIEW
    selector = None

    def get_initial(self):
        return {"position": selectors.next_position()}

    def call(self, form):
        return services.view_create(by=self.request.user, **form.cleaned_data)

    def get_context_data(self, **kwargs):
        return super().get_context_data(title="Add a view", **kwargs)


class ViewUpdateView(_ViewFormView):
    permission_required = services.CHANGE_VIEW
    selector = selectors.view_get
    editing = True

    def get_initial(self):
        return {
            "label": self.object.label,
            "position": self.object.position,
            "active": self.object.active,
        }

    def call(self, form):
        return services.view_update(by=self.request.user, view=self.object, **form.cleaned_data)

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=f"Edit {self.object.label}", **kwargs)
