"""Cross-cutting request handling: two-factor enforcement and the idle-session timeout."""

import time

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from clinic.twofactor import needs_second_factor


class TwoFactorRequiredMiddleware:
    """Send a logged-in user who must use a second factor, and has not yet, to set it up or
    enter it. Only logging out and the two-factor pages themselves stay reachable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.is_verified():
            open_paths = {
                reverse("logout"),
                reverse("two-factor-verify"),
                reverse("two-factor-setup"),
            }
            if request.path not in open_paths and not request.path.startswith(
                settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/static/"
            ):
                target = needs_second_factor(user)
                if target is not None:
                    return redirect(target)
        return self.get_response(request)


class SessionKeepAliveMiddleware:
    """Idle timeout: the session expires SESSION_COOKIE_AGE after it was last saved, and an
    active user's session is saved at most once a minute (not on every request, which would
    cost a database write per page)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            mark_active(session)
        return self.get_response(request)


def mark_active(session) -> None:
    """Note the current period in the session; a new period makes the session save itself."""
    period = int(time.time() // settings.SESSION_KEEPALIVE_SECONDS)
    if session.get("_active_period") != period:
        session["_active_period"] = period
