"""Writes to what the clinic offers: a new version of a consent text."""

import re
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.audit import actor
from treatments.models import ConsentText
from treatments.procedures import PROCEDURES

_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def _paragraphs(body: str) -> tuple[str, ...]:
    """The paragraphs of a text typed into a textarea: split at blank lines, each one's line
    breaks and runs of spaces made single spaces (a page would show them so anyway)."""
    chunks = _BLANK_LINE.split(body.replace("\r\n", "\n").replace("\r", "\n"))
    return tuple(" ".join(chunk.split()) for chunk in chunks if chunk.strip())


def _next_version(versions: list[str], today: date) -> str:
    """'YYYY.MM.N': this month's next number for the procedure (2026.11.1 -> 2026.11.2)."""
    month = f"{today:%Y.%m}"
    numbers = [int(v.rsplit(".", 1)[1]) for v in versions if v.rsplit(".", 1)[0] == month]
    return f"{month}.{max(numbers, default=0) + 1}"


def publish_consent_text(
    *, procedure: str, title: str, body: str, by, replaces: str | None = None
) -> ConsentText:
    """Publish a new version of a procedure's consent text: new consents are signed on it.

    Never an edit of the one in use: each signed consent names the version the patient read,
    so earlier versions stay exactly as they were (the model refuses changes too). `replaces`
    is the version the editor started from; if another was published since, this one is refused
    rather than silently put over it.
    """
    if not by.has_perm("treatments.add_consenttext"):
        raise PermissionDenied("You may not publish consent texts.")
    if procedure not in PROCEDURES:
        raise ValidationError(f"Unknown procedure {procedure!r}.")
    title = " ".join(title.split())
    paragraphs = _paragraphs(body)
    errors = {}
    if not title:
        errors["title"] = "Give the text a title."
    if not paragraphs:
        errors["body"] = "Write the text the patient reads."
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic(), actor(by):
            # Publishers of one procedure's text take turns (PostgreSQL; SQLite writes one at a
            # time anyway); the versions are read after the lock, so each sees the one before.
            list(ConsentText.objects.select_for_update().filter(procedure=procedure).values("pk"))
            versions = ConsentText.objects.filter(procedure=procedure)
            current = versions.first()
            if current is not None and replaces is not None and current.version != replaces:
                raise ValidationError(
                    f"Version {current.version} was published after you opened this form: "
                    "read it, then publish your changes on top of it."
                )
            if current is not None and (current.title, current.paragraphs) == (title, paragraphs):
                raise ValidationError(
                    f"This is version {current.version}, the text in use: change it to publish "
                    "a new version."
                )
            text = ConsentText(
                procedure=procedure,
                version=_next_version(
                    list(versions.values_list("version", flat=True)), timezone.localdate()
                ),
                title=title,
                body="\n\n".join(paragraphs),
                published_at=timezone.now(),
                published_by=by,
            )
            text.full_clean()
            text.save()
    except IntegrityError as exc:
        raise ValidationError(
            "Another version of this text was published at the same moment: reload and try again."
        ) from exc
    return text
