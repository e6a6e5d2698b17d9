"""The kernel's views: deny by default, and the base classes every page of patient data is a
declaration on (NetBox's `ObjectView` / `ObjectListView` shape).

A page declares its permission, the selector that reads what it shows, its template, and for a
list its filterset and table, for a form its form class and the one service its POST calls. The
base class checks the permission before anything is read, so a 403 never says whether a record
exists; the selector checks its own permission too and writes the access-log entry.
"""

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import DatabaseError
from django.http import HttpResponseRedirect
from django.views import View
from django.views.generic import FormView, TemplateView

from core.idempotency import IdempotentFormMixin, mark_completed
from core.paging import page_size, paginate_table

# A form page answers GET and POST; Django's FormView would take a PUT as a POST.
FORM_METHODS = ["get", "post", "head", "options"]

# A selector: `(user=..., **url_kwargs) -> record`, or for a list `(user=...) -> rows`.
Selector = Callable[..., Any]
# A selector that logs the records a drawn page shows: `(user=..., objects=[...]) -> None`.
LogSelector = Callable[..., None]


class RoleRequiredMixin(PermissionRequiredMixin):
    """Deny by default: a logged-in user without the permission gets 403, never the page.

    Anonymous visitors never get this far: LoginRequiredMiddleware sends them to the login page.
    """

    raise_exception = True


TRY_AGAIN = (
    "The record could not be saved because of a database problem. "
    "Nothing was saved; please try again."
)


def call_service(form, service, /, **kwargs):
    """Run the one service a POST calls; a refusal or a database fault becomes the form's error.

    Returns (result, True) on success and (None, False) when the form should be shown again.
    """
    try:
        return service(**kwargs), True
    except ValidationError as exc:
        apply_validation_error(form, exc)
    except DatabaseError:
        form.add_error(None, TRY_AGAIN)
    return None, False


def apply_validation_error(form, exc: ValidationError) -> None:
    """Show a service's validation error on the form, field by field where it can."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _declared(view: View, name: str) -> Any:
    """A function declared on the class (`selector = selectors.patient_get`), unbound: read
    through the instance it would become a method."""
    return getattr(type(view), name)


# ---- base classes ---------------------------------------------------------------------------


class ObjectMixin(RoleRequiredMixin):
    """The permission first, then the record.

    A user without `permission_required` gets the 403 before anything is read, and a method the
    view does not answer gets its 405 unread too; only then is the record loaded, into
    `self.object` (in the template: `context_object_name`). `selector(user=..., **url_kwargs)`
    loads it (404 when it does not exist) and writes the access-log entry, or leaves that to
    `log_selector` on a form page, which logs when it is drawn; a page whose URL does not match
    its selector's arguments overrides `load`. Without a selector there is no record (a form that
    creates one).
    """

    selector: ClassVar[Selector | None] = None
    context_object_name = "object"
    object: Any = None

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        method = request.method.lower()
        if method in self.http_method_names and method != "options" and hasattr(self, method):
            self.object = self.load(request.user, **kwargs)
        # The permission is checked: on past PermissionRequiredMixin, which would check it again.
        return super(PermissionRequiredMixin, self).dispatch(request, *args, **kwargs)

    def load(self, user, **url_kwargs) -> Any:
        selector = _declared(self, "selector")
        return None if selector is None else selector(user=user, **url_kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**{self.context_object_name: self.object, **kwargs})


class ObjectView(ObjectMixin, TemplateView):
    """A record's page. Declare `permission_required`, `selector`, `template_name` and
    `context_object_name`; add to `get_context_data` what else the page shows."""


class _ServiceMixin:
    """What a page whose POST calls one service does after it: a message, then the record."""

    success_message = ""  # str.format fields: {object} (the loaded record), {result}
    result: Any = None  # what the service returned

    def get_success_message(self, cleaned_data: Mapping) -> str:
        return self.success_message.format(object=self.object, result=self.result)

    def get_success_url(self) -> str:
        return self.object.get_absolute_url()


class ObjectFormView(_ServiceMixin, ObjectMixin, FormView):
    """A form about the loaded record (or, without a selector, for a new one) whose valid POST
    calls exactly one service, `call(form)`; a refusal from it is shown on the form.

    Declare `permission_required`, `selector`, `form_class`, `template_name`,
    `success_message` and `error_message`. A page that loads its records unlogged declares
    `log_selector`: it logs `shown()` whenever the page is drawn, so a POST that only changes the
    record is in the audit log as that change. With `IdempotentFormMixin`, a resubmitted form
    is sent where the first submission led.
    """

    # A form answers GET and POST; Django would take PUT as a POST.
    http_method_names = FORM_METHODS
    error_message = ""
    log_selector: ClassVar[LogSelector | None] = None

    def call(self, form) -> Any:
        raise NotImplementedError

    def form_valid(self, form):
        self.result, saved = call_service(form, self.call, form=form)
        if not saved:
            return self.form_invalid(form)
        url = self.get_success_url()
        if isinstance(self, IdempotentFormMixin):
            mark_completed(self.request, url)
        if message := self.get_success_message(form.cleaned_data):
            messages.success(self.request, message)
        return HttpResponseRedirect(url)

    def form_invalid(self, form):
        if self.error_message:
            messages.error(self.request, self.error_message)
        return super().form_invalid(form)

    def shown(self) -> list:
        """The records the drawn page shows, for `log_selector`."""
        return [self.object]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        log_selector = _declared(self, "log_selector")
        if log_selector is not None:
            log_selector(user=self.request.user, objects=self.shown())
        return context


class ObjectActionView(_ServiceMixin, ObjectMixin, View):
    """A button (POST only) that calls one service, `call()`, on the loaded record and goes back
    to it; a refusal is the page's error message. Declare `permission_required`, `selector`
    and `success_message`."""

    http_method_names = ["post"]

    def call(self) -> Any:
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        try:
            self.result = self.call()
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if message := self.get_success_message({}):
                messages.success(request, message)
        return HttpResponseRedirect(self.get_success_url())


class ObjectListView(RoleRequiredMixin, TemplateView):
    """A page of the rows `selector(user=...)` returns, narrowed by `filterset_class`.

    With `table_class` the rows are a django-tables2 table (ordering from the URL), without one a
    `Page`; either way `?per_page=` stays within core.paging's bounds. `log_selector` logs the
    rows of the page drawn, in one bulk insert. Context: `table`, `page`, `filter_form`.
    """

    selector: ClassVar[Selector | None] = None
    log_selector: ClassVar[LogSelector | None] = None
    filterset_class: Any = None
    table_class: Any = None
    per_page = 25

    def search_data(self):
        """What the filterset filters on."""
        return self.request.GET

    def filter_rows(self, data) -> tuple[Any, Any]:
        """(the filter form to draw, the rows it selects): every row without a filterset, none
        when the filter is not valid."""
        rows = _declared(self, "selector")(user=self.request.user)
        if self.filterset_class is None:
            return None, rows
        filterset = self.filterset_class(data, queryset=rows)
        return filterset.form, filterset.qs if filterset.is_valid() else rows.none()

    def paginate(self, rows) -> tuple[Any, Page, list]:
        """(the table or None, the page, the records on it, each read once)."""
        if self.table_class is not None:
            table = paginate_table(self.request, self.table_class(rows), per_page=self.per_page)
            return table, table.page, [row.record for row in table.page.object_list]
        size = page_size(self.request, default=self.per_page)
        page = Paginator(rows, size).get_page(self.request.GET.get("page"))
        page.object_list = list(page.object_list)
        return None, page, page.object_list

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filter_form, rows = self.filter_rows(self.search_data())
        table, page, shown = self.paginate(rows)
        log_selector = _declared(self, "log_selector")
        if log_selector is not None:
            log_selector(user=self.request.user, objects=shown)
        context.update(filter_form=filter_form, table=table, page=page)
        return context


class SessionSearchMixin:
    """For an `ObjectListView`: the search is POSTed and kept in the session, so names, MRNs and
    dates of birth never appear in URLs. Declare `search_session_key` and `search_fields`; the
    template gets `searching`, and a POST with `clear` forgets the search."""

    search_session_key = ""
    search_fields: tuple[str, ...] = ()

    def post(self, request, *args, **kwargs):
        if "clear" in request.POST:
            request.session.pop(self.search_session_key, None)
        else:
            request.session[self.search_session_key] = {
                key: request.POST.get(key, "")[:100] for key in self.search_fields
            }
        return HttpResponseRedirect(request.path)

    def search_data(self) -> dict | None:
        return self.request.session.get(self.search_session_key)

    def get_context_data(self, **kwargs):
        return super().get_context_data(searching=bool(self.search_data()), **kwargs)
