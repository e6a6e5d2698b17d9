from django.apps import AppConfig


def _recheck_sessions(sender, *, patient, by, **kwargs) -> None:
    """A patient's eligibility may have changed: their booked sessions are asked again."""
    from scheduling.services import sessions_recheck

    sessions_recheck(patient=patient, by=by)


class SchedulingConfig(AppConfig):
    name = "scheduling"
    verbose_name = "Scheduling"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from eligibility.services import eligibility_changed
        from scheduling import models

        eligibility_changed.connect(_recheck_sessions, dispatch_uid="scheduling-recheck")

        for model in (
            models.TreatmentSession,
            models.SessionEvent,
            models.Consent,
            models.Room,
            models.Device,
            models.OpeningHours,
            models.ClosedDay,
            models.ProviderHours,
            models.Addendum,
        ):
            auditlog.register(model)
