"""Cross-cutting request handling: two-factor enforcement, the idle-session timeout, the
client's address and caching of logged-in pages."""

import functools
import ipaddress
import time

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from core.drafts import draft_discard, form_sent
from core.idle import is_passive, note_saved
from core.twofactor import needs_second_factor


class TwoFactorRequiredMiddleware:
    """Send a logged-in user who must use a second factor, and has not yet, to set it up or
    enter it. Only logging out and the two-factor pages themselves stay reachable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and request.path not in _open_paths()
            and not request.path.startswith(_static_prefix())
        ):
            asked = request.get_full_path() if request.method == "GET" else None
            target = needs_second_factor(user, next_path=asked)
            if target is not None:
                return redirect(target)
        return self.get_response(request)


@functools.cache
def _open_paths() -> frozenset[str]:
    """Reachable before the second factor; reversed once, not on every request of the many
    users (front desk) who are never verified."""
    return frozenset(reverse(name) for name in ("logout", "two-factor-verify", "two-factor-setup"))


class SessionKeepAliveMiddleware:
    """Idle timeout: the session expires SESSION_COOKIE_AGE after it was last saved, and an
    active user's session is saved at most once a minute (not on every request, which would
    cost a database write per page).

    Decided after the view, which may have signed the user in or out: a passive view (the
    idle script asking how long is left, core.idle) is no activity; every save is noted, so
    the page can be told when the session ends; and a draftable form sent successfully ends
    its draft (core.drafts)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is None or user is None or not user.is_authenticated:
            return response
        if not is_passive(request):
            mark_active(session)
        if session.modified or settings.SESSION_SAVE_EVERY_REQUEST:
            note_saved(session)
        if form_sent(request, response):
            draft_discard(by=user, path=request.path)
        return response


def mark_active(session) -> None:
    """Note the current period in the session; a new period makes the session save itself."""
    period = int(time.time() // settings.SESSION_KEEPALIVE_SECONDS)
    if session.get("_active_period") != period:
        session["_active_period"] = period


def client_ip(request) -> str | None:
    """The address of the client, as far as it can be trusted.

    `REMOTE_ADDR` is the peer that opened the connection. Behind CLINIC_TRUSTED_PROXIES
    proxies, each appends the address it was connected from to `X-Forwarded-For`, so the
    client is that many entries from the right; anything further left was written by the
    client and is ignored. A chain shorter than configured did not come through the proxies:
    the peer's address stands. Also django-axes' AXES_CLIENT_IP_CALLABLE.
    """
    remote = request.META.get("REMOTE_ADDR")
    hops = settings.CLINIC_TRUSTED_PROXIES
    if hops <= 0:
        return remote
    chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    chain = [part for part in chain if part]
    if len(chain) < hops:
        return remote
    return _address(chain[-hops]) or remote


def _address(value: str) -> str | None:
    """`value` as a bare IP address (a port some proxies add removed), or None."""
    if value.startswith("["):
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


class ClientAddressMiddleware:
    """Put the trusted client address (`client_ip`) in `REMOTE_ADDR` and drop the forwarding
    headers, before anything reads them: auditlog's middleware prefers `X-Forwarded-For` when
    it is present, so a client could otherwise write any address into the audit log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        address = client_ip(request)
        if address is not None:
            request.META["REMOTE_ADDR"] = address
        for header in ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PORT"):
            request.META.pop(header, None)
        # request.headers is built from META once, on first use.
        request.__dict__.pop("headers", None)
        return self.get_response(request)


class NoStoreMiddleware:
    """`Cache-Control: no-store, private` on every response to a logged-in user (pages,
    fragments, CSV and XLSX downloads, streamed or not): a shared computer's browser or a
    proxy must not keep a copy of patient data. A view that sets its own Cache-Control keeps
    it; static files never get here (WhiteNoise answers them first)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not response.has_header("Cache-Control")
            and not request.path.startswith(_static_prefix())
        ):
            response["Cache-Control"] = "no-store, private"
        return response


def _static_prefix() -> str:
    return settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/static/"
