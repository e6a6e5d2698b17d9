"""Reads for the clinic-settings pages. Each takes the user and checks the permission first.

Nothing here is patient data, so nothing is access-logged: the lists show rooms, devices,
session types and hours, and of sessions only how many are booked ahead (never who).
"""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from scheduling import times
from scheduling.models import (
    ClosedDay,
    Device,
    OpeningHours,
    ProviderHours,
    Room,
    TreatmentSession,
    Weekday,
)
from scheduling.selectors import UPCOMING, provider_name
from treatments.models import SessionType

CHART = ("scheduling", "chart_treatment")


def _require(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


def ahead() -> Q:
    """Sessions still to happen (or happening now) that hold their room, device and provider,
    seen from the session: what deactivating or narrowing a resource would strand."""
    return Q(status__in=UPCOMING, end__gt=timezone.now())


def _ahead_count(relation: str) -> Count:
    """The number of sessions ahead through `relation`, annotated in the list's one query."""
    return Count(
        relation,
        filter=Q(**{f"{relation}__status__in": UPCOMING, f"{relation}__end__gt": timezone.now()}),
        distinct=True,
    )


# ---- rooms, devices, session types ---------------------------------------------------------


def room_list(*, user) -> QuerySet[Room]:
    _require(user, "scheduling.view_room")
    return Room.objects.annotate(booked_ahead=_ahead_count("sessions")).order_by("-active", "name")


def room_get(*, user, pk: int) -> Room:
    _require(user, "scheduling.view_room")
    return get_object_or_404(Room, pk=pk)


def device_list(*, user) -> QuerySet[Device]:
    _require(user, "scheduling.view_device")
    return Device.objects.annotate(booked_ahead=_ahead_count("sessions")).order_by(
        "-active", "kind", "name"
    )


def device_get(*, user, pk: int) -> Device:
    _require(user, "scheduling.view_device")
    return get_object_or_404(Device, pk=pk)


def sessiontype_list(*, user) -> QuerySet[SessionType]:
    """Session types with how many active providers may perform each and how many sessions of
    each are booked ahead (a subquery: a session names its type with no reverse relation)."""
    _require(user, "treatments.view_sessiontype")
    sessions_ahead = (
        TreatmentSession.objects.filter(ahead(), session_type=OuterRef("pk"))
        .order_by()
        .values("session_type")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return SessionType.objects.annotate(
        provider_count=Count("providers", filter=Q(providers__is_active=True), distinct=True),
        booked_ahead=Coalesce(Subquery(sessions_ahead), 0),
    ).order_by("-active", "name")


def sessiontype_get(*, user, pk: int) -> SessionType:
    _require(user, "treatments.view_sessiontype")
    return get_object_or_404(SessionType, pk=pk)


# ---- what a change would strand -------------------------------------------------------------


@dataclass(frozen=True)
class Booked:
    """How many live sessions a change would affect, and the first and last of their days."""

    count: int
    first: date | None = None
    last: date | None = None

    def __bool__(self) -> bool:
        return self.count > 0

    def describe(self) -> str:
        """'3 booked sessions, from Mon 3 Mar 2025 to Fri 7 Mar 2025'."""
        noun = "booked session" if self.count == 1 else "booked sessions"
        if self.first is None or self.first == self.last:
            when = f" on {self.first:%a %d %b %Y}" if self.first else ""
        else:
            when = f", from {self.first:%a %d %b %Y} to {self.last:%a %d %b %Y}"
        return f"{self.count} {noun}{when}"


def booked_ahead(condition: Q) -> Booked:
    """The live sessions ahead that match `condition`: their number and first and last day,
    in one query. Only counts and days: who the patients are is the schedule's business."""
    found = TreatmentSession.objects.filter(ahead(), condition).aggregate(
        count=Count("pk"), first=Min("start"), last=Max("start")
    )
    if not found["count"]:
        return Booked(0)
    return Booked(
        found["count"], times.local(found["first"]).date(), times.local(found["last"]).date()
    )


def booked_with(**relation) -> Booked:
    """The sessions ahead booked with a room, device or session type (`room=room`)."""
    return booked_ahead(Q(**relation))


# ---- hours ---------------------------------------------------------------------------------


def treating_staff() -> QuerySet:
    """Staff who can treat: active users whose role charts treatments (physicians) or who are
    listed to perform a session type. They are the ones provider hours and session types name."""
    app_label, codename = CHART
    can_chart = Q(
        groups__permissions__codename=codename,
        groups__permissions__content_type__app_label=app_label,
    ) | Q(
        user_permissions__codename=codename,
        user_permissions__content_type__app_label=app_label,
    )
    treating = (
        get_user_model().objects.filter(can_chart | Q(session_types__isnull=False)).values("pk")
    )
    return (
        get_user_model()
        .objects.filter(is_active=True, pk__in=treating)
        .order_by("last_name", "first_name", "pk")
    )


def provider_choices(*, keep: list[int]) -> QuerySet:
    """Who a session type can list: staff who can treat, and those it lists already."""
    return (
        get_user_model()
        .objects.filter(Q(pk__in=treating_staff().values("pk")) | Q(pk__in=keep))
        .order_by("last_name", "first_name", "pk")
    )


def _providers_and_staff_with_hours() -> QuerySet:
    """Staff who can treat, and anyone else who still has hours (so they can be removed)."""
    with_hours = ProviderHours.objects.values("provider")
    return (
        get_user_model()
        .objects.filter(Q(pk__in=treating_staff().values("pk")) | Q(pk__in=with_hours))
        .order_by("last_name", "first_name", "pk")
    )


@dataclass(frozen=True)
class Day:
    weekday: int
    label: str
    hours: OpeningHours | None


@dataclass(frozen=True)
class ProviderWeek:
    provider: object
    name: str
    can_treat: bool
    days: list[tuple[str, list[ProviderHours]]]


@dataclass(frozen=True)
class HoursOverview:
    week: list[Day]
    closed_days: list[ClosedDay]
    past_closed: int
    providers: list[ProviderWeek]


def opening_week() -> list[Day]:
    """Monday to Sunday, each with its opening hours or None (closed)."""
    rows = {o.weekday: o for o in OpeningHours.objects.all()}
    return [Day(value, label, rows.get(value)) for value, label in Weekday.choices]


def hours_overview(*, user) -> HoursOverview:
    """The hours page: opening hours, closed days from today on, and every provider's week.
    Five queries whatever the number of providers and shifts."""
    _require(user, "scheduling.view_openinghours")
    today = times.today()
    closed = ClosedDay.objects.filter(day__gte=today)
    past = ClosedDay.objects.filter(day__lt=today).count()
    providers = list(_providers_and_staff_with_hours())
    treating = set(treating_staff().values_list("pk", flat=True))
    shifts: dict[int, list[ProviderHours]] = {}
    for shift in ProviderHours.objects.filter(provider__in=[p.pk for p in providers]):
        shifts.setdefault(shift.provider_id, []).append(shift)
    return HoursOverview(
        week=opening_week(),
        closed_days=list(closed),
        past_closed=past,
        providers=[
            ProviderWeek(p, provider_name(p), p.pk in treating, _by_weekday(shifts.get(p.pk, [])))
            for p in providers
        ],
    )


def _by_weekday(shifts: list[ProviderHours]) -> list[tuple[str, list[ProviderHours]]]:
    """The weekdays a provider works, each with its shifts in order."""
    days: dict[int, list[ProviderHours]] = {}
    for shift in sorted(shifts, key=lambda s: (s.weekday, s.start)):
        days.setdefault(shift.weekday, []).append(shift)
    return [(Weekday(day).label, found) for day, found in days.items()]


def closedday_get(*, user, pk: int) -> ClosedDay:
    _require(user, "scheduling.view_closedday")
    return get_object_or_404(ClosedDay, pk=pk)


def provider_get(*, user, pk: int):
    """A provider whose hours can be set: staff who can treat, or anyone who still has hours."""
    _require(user, "scheduling.view_providerhours")
    return get_object_or_404(_providers_and_staff_with_hours(), pk=pk)


def provider_shifts(*, user, provider) -> list[ProviderHours]:
    _require(user, "scheduling.view_providerhours")
    return list(ProviderHours.objects.filter(provider=provider).order_by("weekday", "start"))


def can_treat(provider) -> bool:
    return treating_staff().filter(pk=provider.pk).exists()


def shift_get(*, user, pk: int) -> ProviderHours:
    _require(user, "scheduling.view_providerhours")
    return get_object_or_404(ProviderHours.objects.select_related("provider"), pk=pk)
