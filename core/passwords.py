"""Password reset by e-mail, rate-limited per account and per client address.

A refused request looks exactly like an accepted one (the same "if the address belongs to a
staff account" page), so the limit tells nothing about which addresses exist; it only sends
nothing.
"""

import hashlib
import logging

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.http import HttpResponseRedirect

from core.middleware import client_ip

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60 * 60


def _count(key: str) -> int:
    """Add one to the counter `key`; the window starts with its first hit."""
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW_SECONDS)
        return 1


def reset_allowed(request, email: str) -> bool:
    """Count this reset request against its account and its address; False past a limit."""
    account = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    per_account = _count(f"password-reset:account:{account}")
    per_address = _count(f"password-reset:address:{client_ip(request)}")
    return (
        per_account <= settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT
        and per_address <= settings.PASSWORD_RESET_LIMIT_PER_ADDRESS
    )


class RateLimitedPasswordResetView(auth_views.PasswordResetView):
    def form_valid(self, form):
        if not reset_allowed(self.request, form.cleaned_data["email"]):
            # Neither the address nor the account in the log: a reset link is never logged,
            # and the e-mail typed may not be a staff member's.
            logger.warning("Password reset refused: too many requests")
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)
