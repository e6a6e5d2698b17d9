from django.apps import AppConfig


class PhotosConfig(AppConfig):
    """Standard scalp photos per session, stored privately, compared over a course (issue 17)."""

    name = "photos"
    verbose_name = "Scalp photos"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from photos.models import PhotoConsent, PhotoView, ScalpPhoto

        auditlog.register(PhotoView)
        auditlog.register(PhotoConsent)
        # The stored names are random keys that say nothing; who took which view when does.
        auditlog.register(ScalpPhoto, exclude_fields=["key", "image", "thumbnail"])
