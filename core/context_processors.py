from django.conf import settings

from core.idle import warning_seconds
from core.roles import ROLE_LABELS, role_of


def clinic(request) -> dict:
    user = getattr(request, "user", None)
    role = role_of(user) if user is not None else None
    return {
        "CLINIC_NAME": settings.CLINIC_NAME,
        "CLINIC_ADDRESS": settings.CLINIC_ADDRESS,
        "CLINIC_PHONE": settings.CLINIC_PHONE,
        "user_role_label": ROLE_LABELS.get(role, "Staff") if role else "",
        # For the idle warning (templates/includes/session_timeout.html).
        "SESSION_IDLE_SECONDS": settings.SESSION_COOKIE_AGE,
        "SESSION_IDLE_WARNING_SECONDS": warning_seconds(),
    }
