from django.apps import AppConfig


class PhotosConfig(AppConfig):
    """Standard scalp photos per session, stored privately, compared over a course (issue 17)."""

    name = "photos"
    verbose_name = "Scalp photos"
