from datetime import date

from django.urls import path, register_converter

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

urlpatterns = [
    path("", views.DayView.as_view(), name="today"),
    path("day/<day:day>/", views.DayView.as_view(), name="day"),
    path("slots/", views.FreeSlotsView.as_view(), name="free-slots"),
    path("attention/", views.AttentionView.as_view(), name="attention"),
    path("book/", views.SessionBookView.as_view(), name="session-book"),
    path("sessions/<int:pk>/", views.SessionDetailView.as_view(), name="session-detail"),
    path(
        "sessions/<int:pk>/reschedule/",
        views.SessionRescheduleView.as_view(),
        name="session-reschedule",
    ),
    path("sessions/<int:pk>/cancel/", views.SessionCancelView.as_view(), name="session-cancel"),
    path(
        "sessions/<int:pk>/check-in/", views.SessionCheckInView.as_view(), name="session-check-in"
    ),
    path("sessions/<int:pk>/no-show/", views.SessionNoShowView.as_view(), name="session-no-show"),
    path("sessions/<int:pk>/start/", views.SessionStartView.as_view(), name="session-start"),
    path(
        "sessions/<int:pk>/treatment/",
        views.TreatmentRecordView.as_view(),
        name="session-treatment",
    ),
    path(
        "sessions/<int:pk>/complete/", views.SessionCompleteView.as_view(), name="session-complete"
    ),
    path("sessions/<int:pk>/post-care/", views.PostCareView.as_view(), name="session-post-care"),
    path(
        "patients/<int:pk>/consent/<slug:procedure>/",
        views.ConsentCreateView.as_view(),
        name="consent-create",
    ),
]
