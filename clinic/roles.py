"""Staff roles as Django groups, and the permissions each one holds.

The mapping here is the single source of truth: data migrations call `sync_roles` so a fresh
database, a migrated one and the test database all grant exactly the same rights.
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
)

ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    FRONT_DESK: (
        *_PATIENT_READ,
        "intake.add_patient",
        "intake.change_patient",
        "intake.archive_patient",
        "intake.add_intakequestionnaire",
    ),
    PHYSICIAN: (
        *_PATIENT_READ,
        "intake.add_intakequestionnaire",
        "eligibility.review_screening",
        "eligibility.view_screening_answers",
    ),
    CLINIC_ADMIN: (
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
        "auditlog.view_logentry",
    ),
}


def sync_roles(apps=global_apps) -> None:
    """Create the role groups and set their permissions to exactly ROLE_PERMISSIONS."""
    for app_config in apps.get_app_configs():
        # Historical app configs in migrations have no models_module, and create_permissions
        # skips those; permissions normally appear only after migrate's post_migrate signal.
        original = getattr(app_config, "models_module", None)
        app_config.models_module = original or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = original
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=role)
        # A permission of an app migrated later is skipped here and granted by that app's own
        # roles migration; tests check that every listed permission exists in the end.
        wanted = [
            perm
            for perm in permission_model.objects.select_related("content_type")
            if f"{perm.content_type.app_label}.{perm.codename}" in perms
        ]
        group.permissions.set(wanted)


def role_of(user) -> str | None:
    """The user's role name for display; the first matching group wins. Cached per request."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_follicle_role"):
        names = {g.name for g in user.groups.all()}
        user._follicle_role = next(
            (role for role in (CLINIC_ADMIN, PHYSICIAN, FRONT_DESK) if role in names), None
        )
    return user._follicle_role
