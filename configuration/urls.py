from django.urls import URLPattern, include, path

from configuration import views

app_name = "configuration"


def _resource(prefix: str, name: str, pages: dict) -> list[URLPattern]:
    """A room, device or session type's five pages: `<prefix>/` (`<name>-list`), `add/`,
    `<pk>/` (edit), `<pk>/deactivate/` and `<pk>/reactivate/`."""
    return [
        path(f"{prefix}/", pages["list"].as_view(), name=f"{name}-list"),
        path(f"{prefix}/add/", pages["create"].as_view(), name=f"{name}-create"),
        path(f"{prefix}/<int:pk>/", pages["update"].as_view(), name=f"{name}-update"),
        path(
            f"{prefix}/<int:pk>/deactivate/",
            pages["deactivate"].as_view(),
            name=f"{name}-deactivate",
        ),
        path(
            f"{prefix}/<int:pk>/reactivate/",
            pages["reactivate"].as_view(),
            name=f"{name}-reactivate",
        ),
    ]


urlpatterns: list = [
    *_resource(
        "rooms",
        "room",
        {
            "list": views.RoomListView,
            "create": views.RoomCreateView,
            "update": views.RoomUpdateView,
            "deactivate": views.RoomDeactivateView,
            "reactivate": views.RoomReactivateView,
        },
    ),
    *_resource(
        "devices",
        "device",
        {
            "list": views.DeviceListView,
            "create": views.DeviceCreateView,
            "update": views.DeviceUpdateView,
            "deactivate": views.DeviceDeactivateView,
            "reactivate": views.DeviceReactivateView,
        },
    ),
    *_resource(
        "session-types",
        "sessiontype",
        {
            "list": views.SessionTypeListView,
            "create": views.SessionTypeCreateView,
            "update": views.SessionTypeUpdateView,
            "deactivate": views.SessionTypeDeactivateView,
            "reactivate": views.SessionTypeReactivateView,
        },
    ),
    path("hours/", views.HoursView.as_view(), name="hours"),
    path("hours/opening/", views.OpeningHoursView.as_view(), name="opening-hours"),
    path("hours/closed-days/add/", views.ClosedDayCreateView.as_view(), name="closedday-create"),
    path(
        "hours/closed-days/<int:pk>/delete/",
        views.ClosedDayDeleteView.as_view(),
        name="closedday-delete",
    ),
    path("hours/providers/<int:pk>/", views.ProviderHoursView.as_view(), name="provider-hours"),
    path(
        "hours/shifts/<int:pk>/",
        views.ProviderHoursUpdateView.as_view(),
        name="providerhours-update",
    ),
    path(
        "hours/shifts/<int:pk>/delete/",
        views.ProviderHoursDeleteView.as_view(),
        name="providerhours-delete",
    ),
    path("consent-texts/", include("configuration.consent_texts")),
]
