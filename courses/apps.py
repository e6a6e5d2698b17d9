from django.apps import AppConfig


class CoursesConfig(AppConfig):
    """A patient's course: planned sessions, progress, outcomes (issue 17)."""

    name = "courses"
    verbose_name = "Courses and outcomes"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from courses.models import CoursePlan, Outcome

        auditlog.register(CoursePlan)
        auditlog.register(Outcome)
