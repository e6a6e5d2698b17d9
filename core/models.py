from django.conf import settings
from django.db import models


def staff_member() -> models.ForeignKey:
    """A staff member who did something, when a person did: empty when the clinic's schedule
    (a periodic task) or the patient did it. Never reverse-queried, never edited in a form."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )


class FormDraft(models.Model):
    """What a user had typed into a form (an intake, a booking) when the idle timeout ended the
    session, kept so it can be offered back after signing in again (issue 14, WCAG 2.2.1).

    One per user and form page. It holds patient data as typed, so it is read only by its
    author (core.drafts) and lives for a few hours (FORM_DRAFT_HOURS), not for good.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="form_drafts"
    )
    path = models.CharField(max_length=255)
    fields = models.JSONField(default=list)
    saved_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "path"], name="core_formdraft_one_per_page"),
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("saved_at")),
                name="core_formdraft_expires_after_saved",
            ),
        ]

    def __str__(self) -> str:
        return f"Draft of {self.path}"
