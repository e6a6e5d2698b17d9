"""Reads of staff accounts for the clinic admin's pages. Each takes the user and checks the
permission itself; accounts are not patient data, so reading them is not access-logged."""

from dataclasses import dataclass
from datetime import datetime

from auditlog.models import LogEntry
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    Min,
    OuterRef,
    Prefetch,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.roles import ROLE_LABELS

User = get_user_model()

HISTORY_LENGTH = 20


def _require(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


def _accounts() -> QuerySet:
    """Accounts with what their pages show: role groups (one prefetch however many rows),
    whether a second factor is set up, and whether the invitation is still open (the password
    hash itself is never read)."""
    return (
        User.objects.defer("password")
        .annotate(
            two_factor=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
            invite_pending=Case(
                When(password__startswith=UNUSABLE_PASSWORD_PREFIX, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .prefetch_related(
            Prefetch(
                "groups",
                queryset=Group.objects.filter(name__in=ROLE_LABELS).order_by("name"),
                to_attr="role_groups",
            )
        )
    )


def staff_list(*, user) -> QuerySet:
    """Every account, by name; narrowed by staff.filters.StaffFilter."""
    _require(user, "auth.view_user")
    return _accounts().order_by(Lower("last_name"), Lower("first_name"), "username", "id")


def staff_get(*, user, pk: int) -> AbstractUser:
    _require(user, "auth.view_user")
    return get_object_or_404(_accounts(), pk=pk)


def staff_for_change(*, user, pk: int) -> AbstractUser:
    """The account a change is about; the service re-reads it under a lock."""
    _require(user, "auth.change_user")
    return get_object_or_404(_accounts(), pk=pk)


def role_codes(account) -> list[str]:
    """The roles (core.roles) an account from these selectors holds."""
    return [group.name for group in account.role_groups]


def role_labels(account) -> list[str]:
    return [ROLE_LABELS[code] for code in role_codes(account)]


# How the account page's history names what changed; other fields by their own names.
FIELD_LABELS = {
    "groups": "Roles",
    "is_active": "Active",
    "is_staff": "Admin role's site access",
    "is_superuser": "Superuser",
    "user_permissions": "Permissions",
    "first_name": "First name",
    "last_name": "Last name",
    "email": "E-mail",
    "invitation": "Invitation",
    "two_factor": "Two-factor",
    "login_lockout": "Failed logins",
}
_BOOLEANS = {"True": "yes", "False": "no"}
_M2M_OPERATIONS = {"add": "added", "delete": "removed"}


@dataclass(frozen=True)
class HistoryRow:
    when: datetime
    by: str
    what: str


def _change_text(field: str, change) -> str:
    label = FIELD_LABELS.get(field, field.replace("_", " ").capitalize())
    if isinstance(change, dict):  # a many-to-many change: the groups added or removed
        names = ", ".join(ROLE_LABELS.get(name, name) for name in change.get("objects", []))
        return f"{label} {_M2M_OPERATIONS.get(change.get('operation'), 'changed')}: {names}"
    before, after = (_BOOLEANS.get(str(value), value) for value in change)
    return f"{label}: {before or '(none)'} → {after}"


def _entry_text(entry: LogEntry) -> str:
    if entry.action == LogEntry.Action.CREATE:
        return "Account created"
    if entry.action == LogEntry.Action.DELETE:
        return "Account deleted"
    changes = entry.changes_dict or {}
    return "; ".join(_change_text(field, change) for field, change in changes.items())


def staff_history(*, user, account) -> list[HistoryRow]:
    """The latest audit entries about the account, newest first: who invited it, changed its
    roles, deactivated it, reset its second factor, and when."""
    _require(user, "auditlog.view_logentry")
    entries = (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(User), object_id=account.pk
        )
        .exclude(action=LogEntry.Action.ACCESS)
        .select_related("actor")
        .order_by("-timestamp", "-id")[:HISTORY_LENGTH]
    )
    return [
        HistoryRow(
            when=entry.timestamp,
            by=(entry.actor.get_full_name() or entry.actor.get_username())
            if entry.actor
            else "System",
            what=_entry_text(entry),
        )
        for entry in entries
    ]


@dataclass(frozen=True)
class Lockout:
    """Recent failed logins of a username: the most from one address, and since when."""

    failures: int
    since: datetime

    @property
    def locked(self) -> bool:
        return self.failures >= settings.AXES_FAILURE_LIMIT


def login_lockout(*, user, account) -> Lockout | None:
    """The account's failed logins within the cool-off period, counted per client address as
    django-axes counts them (AXES_LOCKOUT_PARAMETERS: username and address), or None."""
    _require(user, "axes.view_accessattempt")
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    per_address = list(
        AccessAttempt.objects.filter(username=account.get_username(), attempt_time__gte=since)
        .values("ip_address")
        .annotate(failures=Sum("failures_since_start"), first=Min("attempt_time"))
        .order_by()
    )
    if not per_address:
        return None
    return Lockout(
        failures=max(row["failures"] for row in per_address),
        since=min(row["first"] for row in per_address),
    )
