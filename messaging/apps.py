from django.apps import AppConfig


class MessagingConfig(AppConfig):
    """Messages to patients, sent by the task queue, each at most once (issue 16)."""

    name = "messaging"
    verbose_name = "Messages"

    def ready(self) -> None:
        from anymail.signals import tracking
        from auditlog.registry import auditlog

        from messaging import tasks  # noqa: F401  (registers the queue's tasks)
        from messaging.models import Message

        auditlog.register(Message, exclude_fields=["body"])
        tracking.connect(_provider_event, dispatch_uid="messaging-bounces")


def _provider_event(sender, event, esp_name, **kwargs) -> None:
    from messaging import services

    services.message_bounced(
        event_type=event.event_type,
        metadata=event.metadata,
        provider_id=event.message_id,
        reason=event.reject_reason,
    )
