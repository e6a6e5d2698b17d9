"""Staff roles as Django groups, and the permissions each one holds.

The mapping here is the single source of truth: `migrate` (and a test database's flush) calls
`sync_roles` once every app's permissions exist (core.apps), so a fresh database, a migrated one
and the test database all grant exactly the same rights.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

FRONT_DESK = "front_desk"
PHYSICIAN = "physician"
CLINIC_ADMIN = "clinic_admin"

ROLE_LABELS = {
    FRONT_DESK: "Front desk",
    PHYSICIAN: "Physician",
    CLINIC_ADMIN: "Clinic admin",
}

_PATIENT_READ = (
    "intake.view_patient",
    "intake.view_intakequestionnaire",
    "eligibility.view_screening",
    "eligibility.view_physicianreview",
    "eligibility.view_plansignoff",
    # The patient page's messages card: how the patient may be reached, and what was sent.
    "messaging.view_message",
    # The patient's own links and tablet sessions, and what came of them.
    "portal.view_patientaccess",
    # A patient's course and outcomes (issue 17).
    "courses.view_courseplan",
    "courses.view_outcome",
    "scheduling.view_addendum",
)

# Scheduling: front desk books, moves, cancels and checks in; physicians also book (an interval
# override is only usable while booking) and chart; admins keep the clinic's set-up (with the
# session types, which live in treatments).
_SCHEDULING_DESK = (
    "scheduling.view_treatmentsession",
    "scheduling.add_treatmentsession",
    "scheduling.change_treatmentsession",
    "scheduling.cancel_session",
    "scheduling.check_in_session",
    "scheduling.view_consent",
    "scheduling.add_consent",
)
_SCHEDULING_PHYSICIAN = (
    "scheduling.view_treatmentsession",
    "scheduling.add_treatmentsession",
    "scheduling.change_treatmentsession",
    "scheduling.chart_treatment",
    "scheduling.override_interval",
    "scheduling.set_needle_depth",
    "scheduling.view_consent",
    "scheduling.add_consent",
)
_SCHEDULING_ADMIN = (
    *(
        f"scheduling.{action}_{model}"
        for model in ("room", "device")
        for action in ("view", "add", "change")
    ),
    *(f"treatments.{action}_sessiontype" for action in ("view", "add", "change")),
    *(f"treatments.{action}_consenttext" for action in ("view", "add")),
    *(
        f"scheduling.{action}_{model}"
        for model in ("openinghours", "closedday", "providerhours")
        for action in ("view", "add", "change", "delete")
    ),
)

ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    FRONT_DESK: (
        *_PATIENT_READ,
        "messaging.change_contact",
        "portal.issue_access",
        "intake.add_patient",
        "intake.change_patient",
        "intake.archive_patient",
        "intake.add_intakequestionnaire",
        *_SCHEDULING_DESK,
    ),
    PHYSICIAN: (
        *_PATIENT_READ,
        "intake.add_intakequestionnaire",
        "eligibility.review_screening",
        "eligibility.view_screening_answers",
        "eligibility.sign_off_plan",
        *_SCHEDULING_PHYSICIAN,
        # Issue 17: addenda to locked records, courses, outcomes and scalp photos. Photos are
        # the physician's: the front desk has no photo permission at all.
        "scheduling.add_addendum",
        "courses.add_courseplan",
        "courses.change_courseplan",
        "courses.record_outcome",
        "photos.view_scalpphoto",
        "photos.add_scalpphoto",
        "photos.view_photoconsent",
        "photos.add_photoconsent",
        "photos.change_photoconsent",
    ),
    CLINIC_ADMIN: (
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
        "auditlog.view_logentry",
        *_SCHEDULING_ADMIN,
        "reports.view_reports",
        "reports.export_reports",
        "reports.run_backup",
        # The FHIR export (issue 17) and the clinic's standard photo views.
        "fhir.export_fhir",
        "fhir.view_fhirexport",
        "photos.view_photoview",
        "photos.add_photoview",
        "photos.change_photoview",
        # Unlocking a locked-out login: delete its access attempt.
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accesslog",
    ),
}


def sync_roles(apps=global_apps) -> None:
    """Create the role groups and set their permissions to exactly ROLE_PERMISSIONS."""
    for app_config in apps.get_app_configs():
        # Historical app configs have no models_module, and create_permissions skips those.
        original = getattr(app_config, "models_module", None)
        app_config.models_module = original or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = original
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=role)
        # Run after every app's migrations; tests check that every listed permission exists.
        wanted = [
            perm
            for perm in permission_model.objects.select_related("content_type")
            if f"{perm.content_type.app_label}.{perm.codename}" in perms
        ]
        group.permissions.set(wanted)


# A permission only that role holds, checked in this order: the role follows from the
# permissions Django has already loaded for the request, so naming it costs no query.
ROLE_MARKERS = (
    (CLINIC_ADMIN, "reports.view_reports"),
    (PHYSICIAN, "eligibility.review_screening"),
    (FRONT_DESK, "intake.add_patient"),
)


def role_of(user) -> str | None:
    """The user's role; the first matching marker permission wins."""
    if not user.is_authenticated:
        return None
    return next((role for role, perm in ROLE_MARKERS if user.has_perm(perm)), None)
