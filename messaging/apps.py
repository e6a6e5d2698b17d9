from django.apps import AppConfig


class MessagingConfig(AppConfig):
    """Messages to patients, sent by the task queue, each at most once (issue 16)."""

    name = "messaging"
    verbose_name = "Messages"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from messaging import tasks  # noqa: F401  (registers the queue's tasks)
        from messaging.models import Message

        auditlog.register(Message, exclude_fields=["body"])
