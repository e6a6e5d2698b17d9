"""Where a `next` parameter may send a user: only to this site (issue 12: open redirects)."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, candidate: str | None, fallback: str) -> str:
    """`candidate` if it is a URL on this site (HTTPS required when the request is secure or
    debug is off), else `fallback`. Every view that follows a `next` goes through here."""
    candidate = (candidate or "").strip()
    if candidate and url_has_allowed_host_and_scheme(
        candidate,
        allowed_hosts={request.get_host()},
        require_https=request.is_secure() or not settings.DEBUG,
    ):
        return candidate
    return fallback
