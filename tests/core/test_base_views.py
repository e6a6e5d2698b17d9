"""core.views' base classes (issue 13): the permission before any read, the selector's 404, the
list's pages, and what a form or a button does after its one service call."""

import pytest
from auditlog.models import LogEntry
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import RequestFactory

from core.paging import MAX_PER_PAGE
from core.roles import FRONT_DESK
from core.views import (
    ObjectActionView,
    ObjectFormView,
    ObjectListView,
    ObjectView,
)
from intake import selectors
from intake.views import PatientListView
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

VIEW = "intake.view_patient"


def _never(**kwargs):
    raise AssertionError("the selector ran for a request that must not read anything")


def _request(user, method: str = "get", data: dict | None = None, path: str = "/page/"):
    request = getattr(RequestFactory(), method)(path, data or {})
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _accesses() -> int:
    return LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count()


@pytest.fixture
def desk():
    return UserFactory(role=FRONT_DESK)


@pytest.fixture
def nobody():
    return UserFactory()


# ---- the permission first ---------------------------------------------------------------------


class NeverView(ObjectView):
    permission_required = VIEW
    template_name = "unused.html"
    selector = _never


class NeverForm(ObjectFormView):
    permission_required = VIEW
    template_name = "unused.html"
    form_class = forms.Form
    selector = _never


class NeverAction(ObjectActionView):
    permission_required = VIEW
    selector = _never


class NeverList(ObjectListView):
    permission_required = VIEW
    template_name = "unused.html"
    selector = _never


@pytest.mark.parametrize("view", [NeverView, NeverForm, NeverAction, NeverList])
@pytest.mark.parametrize("method", ["get", "post", "put"])
def test_a_user_without_the_permission_is_refused_before_anything_is_read(view, method, nobody):
    """A 403 never says whether the record exists: the selector is not even called."""
    with pytest.raises(PermissionDenied):
        view.as_view()(_request(nobody, method), pk=1)


@pytest.mark.parametrize("view", [NeverView, NeverAction])
def test_a_method_the_view_does_not_answer_reads_nothing(view, desk):
    response = view.as_view()(_request(desk, "put"), pk=1)
    assert response.status_code == 405


class PatientPage(ObjectView):
    permission_required = VIEW
    template_name = "unused.html"
    selector = selectors.patient_get
    context_object_name = "patient"


def test_a_missing_record_is_a_404_for_a_user_with_the_permission(desk):
    with pytest.raises(Http404):
        PatientPage.as_view()(_request(desk), pk=999_999)
    assert _accesses() == 0


def test_a_record_is_loaded_logged_and_named_in_the_context(desk):
    patient = PatientFactory()
    response = PatientPage.as_view()(_request(desk), pk=patient.pk)
    assert response.status_code == 200
    assert response.context_data["patient"] == patient
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS)
    assert (entry.object_pk, entry.actor) == (str(patient.pk), desk)


# ---- lists --------------------------------------------------------------------------------------


class PatientList(PatientListView):
    """Its search is in the session (`SessionSearchMixin`)."""

    per_page = 2


def _context(view, user, data=None, **kwargs) -> dict:
    response = view.as_view()(_request(user, data=data), **kwargs)
    assert response.status_code == 200
    return response.context_data


def test_a_list_shows_one_page_and_logs_exactly_its_rows(desk):
    PatientFactory.create_batch(5)
    first = _context(PatientList, desk)
    assert len(first["table"].page.object_list) == 2
    assert _accesses() == 2
    last = _context(PatientList, desk, {"page": "3"})
    assert last["page"].number == 3
    assert len(last["page"].object_list) == 1
    assert _accesses() == 3
    assert last["filter_form"] is not None


def test_a_list_keeps_the_page_size_in_bounds(desk):
    PatientFactory.create_batch(3)
    huge = _context(PatientList, desk, {"per_page": str(10**9)})
    assert huge["table"].paginator.per_page == MAX_PER_PAGE
    assert len(huge["table"].page.object_list) == 3


def _searched(user, session, data: dict):
    request = _request(user, "post", data, path="/patients/")
    request.session = session
    return PatientList.as_view()(request)


def _page(user, session) -> dict:
    request = _request(user)
    request.session = session
    return PatientList.as_view()(request).context_data


def test_a_search_is_kept_in_the_session_not_the_url(desk):
    PatientFactory(last_name="Lovelace")
    PatientFactory(last_name="Babbage")
    session = SessionStore()
    response = _searched(desk, session, {"q": "Lovelace"})
    assert (response.status_code, response.url) == (302, "/patients/")
    assert session[PatientList.search_session_key] == {"q": "Lovelace", "status": "", "sex": ""}
    context = _page(desk, session)
    assert context["searching"]
    assert [row.record.last_name for row in context["table"].page.object_list] == ["Lovelace"]
    _searched(desk, session, {"clear": "1"})
    assert PatientList.search_session_key not in session
    assert not _page(desk, session)["searching"]


def test_an_invalid_filter_shows_no_rows(desk):
    PatientFactory.create_batch(3)
    session = SessionStore()
    _searched(desk, session, {"status": "no-such-status"})
    assert len(_page(desk, session)["table"].page.object_list) == 0


class NumberList(ObjectListView):
    permission_required = VIEW
    template_name = "unused.html"
    per_page = 3

    def selector(user):
        return list(range(7))


@pytest.mark.parametrize(
    ("page", "rows"), [(None, [0, 1, 2]), ("2", [3, 4, 5]), ("99", [6]), ("x", [0, 1, 2])]
)
def test_a_list_without_a_table_is_a_page(desk, page, rows):
    context = _context(NumberList, desk, {"page": page} if page else None)
    assert context["table"] is None
    assert context["page"].object_list == rows


# ---- a form, a button ------------------------------------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField()


class ReasonView(ObjectFormView):
    """Loads unlogged; logs when drawn."""

    permission_required = VIEW
    template_name = "unused.html"
    form_class = ReasonForm
    context_object_name = "patient"
    log_selector = selectors.shown
    success_message = "Done for {object.last_name}: {result}."
    error_message = "Not done."

    def load(self, user, *, pk):
        return selectors.patient_get(user=user, pk=pk, log=False)

    def call(self, form):
        if form.cleaned_data["reason"] == "no":
            raise ValidationError("Refused.")
        return form.cleaned_data["reason"].upper()


def _messages(request) -> list[str]:
    return [str(m) for m in get_messages(request)]


def test_a_form_page_logs_when_it_is_drawn(desk):
    patient = PatientFactory()
    context = _context(ReasonView, desk, pk=patient.pk)
    assert context["patient"] == patient
    assert _accesses() == 1


def test_a_valid_post_calls_the_service_once_and_goes_to_the_record(desk):
    patient = PatientFactory(last_name="Lovelace")
    request = _request(desk, "post", {"reason": "moved"})
    response = ReasonView.as_view()(request, pk=patient.pk)
    assert (response.status_code, response.url) == (302, patient.get_absolute_url())
    assert _messages(request) == ["Done for Lovelace: MOVED."]
    # Only changed, not shown: nothing logged as read.
    assert _accesses() == 0


def test_a_refusal_is_shown_on_the_form(desk):
    patient = PatientFactory()
    request = _request(desk, "post", {"reason": "no"})
    response = ReasonView.as_view()(request, pk=patient.pk)
    assert response.status_code == 200
    assert response.context_data["form"].non_field_errors() == ["Refused."]
    assert _messages(request) == ["Not done."]
    assert _accesses() == 1


class RefusedAction(ObjectActionView):
    permission_required = VIEW
    selector = selectors.patient_get
    success_message = "Never shown."

    def call(self):
        raise ValidationError("Not now.")


def test_a_refused_button_says_why_and_goes_back(desk):
    patient = PatientFactory()
    request = _request(desk, "post")
    response = RefusedAction.as_view()(request, pk=patient.pk)
    assert (response.status_code, response.url) == (302, patient.get_absolute_url())
    assert _messages(request) == ["Not now."]
