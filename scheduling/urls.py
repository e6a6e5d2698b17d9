from datetime import date

from django.urls import URLPattern, path, register_converter
from django.views import View

from core import bounds
from scheduling import views


class DateConverter:
    """A day in the URL as YYYY-MM-DD (dates are not patient data). A day that does not exist,
    or lies outside the years the app knows (core.bounds), is no URL: 404, never a 500."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> date:
        day = date.fromisoformat(value)
        if not bounds.in_range(day):
            raise ValueError(f"{value} is outside the days the schedule shows")
        return day

    def to_url(self, value: date) -> str:
        return value.isoformat()


register_converter(DateConverter, "day")

app_name = "scheduling"


def _session_path(action: str, view: type[View]) -> URLPattern:
    """A page or button of one session: `sessions/<pk>/<action>/`, named `session-<action>`."""
    return path(f"sessions/<int:pk>/{action}/", view.as_view(), name=f"session-{action}")


urlpatterns = [
    path("", views.DayView.as_view(), name="today"),
    path("day/<day:day>/", views.DayView.as_view(), name="day"),
    path("slots/", views.FreeSlotsView.as_view(), name="free-slots"),
    path("attention/", views.AttentionView.as_view(), name="attention"),
    path("book/", views.SessionBookView.as_view(), name="session-book"),
    path("sessions/<int:pk>/", views.SessionDetailView.as_view(), name="session-detail"),
    _session_path("reschedule", views.SessionRescheduleView),
    _session_path("cancel", views.SessionCancelView),
    _session_path("check-in", views.SessionCheckInView),
    _session_path("no-show", views.SessionNoShowView),
    _session_path("start", views.SessionStartView),
    _session_path("treatment", views.TreatmentRecordView),
    _session_path("complete", views.SessionCompleteView),
    _session_path("post-care", views.PostCareView),
    _session_path("addendum", views.AddendumCreateView),
    path(
        "patients/<int:pk>/consent/<slug:procedure>/",
        views.ConsentCreateView.as_view(),
        name="consent-create",
    ),
]
