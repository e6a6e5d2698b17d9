"""Staff accounts in the states the staff pages act on."""

from axes.models import AccessAttempt
from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.roles import PHYSICIAN
from tests.factories import UserFactory


def invited_account(*, role: str = PHYSICIAN, two_factor: bool = False, **fields):
    """An account invited but without a password yet (as staff.services.staff_invite leaves
    it), optionally with a confirmed authenticator device."""
    account = UserFactory(role=role, **fields)
    account.set_unusable_password()
    account.save(update_fields=["password"])
    if two_factor:
        TOTPDevice.objects.create(user=account, name="phone", confirmed=True)
    return account


def locked_out(account, *, address: str = "203.0.113.9") -> AccessAttempt:
    """django-axes' record of enough failed logins from `address` to lock the account out."""
    return AccessAttempt.objects.create(
        username=account.get_username(),
        ip_address=address,
        user_agent="test",
        get_data="",
        post_data="",
        http_accept="",
        path_info="/login/",
        failures_since_start=settings.AXES_FAILURE_LIMIT,
    )
