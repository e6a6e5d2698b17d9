from django.conf import settings

from core.roles import ROLE_LABELS, role_of


def clinic(request) -> dict:
    user = getattr(request, "user", None)
    role = role_of(user) if user is not None else None
    return {
        "CLINIC_NAME": settings.CLINIC_NAME,
        "CLINIC_ADDRESS": settings.CLINIC_ADDRESS,
        "CLINIC_PHONE": settings.CLINIC_PHONE,
        "user_role_label": ROLE_LABELS.get(role, "Staff") if role else "",
    }
