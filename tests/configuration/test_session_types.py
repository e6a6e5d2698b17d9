"""Session types in the app (issue 14): procedures in order, length, the kinds of room and device,
colour and who may perform it. What sessions on record and ahead rely on is kept: procedures
once a session of the type exists, kinds and providers while sessions ahead need them."""

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from configuration import services
from core.roles import FRONT_DESK, PHYSICIAN
from scheduling.models import Status
from tests.configuration.conftest import entries
from tests.factories import SessionTypeFactory, UserFactory
from tests.scheduling.factories import MN, PRP_MN
from treatments.models import DeviceKind, RoomKind, SessionType
from treatments.selectors import offered_session_types

pytestmark = pytest.mark.django_db

LIST = reverse("configuration:sessiontype-list")
CREATE = reverse("configuration:sessiontype-create")


def url(name: str, record) -> str:
    return reverse(f"configuration:{name}", args=[record.pk])


def form_data(**changes) -> dict:
    data = {
        "name": "PRP then laser",
        "procedure_1": "prp",
        "procedure_2": "lllt",
        "procedure_3": "",
        "duration_minutes": "90",
        "room_kind": RoomKind.LASER,
        "device_kind": DeviceKind.CENTRIFUGE,
        "colour": "success",
    }
    data.update(changes)
    return data


def data_of(session_type: SessionType, **changes) -> dict:
    codes = [*session_type.procedures, "", ""]
    data = {
        "name": session_type.name,
        "procedure_1": codes[0],
        "procedure_2": codes[1],
        "procedure_3": codes[2],
        "duration_minutes": str(session_type.duration_minutes),
        "room_kind": session_type.room_kind,
        "device_kind": session_type.device_kind,
        "colour": session_type.colour,
        "providers": [p.pk for p in session_type.providers.all()],
    }
    data.update(changes)
    return data


def test_list_shows_types_with_colour_procedures_and_providers(admin_client_, clinic, book):
    book(clinic)
    page = admin_client_.get(LIST).content.decode()
    assert "Add a session type" in page
    assert '<span class="badge text-bg-' in page
    assert "PRP with microneedling" in page and "PRP + microneedling" in page
    mn = clinic.types[MN]
    assert url("sessiontype-update", mn) in page and url("sessiontype-deactivate", mn) in page


def test_list_queries_do_not_grow_with_the_list(admin_client_, clinic, book):
    book(clinic)
    admin_client_.get(LIST)
    with CaptureQueriesContext(connection) as few:
        admin_client_.get(LIST)
    for n in range(20):
        session_type = SessionTypeFactory(name=f"Extra {n:02d}")
        session_type.providers.add(clinic.doctor)
    with CaptureQueriesContext(connection) as many:
        page = admin_client_.get(LIST).content.decode()
    assert "Extra 19" in page
    assert len(many.captured_queries) == len(few.captured_queries) <= 8


def test_admin_adds_a_session_type_with_procedures_in_order(admin_client_, admin_user, clinic):
    data = form_data(providers=[clinic.doctor.pk])
    response = admin_client_.post(CREATE, data)
    assert response.status_code == 302 and response.url == LIST
    created = SessionType.objects.get(name="PRP then laser")
    assert created.procedures == ("prp", "lllt")
    assert created.duration_minutes == 90 and created.colour == "success"
    assert list(created.providers.all()) == [clinic.doctor]
    assert ("PRP then laser", ("prp", "lllt")) in offered_session_types()
    logged = entries(created)
    assert {e.actor for e in logged} == {admin_user}
    assert logged.filter(action=LogEntry.Action.CREATE).exists()
    # Who may perform it is audited too (auditlog's many-to-many entry).
    assert any("providers" in (e.changes_dict or {}) for e in logged)


def test_a_procedure_twice_is_refused_and_the_input_kept(admin_client_):
    response = admin_client_.post(CREATE, form_data(procedure_2="prp", name="Twice"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "A procedure appears twice." in page
    assert 'value="Twice"' in page and 'value="90"' in page
    assert not SessionType.objects.filter(name="Twice").exists()


@pytest.mark.parametrize("minutes", ["4", "481", "abc"])
def test_a_length_out_of_range_is_refused(admin_client_, minutes):
    response = admin_client_.post(CREATE, form_data(duration_minutes=minutes))
    assert response.status_code == 200
    assert not SessionType.objects.filter(name="PRP then laser").exists()


def test_a_name_in_use_is_refused(admin_client_, clinic):
    response = admin_client_.post(CREATE, form_data(name="prp"))
    assert "There is already a session type called “PRP”." in response.content.decode()


def test_only_staff_who_can_treat_are_offered_as_providers(admin_client_, clinic):
    desk = UserFactory(role=FRONT_DESK, first_name="Frank", last_name="Desk")
    other_doctor = UserFactory(role=PHYSICIAN, first_name="Olga", last_name="Doctor")
    page = admin_client_.get(CREATE).content.decode()
    assert "Olga Doctor" in page and "Frank Desk" not in page
    response = admin_client_.post(CREATE, form_data(providers=[desk.pk, other_doctor.pk]))
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()


def test_editing_the_length_colour_and_providers(admin_client_, admin_user, clinic):
    session_type = clinic.types[MN]
    other = UserFactory(role=PHYSICIAN)
    page = admin_client_.get(url("sessiontype-update", session_type)).content.decode()
    assert 'value="45"' in page and "Deactivate this session type" in page
    data = data_of(session_type, duration_minutes="50", colour="dark", providers=[other.pk])
    response = admin_client_.post(url("sessiontype-update", session_type), data)
    assert response.status_code == 302
    session_type.refresh_from_db()
    assert session_type.duration_minutes == 50 and session_type.colour == "dark"
    assert list(session_type.providers.all()) == [other]
    changes = entries(session_type, LogEntry.Action.UPDATE).filter(actor=admin_user)
    fields = {field for change in changes for field in change.changes_dict}
    assert fields == {"duration_minutes", "colour", "providers"}
    assert changes.first().changes_dict["duration_minutes"] == ["45", "50"]


def test_procedures_are_fixed_once_a_session_is_on_record(admin_client_, clinic, book):
    session_type = clinic.types[MN]
    # Any session on record counts, a cancelled one in the past too.
    book(clinic, -10, status=Status.CANCELLED, cancel_reason="Called off")
    data = data_of(session_type, procedure_2="lllt")
    response = admin_client_.post(url("sessiontype-update", session_type), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "The procedures of Microneedling can" in page
    assert "Add a new session type with these procedures and deactivate this one." in page
    session_type.refresh_from_db()
    assert session_type.procedures == ("microneedling",)
    # A type nothing was booked with can still change its procedures.
    fresh = SessionTypeFactory(name="Fresh")
    response = admin_client_.post(
        url("sessiontype-update", fresh), data_of(fresh, procedure_2="lllt")
    )
    assert response.status_code == 302
    fresh.refresh_from_db()
    assert fresh.procedures == ("microneedling", "lllt")


def test_kinds_are_kept_while_sessions_ahead_need_them(admin_client_, clinic, book):
    session_type = clinic.types[MN]
    book(clinic, 6)
    data = data_of(session_type, room_kind=RoomKind.LASER, device_kind=DeviceKind.LASER)
    response = admin_client_.post(url("sessiontype-update", session_type), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Microneedling needs a procedure room while it has 1 booked session on" in page
    session_type.refresh_from_db()
    assert session_type.room_kind == RoomKind.PROCEDURE


def test_a_provider_with_sessions_ahead_stays_listed(admin_client_, clinic, book):
    session_type = clinic.types[MN]
    book(clinic, 4)
    other = UserFactory(role=PHYSICIAN, first_name="Olga", last_name="Other")
    session_type.providers.add(other)
    response = admin_client_.post(
        url("sessiontype-update", session_type), data_of(session_type, providers=[other.pk])
    )
    assert response.status_code == 200
    page = response.content.decode()
    name = clinic.doctor.get_full_name()
    assert f"{name} stays listed for Microneedling while they have 1 booked session" in page
    assert set(session_type.providers.all()) == {clinic.doctor, other}
    # Olga has nothing booked: she can be taken off.
    response = admin_client_.post(
        url("sessiontype-update", session_type),
        data_of(session_type, providers=[clinic.doctor.pk]),
    )
    assert response.status_code == 302
    assert list(session_type.providers.all()) == [clinic.doctor]


def test_deactivating_a_session_type(admin_client_, admin_user, clinic, book):
    session_type = clinic.types[PRP_MN]
    page = admin_client_.get(url("sessiontype-deactivate", session_type)).content.decode()
    assert "Deactivate PRP with microneedling?" in page
    response = admin_client_.post(url("sessiontype-deactivate", session_type))
    assert response.status_code == 302
    session_type.refresh_from_db()
    assert not session_type.active
    assert PRP_MN not in {name for name, _ in offered_session_types()}
    assert admin_client_.post(url("sessiontype-reactivate", session_type)).status_code == 302
    session_type.refresh_from_db()
    assert session_type.active
    assert entries(session_type, LogEntry.Action.UPDATE).filter(actor=admin_user).count() == 2


def test_a_session_type_with_sessions_ahead_is_not_deactivated(admin_user, clinic, book):
    book(clinic, 2)
    with pytest.raises(ValidationError, match="can't be deactivated: it has 1 booked session"):
        services.sessiontype_deactivate(by=admin_user, session_type=clinic.types[MN])
    clinic.types[MN].refresh_from_db()
    assert clinic.types[MN].active


def test_services_refuse_who_may_not(clinic):
    desk = UserFactory(role=FRONT_DESK)
    with pytest.raises(PermissionDenied):
        services.sessiontype_deactivate(by=desk, session_type=clinic.types[MN])
