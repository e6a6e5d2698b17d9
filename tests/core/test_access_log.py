"""Every page that shows a patient's data writes an access entry for it (issue 12, finding 4).

Each URL of the site is declared here: either a page of patient data, with the role that may see
it and the records it shows, or a page without patient data. A URL in neither list fails
`test_every_url_is_declared`, so a new page cannot skip its access log unnoticed. List pages and
the recall report write one entry per patient (or session) shown, in a number of queries that
does not grow with the number of rows.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.roles import CLINIC_ADMIN, FRONT_DESK, PHYSICIAN
from eligibility.models import PlanSignOff, Screening
from eligibility.services import screen_intake
from intake.models import IntakeQuestionnaire, Patient
from reports.models import Export
from scheduling.models import TreatmentSession
from tests.core.test_permissions import url_names
from tests.factories import IntakeFactory, PatientFactory, UserFactory, all_no, login_client
from tests.intake.test_views import PATIENT_POST
from tests.scheduling.factories import make_clinic, make_session, on_day, screened_patient

pytestmark = pytest.mark.django_db

LOT = "LOT-RECALL-1"


@dataclass
class World:
    desk: object
    doctor: object
    admin: object
    patient: Patient  # intake, sessions, consents, a lot
    intake: IntakeQuestionnaire
    session: TreatmentSession  # in three days
    today: TreatmentSession  # today, on the same patient
    blocked: TreatmentSession  # needs attention
    reviewed: Patient  # waiting for a physician, with a same-day sign-off
    screening: Screening
    signoff: PlanSignOff


@pytest.fixture
def world(db) -> World:
    clinic = make_clinic()
    admin = UserFactory(role=CLINIC_ADMIN, is_staff=True)
    patient = screened_patient(by=clinic.desk)
    session = make_session(clinic, patient=patient, start=on_day(3, 10), cartridge_lot=LOT)
    today = make_session(clinic, patient=patient, start=on_day(0, 19))
    blocked = make_session(
        clinic, patient=patient, start=on_day(4, 10), blocked_reason="Microneedling: not eligible."
    )
    intake = IntakeFactory(answers=all_no(anticoagulant=True))
    screenings = screen_intake(by=clinic.doctor, intake=intake)
    signoff = PlanSignOff.objects.create(
        patient=intake.patient,
        note="MN then LLLT.",
        until=on_day(30, 9).date(),
        signed_by=clinic.doctor,
    )
    return World(
        desk=clinic.desk,
        doctor=clinic.doctor,
        admin=admin,
        patient=patient,
        intake=patient.intakes.get(),
        session=session,
        today=today,
        blocked=blocked,
        reviewed=intake.patient,
        screening=next(s for s in screenings if s.outcome == "needs_review"),
        signoff=signoff,
    )


@dataclass(frozen=True)
class Page:
    """A page of patient data: who reads it, its address, and the records it must log."""

    role: str
    url: Callable[[World], str]
    shows: Callable[[World], list]
    method: str = "get"
    data: Callable[[World], dict] | None = None
    every_row: bool = False  # a list: exactly one entry per record shown
    status: int = 200


def _rev(name: str, *args: Callable[[World], object], query: str = ""):
    return lambda w: reverse(name, args=[arg(w).pk for arg in args]) + query


def _patient(w):
    return w.patient


def _session(w):
    return w.session


def _active_patients(w):
    return list(Patient.objects.filter(archived_at__isnull=True))


def _waiting_patients(w):
    return [w.reviewed]


def _session_page(name: str, role: str = FRONT_DESK) -> Page:
    return Page(role, _rev(name, _session), lambda w: [w.session])


def _finished_job(w):
    from reports import jobs

    job = jobs.export_start(by=w.admin, report="sessions", fmt="csv", filters={}, rows=0)
    jobs.export_run(job.pk)
    return job


def _access_url(w) -> str:
    from portal.models import Purpose
    from portal.services import access_issue

    access, _ = access_issue(by=w.desk, patient=w.patient, purpose=Purpose.INTAKE)
    return reverse("portal:revoke", args=[access.pk])


PATIENT_PAGES: dict[str, Page] = {
    # The patient's own links: the buttons that send, print, hand over or close one read the
    # patient (the printed page names them).
    "messaging:intake-link": Page(
        FRONT_DESK,
        _rev("messaging:intake-link", _patient),
        lambda w: [w.patient],
        method="post",
        status=302,
    ),
    "portal:qr": Page(
        FRONT_DESK, _rev("portal:qr", _patient), lambda w: [w.patient], method="post"
    ),
    "portal:kiosk-start": Page(
        FRONT_DESK,
        _rev("portal:kiosk-start", _patient),
        lambda w: [w.patient],
        method="post",
        status=302,
    ),
    "portal:revoke": Page(
        FRONT_DESK, _access_url, lambda w: [w.patient], method="post", status=302
    ),
    # The contact preference form names the patient and their address.
    "messaging:contact-update": Page(
        FRONT_DESK, _rev("messaging:contact-update", _patient), lambda w: [w.patient]
    ),
    "intake:patient-list": Page(
        FRONT_DESK, _rev("intake:patient-list"), _active_patients, every_row=True
    ),
    # The patient picker's type-ahead lists the patients it found.
    "intake:patient-picker": Page(
        FRONT_DESK,
        _rev("intake:patient-picker"),
        lambda w: [w.patient],
        method="post",
        data=lambda w: {"q": w.patient.mrn},
        every_row=True,
    ),
    # With a patient chosen (by id), free slots names them.
    "scheduling:free-slots": Page(
        FRONT_DESK,
        lambda w: reverse("scheduling:free-slots") + f"?patient={w.patient.pk}",
        lambda w: [w.patient],
    ),
    # The registration form lists the likely duplicates of what was typed.
    "intake:patient-create": Page(
        FRONT_DESK,
        _rev("intake:patient-create"),
        lambda w: [w.patient],
        method="post",
        data=lambda w: {
            **PATIENT_POST,
            "first_name": w.patient.first_name,
            "last_name": w.patient.last_name,
            "date_of_birth": w.patient.date_of_birth.isoformat(),
        },
    ),
    "intake:patient-detail": Page(
        FRONT_DESK, _rev("intake:patient-detail", _patient), lambda w: [w.patient]
    ),
    "intake:patient-update": Page(
        FRONT_DESK, _rev("intake:patient-update", _patient), lambda w: [w.patient]
    ),
    "intake:patient-archive": Page(
        FRONT_DESK, _rev("intake:patient-archive", _patient), lambda w: [w.patient]
    ),
    # A button: it names the patient in its confirmation.
    "intake:patient-restore": Page(
        FRONT_DESK,
        _rev("intake:patient-restore", _patient),
        lambda w: [w.patient],
        method="post",
        status=302,
    ),
    "intake:intake-create": Page(
        FRONT_DESK, _rev("intake:intake-create", _patient), lambda w: [w.patient]
    ),
    "intake:intake-detail": Page(
        FRONT_DESK, _rev("intake:intake-detail", _patient, lambda w: w.intake), lambda w: [w.intake]
    ),
    # A new intake started from an earlier one: its answers (and, for a physician, the
    # screening answers) are on the page.
    "intake:intake-edit": Page(
        PHYSICIAN,
        _rev("intake:intake-edit", _patient, lambda w: w.intake),
        lambda w: [w.patient, w.intake],
    ),
    # The front desk's start page lists today's arrivals by name.
    "dashboard": Page(FRONT_DESK, _rev("dashboard"), lambda w: [w.patient]),
    "scheduling:today": Page(
        FRONT_DESK, _rev("scheduling:today"), lambda w: [w.today], every_row=True
    ),
    "scheduling:day": Page(
        FRONT_DESK,
        lambda w: reverse("scheduling:day", args=[on_day(3, 10).date()]),
        lambda w: [w.session],
        every_row=True,
    ),
    "scheduling:attention": Page(
        FRONT_DESK, _rev("scheduling:attention"), lambda w: [w.blocked], every_row=True
    ),
    "scheduling:session-book": Page(
        FRONT_DESK,
        # Started from the patient's page: the form names the patient.
        lambda w: reverse("scheduling:session-book") + f"?patient={w.patient.pk}",
        lambda w: [w.patient],
    ),
    "scheduling:session-detail": _session_page("scheduling:session-detail"),
    "scheduling:session-reschedule": _session_page("scheduling:session-reschedule"),
    "scheduling:session-cancel": _session_page("scheduling:session-cancel"),
    "scheduling:session-check-in": _session_page("scheduling:session-check-in"),
    "scheduling:session-treatment": _session_page("scheduling:session-treatment", PHYSICIAN),
    "scheduling:session-addendum": _session_page("scheduling:session-addendum", PHYSICIAN),
    "scheduling:session-post-care": _session_page("scheduling:session-post-care"),
    "scheduling:consent-create": Page(
        FRONT_DESK,
        lambda w: reverse("scheduling:consent-create", args=[w.patient.pk, "prp"]),
        lambda w: [w.patient],
    ),
    "eligibility:review-queue": Page(
        PHYSICIAN, _rev("eligibility:review-queue"), _waiting_patients, every_row=True
    ),
    "eligibility:review-decide": Page(
        PHYSICIAN, _rev("eligibility:review-decide", lambda w: w.screening), lambda w: [w.reviewed]
    ),
    "eligibility:decide": Page(
        PHYSICIAN,
        lambda w: reverse("eligibility:decide", args=[w.reviewed.pk, "prp"]),
        lambda w: [w.reviewed],
    ),
    "eligibility:signoff-record": Page(
        PHYSICIAN, _rev("eligibility:signoff-record", lambda w: w.reviewed), lambda w: [w.reviewed]
    ),
    "eligibility:signoff-end": Page(
        PHYSICIAN, _rev("eligibility:signoff-end", lambda w: w.signoff), lambda w: [w.reviewed]
    ),
    "reports:recall": Page(
        CLINIC_ADMIN,
        _rev("reports:recall", query=f"?lot={LOT}"),
        lambda w: [w.patient],
        every_row=True,
    ),
    # The job's file was read, patient by patient, when it was written for the admin (above);
    # its download is logged as a read of the export.
    "reports:export-download": Page(
        CLINIC_ADMIN,
        lambda w: reverse("reports:export-download", args=[_finished_job(w).pk]),
        lambda w: [Export.objects.get(background=True)],
    ),
    "reports:export": Page(
        CLINIC_ADMIN,
        lambda w: reverse("reports:export", args=["recall", "csv"]) + f"?lot={LOT}",
        lambda w: [w.patient],
        every_row=True,
    ),
}

# Pages that show no patient's data, or that only change a record (the change is the entry).
NO_PATIENT_DATA = {
    "reports:export-jobs": "export jobs: report names, filters, counts and who asked",
    "reports:export-job": "one export job's state and progress",
    "reports:export-retry": "a button: starts the same export again",
    "reports:backup-start": "a button: a backup, kept on the server, never shown",
    "reports:fhir-job-start": "a button: the FHIR job logs each patient it writes, for the admin",
    "favicon": "a redirect to the static icon",
    "login": "",
    "logout": "",
    "two-factor-verify": "",
    "two-factor-setup": "",
    "password_change": "",
    "password_change_done": "",
    "password_reset": "",
    "password_reset_done": "",
    "password_reset_confirm": "",
    "password_reset_complete": "",
    "scheduling:session-no-show": "a button: the status change is audited",
    "scheduling:session-start": "a button: the status change is audited",
    "scheduling:session-complete": "a button: the status change is audited",
    "reports:index": "",
    "reports:sessions": "counts",
    "reports:screenings": "counts",
    "reports:reviews": "turnaround figures",
    "reports:audit-log": "the audit log itself: who read what is its content",
    "reports:audit-log-export": "the audit log itself",
    "session-status": "seconds left in the session",
    "messaging:unsubscribe": "the patient's own link; the page names no one",
    # The patient's own pages: no staff member reads them; the access row records when the
    # link was opened, the birth date confirmed and the answers sent.
    **{
        f"portal:{name}": "the patient's own pages (portal.PatientAccess records their use)"
        for name in ("open", "home", "verify", "intake", "pre-visit", "done", "exit")
    },
    "session-extend": "seconds left in the session",
    "form-draft": "the user's own typing, read by them only (core.drafts); the form's page "
    "logged its patient",
    "form-draft-discard": "a button: deletes the user's own draft",
    **{
        f"staff:{name}": "staff accounts, not patients"
        for name in (
            "list",
            "invite",
            "detail",
            "roles",
            "deactivate",
            "reactivate",
            "two-factor-reset",
            "invite-resend",
            "unlock",
        )
    },
    **{
        f"configuration:{name}": "the clinic's set-up; of sessions only how many are booked"
        for name in (
            *(
                f"{model}-{page}"
                for model in ("room", "device", "sessiontype")
                for page in ("list", "create", "update", "deactivate", "reactivate")
            ),
            "hours",
            "opening-hours",
            "closedday-create",
            "closedday-delete",
            "provider-hours",
            "providerhours-update",
            "providerhours-delete",
        )
    },
    **{
        f"configuration:consenttext-{page}": "consent texts: the clinic's, not a patient's"
        for page in ("list", "detail", "publish")
    },
}


def _app_declarations() -> None:
    """An app's own pages may be declared beside its tests, in
    `tests/<app>/access_log_cases.py` (`PATIENT_PAGES` and `NO_PATIENT_DATA` dicts, built
    with this module's `Page`, `World` and `_rev`)."""
    import importlib
    import pkgutil

    import tests

    for info in pkgutil.iter_modules(tests.__path__):
        if not info.ispkg:
            continue
        try:
            module = importlib.import_module(f"tests.{info.name}.access_log_cases")
        except ModuleNotFoundError as exc:
            if exc.name != f"tests.{info.name}.access_log_cases":
                raise
            continue
        PATIENT_PAGES.update(getattr(module, "PATIENT_PAGES", {}))
        NO_PATIENT_DATA.update(getattr(module, "NO_PATIENT_DATA", {}))


_app_declarations()

ROLE_USER = {FRONT_DESK: "desk", PHYSICIAN: "doctor", CLINIC_ADMIN: "admin"}


def test_every_url_is_declared():
    """A page added without saying whether it shows patient data fails here."""
    declared = set(PATIENT_PAGES) | set(NO_PATIENT_DATA)
    found = {name for name in url_names() if not name.startswith("admin:")}
    assert not found - declared, (
        f"Declare these in PATIENT_PAGES or NO_PATIENT_DATA: {sorted(found - declared)}"
    )
    assert not declared - found, f"No longer in the URLconf: {sorted(declared - found)}"


def _key(obj) -> tuple[int, str]:
    return ContentType.objects.get_for_model(obj).pk, str(obj.pk)


def _request(client, page: Page, world: World):
    data = page.data(world) if page.data else {}
    response = getattr(client, page.method)(page.url(world), data)
    if response.streaming:
        b"".join(response.streaming_content)
    return response


def _last_entry_id() -> int:
    return LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _accesses_since(entry_id: int, user) -> list[tuple[int, str]]:
    return list(
        LogEntry.objects.filter(pk__gt=entry_id, action=LogEntry.Action.ACCESS, actor=user)
        .order_by("pk")
        .values_list("content_type_id", "object_pk")
    )


@pytest.mark.parametrize("name", sorted(PATIENT_PAGES))
def test_a_page_of_patient_data_logs_the_access(name, world):
    """Issue 12, finding 4: edit patient, edit and new intake, archive, restore, the booking
    form, the patient list and the recall report showed patients without an access entry."""
    page = PATIENT_PAGES[name]
    user = getattr(world, ROLE_USER[page.role])
    client = login_client(user)
    before = _last_entry_id()
    response = _request(client, page, world)
    assert response.status_code == page.status, response.status_code
    logged = _accesses_since(before, user)
    wanted = [_key(obj) for obj in page.shows(world)]
    missing = set(wanted) - set(logged)
    assert not missing, f"{name}: no access entry for {missing} (logged: {logged})"
    if page.every_row:
        assert sorted(logged) == sorted(wanted), f"{name}: one entry per row shown"


def test_the_recall_xlsx_logs_every_patient_in_it(world):
    """Issue 12, finding 4: the recall download lists names and phones."""
    from django.test import TestCase

    client = login_client(world.admin)
    before = _last_entry_id()
    url = reverse("reports:export", args=["recall", "xlsx"]) + f"?lot={LOT}"
    # An XLSX is written in the background (issue 18): the job reads the rows for the admin.
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client.post(url).status_code == 302
    job = Export.objects.get(background=True)
    assert job.state == "done"
    assert _accesses_since(before, world.admin) == [_key(world.patient)]
    response = client.get(reverse("reports:export-download", args=[job.pk]))
    b"".join(response.streaming_content)
    assert _accesses_since(before, world.admin) == [_key(world.patient), _key(job)]


def test_a_recall_csv_logs_each_chunk_of_rows_in_bulk(world, monkeypatch):
    """A long recall list is logged chunk by chunk as it streams: every patient once per chunk,
    one insert per chunk (issue 12, finding 4)."""
    from reports import exports

    clinic_patients = [world.patient]
    for hour in range(8, 13):
        other = screened_patient(by=world.desk)
        make_session(_clinic_of(world), patient=other, start=on_day(5, hour), cartridge_lot=LOT)
        clinic_patients.append(other)
    monkeypatch.setattr(exports, "CHUNK", 2)
    client = login_client(world.admin)
    before = _last_entry_id()
    response = client.get(reverse("reports:export", args=["recall", "csv"]), {"lot": LOT})
    with CaptureQueriesContext(connection) as queries:
        rows = b"".join(response.streaming_content).decode("utf-8-sig").strip().splitlines()
    inserts = [q for q in queries if q["sql"].startswith('INSERT INTO "auditlog_logentry"')]
    assert len(rows) == 1 + len(clinic_patients)
    assert sorted(_accesses_since(before, world.admin)) == sorted(_key(p) for p in clinic_patients)
    assert len(inserts) == 3  # six rows, two a chunk


def _clinic_of(world: World):
    from tests.scheduling.factories import Clinic

    session = world.session
    return Clinic(
        desk=world.desk,
        doctor=world.doctor,
        types={session.session_type.name: session.session_type},
        rooms={"Room 1": session.room, "Laser room": session.room},
        devices={},
    )


# ---- list pages: one entry per row, a fixed number of queries --------------------------------


def _more_patients(world: World, count: int) -> None:
    for _ in range(count):
        PatientFactory(created_by=world.desk)


def _more_waiting(world: World, count: int) -> None:
    for _ in range(count):
        intake = IntakeFactory(answers=all_no(anticoagulant=True), taken_by=world.doctor)
        screen_intake(by=world.doctor, intake=intake)


def _more_sessions(world: World, count: int, *, day: int, first_hour: int, **fields) -> None:
    """`count` sessions of new patients on one day, an hour apart."""
    clinic = _clinic_of(world)
    for hour in range(first_hour, first_hour + count):
        make_session(
            clinic,
            patient=PatientFactory(created_by=world.desk),
            start=on_day(day, hour),
            **fields,
        )


LISTS = {
    "intake:patient-list": _more_patients,
    "eligibility:review-queue": _more_waiting,
    "scheduling:attention": partial(
        _more_sessions, day=6, first_hour=8, blocked_reason="Microneedling: not eligible."
    ),
    "scheduling:day": partial(_more_sessions, day=3, first_hour=11),
    "reports:recall": partial(_more_sessions, day=7, first_hour=8, cartridge_lot=LOT),
}


@pytest.mark.parametrize("name", sorted(LISTS))
def test_a_list_logs_one_entry_per_row_in_a_fixed_number_of_queries(name, world):
    """Issue 12, finding 4: a list page logs what it shows in one bulk insert, so its queries
    do not grow with its rows."""
    page = PATIENT_PAGES[name]
    user = getattr(world, ROLE_USER[page.role])
    client = login_client(user)
    _request(client, page, world)  # warm caches (content types, permissions)

    def measure() -> tuple[int, int]:
        before = _last_entry_id()
        with CaptureQueriesContext(connection) as queries:
            response = _request(client, page, world)
        assert response.status_code == 200
        return len(queries), len(_accesses_since(before, user))

    small_queries, small_rows = measure()
    LISTS[name](world, 4)
    large_queries, large_rows = measure()
    assert large_rows > small_rows >= 1
    assert large_queries == small_queries, (name, small_queries, large_queries)
