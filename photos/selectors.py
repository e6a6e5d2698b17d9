"""Reads of scalp photos: each takes the user, checks the permission and logs what the page
shows (a photo served, the photos compared, a session's contact sheet)."""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from core.audit import log_access, log_access_many
from intake import selectors as intake_selectors
from intake.models import Patient
from photos.models import PhotoConsent, PhotoView, ScalpPhoto
from photos.services import SIGN, TAKE, WITHDRAW, consent_active
from scheduling.models import TreatmentSession

VIEW = "photos.view_scalpphoto"
VIEW_CONSENT = "photos.view_photoconsent"
VIEW_VIEWS = "photos.view_photoview"
CHANGE_VIEW = "photos.change_photoview"


def _require(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


def photo_file(*, user, pk: int) -> ScalpPhoto:
    """A photo about to be served: every time its file is sent, the access is logged."""
    _require(user, VIEW)
    photo = get_object_or_404(ScalpPhoto, pk=pk)
    log_access(photo, by=user)
    return photo


# ---- a session's photos -------------------------------------------------------------------


@dataclass
class ViewRow:
    view: PhotoView
    photo: ScalpPhoto | None  # the latest of the view at the session
    retakes: int = 0  # earlier photos of it at the same session


@dataclass
class SessionPhotos:
    session: TreatmentSession
    rows: list[ViewRow]
    consent: PhotoConsent | None
    photos: list[ScalpPhoto] = field(default_factory=list)

    @property
    def taken(self) -> int:
        return sum(1 for row in self.rows if row.photo is not None)


def _rows(views: list[PhotoView], photos: list[ScalpPhoto]) -> list[ViewRow]:
    """One row per view, in the clinic's order: the active views, and a retired one only
    where this session has a photo of it."""
    latest: dict[int, ScalpPhoto] = {}
    count: dict[int, int] = {}
    for photo in photos:  # oldest first
        latest[photo.view_id] = photo
        count[photo.view_id] = count.get(photo.view_id, 0) + 1
    return [
        ViewRow(view, latest.get(view.pk), count.get(view.pk, 1) - 1)
        for view in views
        if view.active or view.pk in latest
    ]


def _session_photos(session: TreatmentSession) -> SessionPhotos:
    photos = list(
        ScalpPhoto.objects.filter(session=session)
        .select_related("taken_by")
        .order_by("taken_at", "id")
    )
    return SessionPhotos(
        session=session,
        rows=_rows(list(PhotoView.objects.all()), photos),
        consent=consent_active(session.patient),
        photos=photos,
    )


def session_card(*, user, session: TreatmentSession) -> SessionPhotos:
    """The photos card on a session's page (the page logs the session; the thumbnails are
    logged as each is served)."""
    _require(user, VIEW)
    return _session_photos(session)


def contact_sheet(*, user, pk: int) -> SessionPhotos:
    """Every view of one session on one page: the session and each photo shown are logged."""
    _require(user, VIEW)
    session = get_object_or_404(
        TreatmentSession.objects.select_related("patient", "session_type"), pk=pk
    )
    sheet = _session_photos(session)
    log_access(session, by=user)
    log_access_many([row.photo for row in sheet.rows if row.photo is not None], by=user)
    return sheet


def upload_session(*, user, pk: int) -> TreatmentSession:
    """The session a photo is being taken at (the form names its patient: logged)."""
    _require(user, TAKE)
    session = get_object_or_404(
        TreatmentSession.objects.select_related("patient", "session_type"), pk=pk
    )
    log_access(session, by=user)
    return session


def is_patients_session(patient: Patient, session_id: int) -> bool:
    return TreatmentSession.objects.filter(pk=session_id, patient=patient).exists()


def active_views() -> QuerySet[PhotoView]:
    return PhotoView.objects.filter(active=True)


# ---- a patient's photos over time ---------------------------------------------------------


@dataclass(frozen=True)
class PatientSummary:
    photos: int
    sessions: int
    consent_id: int | None  # the photo consent in force, if any
    consent_signed_at: datetime | None


def _consent_in_force(field: str) -> Subquery:
    return Subquery(
        PhotoConsent.objects.filter(patient=OuterRef("pk"), withdrawn_at__isnull=True)
        .order_by("-signed_at", "-id")
        .values(field)[:1]
    )


def patient_card(*, user, patient: Patient) -> PatientSummary:
    """What the patient page's photos card says, in one query (the page logs the patient)."""
    _require(user, VIEW)
    photos = ScalpPhoto.objects.filter(patient=OuterRef("pk")).order_by().values("patient")
    row = (
        Patient.objects.filter(pk=patient.pk)
        .annotate(
            photo_count=Subquery(photos.annotate(n=Count("pk")).values("n")),
            session_count=Subquery(photos.annotate(n=Count("session", distinct=True)).values("n")),
            consent_id=_consent_in_force("pk"),
            consent_signed_at=_consent_in_force("signed_at"),
        )
        .values("photo_count", "session_count", "consent_id", "consent_signed_at")
        .get()
    )
    return PatientSummary(
        photos=row["photo_count"] or 0,
        sessions=row["session_count"] or 0,
        consent_id=row["consent_id"],
        consent_signed_at=row["consent_signed_at"],
    )


@dataclass
class PatientPhotos:
    patient: Patient
    photos: list[ScalpPhoto]

    def views(self) -> list[PhotoView]:
        """The views this patient has photos of, in the clinic's order."""
        found = {photo.view_id: photo.view for photo in self.photos}
        return sorted(found.values(), key=lambda view: (view.position, view.pk))

    def sessions(self) -> list[TreatmentSession]:
        """The sessions with photos, oldest first."""
        found: dict[int, TreatmentSession] = {}
        for photo in self.photos:
            found.setdefault(photo.session_id, photo.session)
        return sorted(found.values(), key=lambda session: (session.start, session.pk))

    def photo(self, view_id: int, session_id: int) -> ScalpPhoto | None:
        """The latest photo of the view at the session."""
        found = None
        for photo in self.photos:
            if photo.view_id == view_id and photo.session_id == session_id:
                found = photo
        return found

    def sessions_of(self, view_id: int) -> list[TreatmentSession]:
        return [s for s in self.sessions() if self.photo(view_id, s.pk) is not None]

    def first_and_latest(self) -> tuple[int, int, int] | None:
        """What compare shows unless asked otherwise: (view, first session, latest session)
        for the first view, in the clinic's order, photographed on two dates (or on one)."""
        views = self.views()
        if not views:
            return None
        chosen = next((v for v in views if len(self.sessions_of(v.pk)) > 1), views[0])
        dates = self.sessions_of(chosen.pk)
        return chosen.pk, dates[0].pk, dates[-1].pk


def patient_photos(*, user, pk: int) -> PatientPhotos:
    """A patient's photos, for comparing (the patient is logged; the photos the page shows
    are logged by `shown`)."""
    _require(user, VIEW)
    patient = intake_selectors.patient_get(user=user, pk=pk)
    photos = list(
        ScalpPhoto.objects.filter(patient=patient)
        .select_related("view", "session")
        .order_by("taken_at", "id")
    )
    return PatientPhotos(patient, photos)


def shown(*, user, objects) -> None:
    """Log the photos a page drew (one bulk insert)."""
    _require(user, VIEW)
    unique = {obj.pk: obj for obj in objects if obj is not None}
    log_access_many(unique.values(), by=user)


# ---- consent ------------------------------------------------------------------------------


def consent_patient(*, user, pk: int) -> Patient:
    """The patient signing their photo consent (the form names them: logged)."""
    _require(user, SIGN)
    return intake_selectors.patient_get(user=user, pk=pk)


def consent_get(*, user, pk: int) -> PhotoConsent:
    """A consent about to be withdrawn; its patient's record is logged as read."""
    _require(user, WITHDRAW)
    consent = get_object_or_404(PhotoConsent.objects.select_related("patient"), pk=pk)
    log_access(consent, by=user)
    return consent


# ---- the clinic's views ------------------------------------------------------------------


def view_list(*, user) -> QuerySet[PhotoView]:
    _require(user, VIEW_VIEWS)
    return PhotoView.objects.annotate(photo_count=Count("photos")).order_by("position", "id")


def next_position() -> int:
    """Where a new view goes: after the last one."""
    last = PhotoView.objects.order_by("-position").values_list("position", flat=True).first()
    return (last or 0) + 10


def view_get(*, user, pk: int) -> PhotoView:
    _require(user, CHANGE_VIEW)
    return get_object_or_404(PhotoView, pk=pk)
