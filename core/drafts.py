"""Form drafts: what a user has typed into an intake or a booking, kept on the server while the
form is filled in, so that the idle timeout does not lose it (issue 14).

static/js/drafts.js POSTs the fields of a form marked `data-draft` as they change and when the
idle warning shows (in the body, never in a URL); after signing in again, the same page asks
for its draft and offers to restore or discard it. A draft holds patient data as typed, so:

- only its author reads it, through `draft_get`;
- what must never be kept is dropped here, whatever the page sent: the CSRF token, the form's
  idempotency token, anything named like a password or a token;
- it expires after FORM_DRAFT_HOURS: expired drafts are deleted whenever drafts are read, and
  by `manage.py purge_form_drafts`;
- the form sent successfully deletes it: the script adds MARKER to the form, and the session
  middleware asks `form_sent` after the view.

Reading a draft is not in the access log: it is the user's own typing, not a stored record, and
the patient it is about was logged when the form's page was drawn.
"""

import json
import re
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, get_script_prefix, resolve
from django.utils import timezone
from django.views import View

from core.models import FormDraft

#: Added to a draftable form by drafts.js: its successful POST ends the draft.
MARKER = "_form_draft"
MAX_FIELDS = 400
MAX_NAME = 100
MAX_VALUE = 10_000
MAX_LABEL = 300
MAX_BODY = 512 * 1024
#: Drafts kept per user; saving one more drops the oldest.
PER_USER = 20
_NEVER_KEPT = re.compile(r"password|token|csrf", re.IGNORECASE)
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

NOT_A_PAGE = "Not a page of this site."
NOT_A_DRAFT = "Not a form's fields."


# ---- rules of shape ---------------------------------------------------------------------------


def is_kept(name: str) -> bool:
    """Whether a field of this name may be stored at all."""
    return name != MARKER and not _NEVER_KEPT.search(name)


def clean_path(value: object) -> str:
    """A page of this site, as `location.pathname` gives it: no query, no other host."""
    prefix = get_script_prefix()
    if (
        not isinstance(value, str)
        or len(value) > FormDraft._meta.get_field("path").max_length
        or not value.startswith(prefix)
        or value.startswith("//")
        or not value.isprintable()
        or any(char in value for char in "?#\\")
    ):
        raise ValidationError(NOT_A_PAGE)
    try:
        resolve("/" + value[len(prefix) :])
    except Resolver404 as exc:
        raise ValidationError(NOT_A_PAGE) from exc
    return value


def clean_fields(value: object) -> list[dict[str, str]]:
    """The fields as `[{"name", "value", "label"?}]`, checked, without those never kept."""
    if not isinstance(value, list) or len(value) > MAX_FIELDS:
        raise ValidationError(NOT_A_DRAFT)
    kept = []
    for item in value:
        if not isinstance(item, dict):
            raise ValidationError(NOT_A_DRAFT)
        name, text, label = item.get("name"), item.get("value"), item.get("label", "")
        if not (
            isinstance(name, str)
            and isinstance(text, str)
            and isinstance(label, str)
            and 0 < len(name) <= MAX_NAME
            and len(text) <= MAX_VALUE
            and len(label) <= MAX_LABEL
        ):
            raise ValidationError(NOT_A_DRAFT)
        if is_kept(name):
            kept.append({"name": name, "value": text, **({"label": label} if label else {})})
    return kept


# ---- writes and the one read ------------------------------------------------------------------


def draft_save(*, by, path: str, fields: object) -> FormDraft:
    """Keep `fields` as `by`'s draft of the page at `path`, replacing the one before."""
    path, fields = clean_path(path), clean_fields(fields)
    now = timezone.now()
    with transaction.atomic():
        draft, _ = FormDraft.objects.update_or_create(
            user=by,
            path=path,
            defaults={
                "fields": fields,
                "saved_at": now,
                "expires_at": now + timedelta(hours=settings.FORM_DRAFT_HOURS),
            },
        )
        older = FormDraft.objects.filter(user=by).order_by("-saved_at", "-pk")[PER_USER:]
        FormDraft.objects.filter(pk__in=list(older.values_list("pk", flat=True))).delete()
    return draft


def draft_discard(*, by, path: str) -> int:
    """Forget `by`'s draft of `path` (discarded, or the form was sent). Returns how many."""
    deleted, _ = FormDraft.objects.filter(user=by, path=path).delete()
    return deleted


def drafts_purge(*, now: datetime | None = None) -> int:
    """Delete every expired draft, anyone's: patient data is not kept past its time."""
    deleted, _ = FormDraft.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted


def draft_get(*, user, path: str) -> FormDraft | None:
    """`user`'s own draft of `path`, if one is still valid; nobody reads another's."""
    now = timezone.now()
    drafts_purge(now=now)
    return FormDraft.objects.filter(user=user, path=path, expires_at__gt=now).first()


def form_sent(request: HttpRequest, response: HttpResponse) -> bool:
    """Whether this request was a draftable form sent successfully: a POST that reached its
    view, carried MARKER and was answered with a redirect (an invalid form is drawn again)."""
    return (
        request.method == "POST"
        and response.status_code in (301, 302, 303)
        and getattr(request, "resolver_match", None) is not None
        and request.content_type in _FORM_TYPES
        and MARKER in request.POST
    )


# ---- views ------------------------------------------------------------------------------------


def _saved_label(moment: datetime) -> str:
    """When a draft was saved, as the offer says it: 10:42, or 10:42 on 3 Mar another day
    (the clinic's time)."""
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return f"{local:%H:%M}"
    return f"{local:%H:%M} on {local.day} {local:%b}"


def _json_body(request: HttpRequest) -> dict:
    if len(request.body) > MAX_BODY:
        raise ValidationError(NOT_A_DRAFT)
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationError(NOT_A_DRAFT) from exc
    if not isinstance(body, dict):
        raise ValidationError(NOT_A_DRAFT)
    return body


def _refused(exc: ValidationError) -> JsonResponse:
    return JsonResponse({"error": " ".join(exc.messages)}, status=400)


class FormDraftView(View):
    """GET `?path=`: the user's draft of that page, or null. POST `{"path", "fields"}` (JSON):
    keep it. Any signed-in user, for their own drafts only."""

    http_method_names = ["get", "post"]

    def get(self, request, *args, **kwargs):
        try:
            path = clean_path(request.GET.get("path"))
        except ValidationError as exc:
            return _refused(exc)
        draft = draft_get(user=request.user, path=path)
        if draft is None:
            return JsonResponse({"draft": None})
        return JsonResponse(
            {
                "draft": {
                    "fields": draft.fields,
                    "saved_at": draft.saved_at.isoformat(),
                    "saved_label": _saved_label(draft.saved_at),
                }
            }
        )

    def post(self, request, *args, **kwargs):
        try:
            body = _json_body(request)
            draft = draft_save(by=request.user, path=body.get("path"), fields=body.get("fields"))
        except ValidationError as exc:
            return _refused(exc)
        return JsonResponse({"saved_at": draft.saved_at.isoformat()})


class FormDraftDiscardView(View):
    """POST `{"path"}` (JSON): forget the user's draft of that page."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            path = clean_path(_json_body(request).get("path"))
        except ValidationError as exc:
            return _refused(exc)
        return JsonResponse({"discarded": draft_discard(by=request.user, path=path)})
