"""The idle timeout as the page sees it (issue 14, WCAG 2.2.1 Timing Adjustable): how long the
session has left, and "stay signed in".

The session ends SESSION_COOKIE_AGE after it was last saved (core.middleware keeps an active
user's session saved). A page cannot know when that was: another tab may have been busy, or a
request may have saved the session for its own reasons. So the middleware notes the moment of
every save in the session itself, and `session_status` answers from it without saving, which
would restart the very clock it reads. static/js/idle.js asks it before warning and before
signing out.
"""

import math
import time
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

SAVED_AT = "_idle_saved_at"


def note_saved(session) -> None:
    """Remember that the session is saved now (called just before the session middleware
    saves it)."""
    session[SAVED_AT] = time.time()


def seconds_left(session) -> int:
    """Whole seconds until the session expires, rounded up, so 0 means it has."""
    saved = session.get(SAVED_AT)
    if saved is None:
        # Saved before this was noted (an older session): as if saved now; the page's last
        # check at the deadline finds out.
        return session.get_expiry_age()
    expiry = session.get_expiry_date(modification=datetime.fromtimestamp(saved, tz=UTC))
    return max(0, math.ceil((expiry - timezone.now()).total_seconds()))


def warning_seconds() -> int:
    """How long before the end the warning shows: never more than half the idle time."""
    return max(1, min(settings.SESSION_IDLE_WARNING_SECONDS, settings.SESSION_COOKIE_AGE // 2))


def passive(view):
    """Mark a view whose requests are not activity: the keep-alive leaves the session alone."""
    view.session_passive = True
    return view


def is_passive(request: HttpRequest) -> bool:
    match = getattr(request, "resolver_match", None)
    return match is not None and getattr(match.func, "session_passive", False)


@passive
@login_not_required
@require_GET
def session_status(request: HttpRequest) -> JsonResponse:
    """Seconds left, without extending the session. Signed out: 401, so the script need not
    tell a login page from an answer."""
    if not request.user.is_authenticated:
        return JsonResponse({"remaining": 0}, status=401)
    return JsonResponse({"remaining": seconds_left(request.session), "warning": warning_seconds()})


@require_POST
def session_extend(request: HttpRequest) -> JsonResponse:
    """Stay signed in: save the session, which restarts its idle time."""
    request.session.modified = True
    return JsonResponse({"remaining": request.session.get_expiry_age()})
