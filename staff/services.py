"""Writes to staff accounts: invite, roles, deactivate / reactivate, reset two-factor, resend the
invitation, unlock a locked-out login (issue 14).

Every write is atomic and made as `by` (core.audit.actor), so auditlog records the account's
changes (fields and groups, core.apps registers the user model) and the second-factor devices
deleted; what changes no field (an invitation sent, a second factor reset, a lockout lifted) is
an explicit entry on the account. The guards live here, not only in the pages: only the three
roles are ever given, a superuser's account is a superuser's business, and an admin cannot
demote, deactivate or strip the second factor of their own account.
"""

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from smtplib import SMTPException
from typing import Any

from auditlog.models import LogEntry
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.audit import actor
from core.roles import CLINIC_ADMIN, ROLE_LABELS

logger = logging.getLogger(__name__)

User = get_user_model()

SUPERUSER_ONLY = "Only a superuser can change a superuser's account."
USERNAME_TAKEN = "This username is taken; choose another."
EMAIL_TAKEN = "A staff account already has this e-mail address."
NO_ROLE = "Choose at least one role."
UNKNOWN_ROLE = "Choose one of the clinic's roles."


@dataclass(frozen=True)
class Invitation:
    """An account invited (or invited again), and whether the e-mail went out: an account is
    created even when the mail server is down, and the page says to send it again."""

    user: AbstractUser
    sent: bool


# ---- guards -----------------------------------------------------------------------------------


def _require(by, perm: str) -> None:
    if not by.has_perm(perm):
        raise PermissionDenied


def _locked(by, account) -> AbstractUser:
    """The account read again under a row lock, with the acting admin's row (in id order, so
    two admins acting on each other cannot deadlock): the guards see what is stored now, and
    two admins deactivating or demoting each other at the same moment cannot both succeed.
    Checks that `by` may still change accounts."""
    rows = User.objects.select_for_update().filter(pk__in={by.pk, account.pk}).order_by("pk")
    found = {row.pk: row for row in rows}
    by_now = found[by.pk]
    if not by_now.is_active or not by_now.has_perm("auth.change_user"):
        raise PermissionDenied
    account = found[account.pk]
    if account.is_superuser and not by_now.is_superuser:
        raise ValidationError(SUPERUSER_ONLY, code="superuser")
    return account


def _not_own(by, account, what: str) -> None:
    if account.pk == by.pk:
        raise ValidationError(
            f"You cannot {what} your own account; another admin can.", code="own_account"
        )


def _roles(roles: Iterable[str], *, field: str = "roles") -> list[str]:
    """The roles asked for, checked: only core.roles' three, at least one."""
    wanted = sorted(set(roles))
    if not wanted:
        raise ValidationError({field: NO_ROLE})
    if any(role not in ROLE_LABELS for role in wanted):
        raise ValidationError({field: UNKNOWN_ROLE})
    return wanted


def _note(account, by, **changes: tuple[str, str]) -> LogEntry:
    """An audit entry on the account for a change no field shows (`name=(before, after)`)."""
    return LogEntry.objects.log_create(
        account,
        action=LogEntry.Action.UPDATE,
        changes={name: list(values) for name, values in changes.items()},
        actor=by,
        force_log=True,
    )


# ---- invitation -------------------------------------------------------------------------------


def _username_from(email: str) -> str:
    """A free username from the e-mail's local part ("kim.lee", then "kim.lee2", ...)."""
    base = re.sub(r"[^\w.+-]", "", email.split("@")[0].lower())[:140] or "staff"
    taken = set(User.objects.filter(username__istartswith=base).values_list("username", flat=True))
    taken = {name.lower() for name in taken}
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}{n}"
    return candidate


def _invite_link(account, base_url: str) -> str:
    """Django's password-reset link (core: password_reset_confirm): it stays valid until a
    password is set or PASSWORD_RESET_TIMEOUT passes, whichever comes first."""
    uid = urlsafe_base64_encode(force_bytes(account.pk))
    token = default_token_generator.make_token(account)
    path = reverse("password_reset_confirm", args=[uid, token])
    return base_url.rstrip("/") + path


def _send_invite(account, *, by, base_url: str) -> bool:
    """Send the invitation; False when the mail server refused it. Neither the address nor the
    link is logged."""
    context = {
        "account": account,
        "inviter": by.get_full_name() or by.get_username(),
        "clinic": settings.CLINIC_NAME,
        "link": _invite_link(account, base_url),
        "days": max(settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60), 1),
    }
    subject = render_to_string("staff/invite_email_subject.txt", context).strip()
    body = render_to_string("staff/invite_email.txt", context)
    try:
        send_mail(subject, body, None, [account.email])
    except (SMTPException, OSError):
        logger.warning("Staff invitation e-mail not sent (account %s)", account.pk, exc_info=True)
        return False
    with transaction.atomic(), actor(by):
        _note(account, by, invitation=("", "sent"))
    return True


def staff_invite(
    *,
    by,
    first_name: str,
    last_name: str,
    email: str,
    role: str,
    username: str = "",
    base_url: str,
) -> Invitation:
    """Create an account with one role and no usable password, and e-mail it a link to choose
    one. `username` is derived from the e-mail when empty; `base_url` is the site's address
    the link starts with (the request's, as Django's own password reset does)."""
    _require(by, "auth.add_user")
    (role,) = _roles([role], field="role")
    email = BaseUserManager.normalize_email(email.strip())
    username = username.strip()
    errors: dict[str, Any] = {}
    if username and User.objects.filter(username__iexact=username).exists():
        errors["username"] = USERNAME_TAKEN
    if User.objects.filter(email__iexact=email).exists():
        errors["email"] = EMAIL_TAKEN
    if errors:
        raise ValidationError(errors)
    account = User(
        username=username or _username_from(email),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email,
        is_staff=role == CLINIC_ADMIN,
    )
    account.set_unusable_password()
    account.full_clean()
    try:
        with transaction.atomic(), actor(by):
            account.save()
            account.groups.add(Group.objects.get(name=role))
    except IntegrityError as exc:  # the same username, invited a moment ago by someone else
        raise ValidationError({"username": USERNAME_TAKEN}) from exc
    return Invitation(account, _send_invite(account, by=by, base_url=base_url))


def staff_invite_resend(*, by, account: AbstractUser, base_url: str) -> Invitation:
    """Send a fresh invitation to an account that has not chosen a password yet. The old link
    stops working: a new unusable password changes what the token is made from."""
    with transaction.atomic(), actor(by):
        account = _locked(by, account)
        if not account.is_active:
            raise ValidationError("Reactivate the account before inviting again.")
        if not account.email:
            raise ValidationError("This account has no e-mail address to send the invitation to.")
        if account.has_usable_password():
            raise ValidationError(
                "This person has already chosen a password. If they have forgotten it, they "
                "can reset it from the login page."
            )
        account.set_unusable_password()
        account.save(update_fields=["password"])
    return Invitation(account, _send_invite(account, by=by, base_url=base_url))


# ---- roles and access -------------------------------------------------------------------------


def staff_set_roles(*, by, account: AbstractUser, roles: Iterable[str]) -> AbstractUser:
    """Give the account exactly `roles` (core.roles' codes). Groups outside the roles, which
    only a superuser gives in Django's admin, are kept; admin-site access (`is_staff`) follows
    the admin role, as it always has."""
    wanted = _roles(roles)
    with transaction.atomic(), actor(by):
        account = _locked(by, account)
        _not_own(by, account, "change the roles of")
        current = set(account.groups.filter(name__in=ROLE_LABELS).values_list("name", flat=True))
        if removed := current - set(wanted):
            account.groups.remove(*Group.objects.filter(name__in=removed))
        if added := set(wanted) - current:
            account.groups.add(*Group.objects.filter(name__in=added))
        is_admin = CLINIC_ADMIN in wanted
        if account.is_staff != is_admin:
            account.is_staff = is_admin
            account.save(update_fields=["is_staff"])
    return account


def _end_sessions(account) -> int:
    """Delete the account's open sessions, so it is signed out now, not at its next request
    (when the authentication backend would refuse an inactive user anyway)."""
    if settings.SESSION_ENGINE not in (
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    ):
        return 0
    key = str(account.pk)
    theirs = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get(SESSION_KEY) == key
    ]
    Session.objects.filter(pk__in=theirs).delete()
    return len(theirs)


def staff_deactivate(*, by, account: AbstractUser) -> int:
    """Stop the account from signing in and end its open sessions; returns how many ended.
    Nothing is deleted, so every audit entry keeps its actor."""
    with transaction.atomic(), actor(by):
        account = _locked(by, account)
        _not_own(by, account, "deactivate")
        if account.is_active:
            account.is_active = False
            account.save(update_fields=["is_active"])
        return _end_sessions(account)


def staff_reactivate(*, by, account: AbstractUser) -> AbstractUser:
    with transaction.atomic(), actor(by):
        account = _locked(by, account)
        if not account.is_active:
            account.is_active = True
            account.save(update_fields=["is_active"])
    return account


def staff_reset_two_factor(*, by, account: AbstractUser) -> int:
    """Delete the account's authenticator devices (a lost or replaced phone): at its next
    page the account is asked to set one up again, with its password. Returns how many."""
    with transaction.atomic(), actor(by):
        account = _locked(by, account)
        _not_own(by, account, "reset the two-factor authentication of")
        devices = list(TOTPDevice.objects.filter(user=account))
        if not devices:
            raise ValidationError("This account has no two-factor authentication to reset.")
        for device in devices:  # one by one, so auditlog records each deletion
            device.delete()
        _note(account, by, two_factor=("set up", "reset"))
    return len(devices)


def staff_unlock(*, by, account: AbstractUser) -> int:
    """Lift django-axes' lockout of the account's username (every address) before the cool-off
    ends. Returns how many attempt records were cleared."""
    _require(by, "axes.delete_accessattempt")
    with transaction.atomic(), actor(by):
        account = _locked(by, account)
        cleared = axes_reset(username=account.get_username())
        if not cleared:
            raise ValidationError("This account has no failed logins to clear.")
        _note(account, by, login_lockout=("failed logins recorded", "cleared"))
    return cleared
