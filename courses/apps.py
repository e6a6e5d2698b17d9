from django.apps import AppConfig


class CoursesConfig(AppConfig):
    """A patient's course: planned sessions, progress, outcomes (issue 17)."""

    name = "courses"
    verbose_name = "Courses and outcomes"
