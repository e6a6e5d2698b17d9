"""Session types are stored once, in treatments: the migrations' defaults, their colours, and
eligibility's badges read from the same rows scheduling books."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from core.roles import CLINIC_ADMIN, ROLE_PERMISSIONS
from eligibility import rules
from eligibility.services import eligibility_summary
from tests.factories import SessionTypeFactory
from tests.scheduling.factories import (
    LLLT,
    MN,
    PRP_MN,
    make_session,
    on_day,
    screened_patient,
)
from treatments.models import Colour, DeviceKind, RoomKind, SessionType, validate_procedure_codes
from treatments.selectors import offered_session_types

pytestmark = pytest.mark.django_db

DEFAULTS = {
    # name: procedures, minutes, room kind, device kind, colour
    "Microneedling": (
        "microneedling",
        45,
        RoomKind.PROCEDURE,
        DeviceKind.MICRONEEDLING_PEN,
        "primary",
    ),
    "PRP": ("prp", 60, RoomKind.PROCEDURE, DeviceKind.CENTRIFUGE, "danger"),
    "PRP with microneedling": (
        "prp+microneedling",
        75,
        RoomKind.PROCEDURE,
        DeviceKind.CENTRIFUGE,
        "warning",
    ),
    "Laser (LLLT)": ("lllt", 30, RoomKind.LASER, DeviceKind.LASER, "info"),
    "Microneedling then LLLT": ("microneedling+lllt", 60, RoomKind.LASER, DeviceKind.LASER, "dark"),
}


def test_the_migrations_store_the_five_defaults_with_their_colours():
    stored = {
        t.name: (t.procedure_codes, t.duration_minutes, t.room_kind, t.device_kind, t.colour)
        for t in SessionType.objects.all()
    }
    assert stored == DEFAULTS
    assert all(t.active for t in SessionType.objects.all())


def test_the_table_did_not_move():
    assert SessionType._meta.db_table == "scheduling_sessiontype"
    providers = SessionType._meta.get_field("providers").remote_field.through
    assert providers._meta.db_table == "scheduling_sessiontype_providers"


def test_a_colour_is_one_of_bootstraps_and_defaults_to_blue():
    session_type = SessionType(
        name="PRP then LLLT",
        procedure_codes="prp+lllt",
        duration_minutes=60,
        room_kind=RoomKind.LASER,
        device_kind=DeviceKind.LASER,
    )
    assert session_type.colour == Colour.BLUE == "primary"
    session_type.full_clean()
    session_type.colour = "chartreuse"
    with pytest.raises(ValidationError) as error:
        session_type.full_clean()
    assert "colour" in error.value.message_dict


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        ("prp+botox", "Unknown procedures: botox."),
        ("prp+prp", "A procedure appears twice."),
    ],
)
def test_procedures_are_checked(codes, message):
    session_type = SessionType(
        name="Odd",
        procedure_codes=codes,
        duration_minutes=30,
        room_kind="laser",
        device_kind="laser",
    )
    with pytest.raises(ValidationError) as error:
        session_type.full_clean()
    assert message in error.value.message_dict["procedure_codes"]


def test_a_session_type_has_at_least_one_procedure():
    with pytest.raises(ValidationError, match="Choose at least one procedure"):
        validate_procedure_codes("")


def test_offered_session_types_are_the_active_ones_as_plain_values(django_assert_num_queries):
    SessionType.objects.filter(name=LLLT).update(active=False)
    with django_assert_num_queries(1):
        offered = offered_session_types()
    assert dict(offered) == {
        "Microneedling": ("microneedling",),
        "Microneedling then LLLT": ("microneedling", "lllt"),
        "PRP": ("prp",),
        "PRP with microneedling": ("prp", "microneedling"),
    }


def test_the_eligibility_summary_reads_the_stored_session_types(clinic):
    patient = screened_patient(by=clinic.desk, yes=("anticoagulant",))
    SessionTypeFactory(name="PRP then LLLT", procedure_codes="prp+lllt")
    SessionType.objects.filter(name=MN).update(active=False)
    combinations = dict(eligibility_summary(patient).combinations)
    assert set(combinations) == {
        "Laser (LLLT)",
        "Microneedling then LLLT",
        "PRP",
        PRP_MN,
        "PRP then LLLT",
    }
    assert combinations["PRP then LLLT"].procedures[0].procedure == rules.PRP
    assert combinations["Laser (LLLT)"].bookable


def test_an_inactive_session_type_has_no_badge_on_the_patient_page(client, clinic):
    patient = screened_patient(by=clinic.desk)
    SessionType.objects.filter(name=PRP_MN).update(active=False)
    client.force_login(clinic.desk)
    page = client.get(reverse("intake:patient-detail", args=[patient.pk])).content.decode()
    assert "Laser (LLLT): eligible" in page
    assert "PRP with microneedling:" not in page


def test_admins_manage_session_types_in_treatments(admin_client_):
    perms = set(ROLE_PERMISSIONS[CLINIC_ADMIN])
    assert {f"treatments.{a}_sessiontype" for a in ("view", "add", "change")} <= perms
    assert not any(p.startswith("scheduling.") and p.endswith("_sessiontype") for p in perms)
    assert admin_client_.get(reverse("configuration:sessiontype-list")).status_code == 200


def _content_type_labels() -> list[str]:
    return list(ContentType.objects.filter(model="sessiontype").values_list("app_label", flat=True))


@pytest.mark.django_db(transaction=True)
def test_moving_the_model_keeps_rows_links_and_permissions(clinic):
    """Back to before the move (scheduling owns SessionType) and forward again: same rows."""
    patient = screened_patient(by=clinic.desk)
    session = make_session(clinic, patient=patient, start=on_day(1, 10), type_name=PRP_MN)
    session_type = session.session_type

    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate([("treatments", None)])
    before = (
        MigrationExecutor(connection)
        .loader.project_state([("scheduling", "0004_attention_events")])
        .apps
    )
    assert _content_type_labels() == ["scheduling"]
    old_type = before.get_model("scheduling", "SessionType").objects.get(pk=session_type.pk)
    assert old_type.name == PRP_MN
    assert list(old_type.providers.all()) == [
        before.get_model("auth", "User").objects.get(pk=clinic.doctor.pk)
    ]

    MigrationExecutor(connection).migrate(leaves)
    session.refresh_from_db()
    assert session.session_type_id == session_type.pk
    assert session.session_type.colour == "warning"
    assert list(session.session_type.providers.all()) == [clinic.doctor]
    assert _content_type_labels() == ["treatments"]

    # Re-running the defaults' migration never undoes an admin's colour.
    MigrationExecutor(connection).migrate([("treatments", "0002_sessiontype_colour")])
    SessionType.objects.filter(pk=session_type.pk).update(colour=Colour.GREY)
    MigrationExecutor(connection).migrate(leaves)
    assert SessionType.objects.get(pk=session_type.pk).colour == Colour.GREY
