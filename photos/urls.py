from django.urls import path

from photos import views

app_name = "photos"

urlpatterns = [
    # The files: streamed after the permission check and the access-log entry.
    path("<int:pk>/image/", views.ImageView.as_view(), name="image"),
    path("<int:pk>/thumbnail/", views.ThumbnailView.as_view(), name="thumbnail"),
    path("sessions/<int:pk>/", views.ContactSheetView.as_view(), name="contact-sheet"),
    path("sessions/<int:pk>/take/", views.PhotoUploadView.as_view(), name="upload"),
    path("patients/<int:pk>/compare/", views.CompareView.as_view(), name="compare"),
    path("patients/<int:pk>/consent/", views.ConsentCreateView.as_view(), name="consent-create"),
    path(
        "consents/<int:pk>/withdraw/", views.ConsentWithdrawView.as_view(), name="consent-withdraw"
    ),
    # The clinic's standard views (admins).
    path("views/", views.ViewListView.as_view(), name="view-list"),
    path("views/add/", views.ViewCreateView.as_view(), name="view-create"),
    path("views/<int:pk>/", views.ViewUpdateView.as_view(), name="view-update"),
]
