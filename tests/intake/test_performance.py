"""Issue 15: the patient pages cost the same number of queries however much data there is,
stay within the page budget, read only what they show, and still log what they show in one
insert."""

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.template import engines
from django.template.loader import render_to_string
from django.test.html import parse_html
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from intake.filters import PatientFilter
from intake.models import Patient
from tests.factories import IntakeFactory, PatientFactory
from tests.scheduling.factories import make_session, on_day, screened_patient

pytestmark = pytest.mark.django_db

#: Issue 15's budget for a page, the middleware's own queries included.
PAGE_BUDGET = 15
#: The patient's page draws the whole record, one card per app, each a fixed number of queries
#: (eligibility 3, sessions and consents 2, messages and contact 1, their own answers 1, course
#: plans and outcomes 2, photos 1 for a physician): above a list's budget, and flat.
PATIENT_PAGE_BUDGET = 18
LIST = reverse("intake:patient-list")
PICKER = reverse("intake:patient-picker")


def _queries(client, url: str, *, post: dict | None = None) -> list[str]:
    # Once first, so that the session's once-a-minute save is not counted.
    send = (lambda: client.post(url, post)) if post is not None else (lambda: client.get(url))
    send()
    with CaptureQueriesContext(connection) as captured:
        response = send()
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def _inserts(sqls: list[str]) -> list[str]:
    return [sql for sql in sqls if sql.startswith("INSERT")]


def _search(client, **fields) -> None:
    client.post(LIST, {"q": "", "status": "active", "sex": "", **fields})


@pytest.mark.parametrize("search", [None, {"q": "Brown"}], ids=["list", "search"])
def test_patient_list_is_flat_from_a_few_patients_to_more_than_a_page(desk_client, search):
    if search:
        _search(desk_client, **search)
    for _ in range(3):
        IntakeFactory(patient__last_name="Brown")
    few = _queries(desk_client, LIST)
    for _ in range(40):
        IntakeFactory(patient__last_name="Brown")
    many = _queries(desk_client, LIST)
    assert len(many) == len(few)
    assert len(many) <= PAGE_BUDGET
    # One insert logs the page's 25 rows.
    assert len(_inserts(many)) == 1


def test_patient_list_reads_only_the_columns_it_shows(desk_client):
    IntakeFactory(patient__notes="Private note", patient__address="1 High Street")
    sqls = _queries(desk_client, LIST)
    (page,) = [sql for sql in sqls if "FROM" in sql and "intake_patient" in sql and "LIMIT" in sql]
    for unused in ("notes", "address", "emergency_contact_phone", "archive_reason"):
        assert f'"intake_patient"."{unused}"' not in page


def test_patient_list_still_shows_and_logs_each_row(desk_client, front_desk_user):
    intake = IntakeFactory(patient__last_name="Zebedee", patient__phone="+14155550100")
    patient = intake.patient
    html = desk_client.get(LIST).content.decode()
    assert f'<a href="{patient.get_absolute_url()}">{patient.mrn}</a>' in html
    assert f"Zebedee, {patient.first_name}</a>" in html
    assert "(415) 555-0100" in html
    assert "none yet" not in html
    logged = LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS, actor=front_desk_user, object_pk=str(patient.pk)
    )
    assert logged.count() == 1


def test_an_empty_list_says_so(desk_client):
    _search(desk_client, q="Nobody")
    assert "No patients match." in desk_client.get(LIST).content.decode()


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"q": "", "status": "active", "sex": ""},
        {"q": 'O\'Brien "<b>"', "status": "archived", "sex": "female"},
        {"q": "F0000123", "status": "all", "sex": "unknown"},
    ],
)
def test_the_search_card_draws_what_crispy_draws(data):
    """The hand-drawn search form is crispy's markup, field for field."""
    form = PatientFilter(data, queryset=Patient.objects.none()).form
    assert not form.errors
    crispy = engines["django"].from_string("{% load crispy_forms_tags %}{% crispy form %}")
    expected = parse_html(crispy.render({"form": form}))
    card = parse_html(render_to_string("intake/patient_search_card.html", {"filter_form": form}))
    assert card.count(expected) == 1


def test_a_search_with_errors_is_drawn_by_crispy_with_its_summary(desk_client):
    _search(desk_client, status="bogus")
    html = desk_client.get(LIST).content.decode()
    assert "There is a problem" in html
    assert 'aria-invalid="true"' in html
    assert "No patients match." in html


@pytest.mark.parametrize("role", ["desk", "physician"])
def test_patient_page_is_flat_from_one_session_to_many(clinic, desk_client, physician_client, role):
    client = desk_client if role == "desk" else physician_client
    patient = screened_patient(by=clinic.desk)
    make_session(clinic, patient=patient, start=on_day(1, 9))
    url = reverse("intake:patient-detail", args=[patient.pk])
    few = _queries(client, url)
    for day in range(2, 22):
        make_session(clinic, patient=patient, start=on_day(day, 9))
    IntakeFactory(patient=patient)
    many = _queries(client, url)
    assert len(many) == len(few)
    assert len(many) <= PATIENT_PAGE_BUDGET
    assert len(_inserts(many)) == 1


def test_patient_picker_is_flat(desk_client):
    PatientFactory.create_batch(2, last_name="Brown")
    few = _queries(desk_client, PICKER, post={"q": "Brown"})
    PatientFactory.create_batch(30, last_name="Brown")
    many = _queries(desk_client, PICKER, post={"q": "Brown"})
    assert len(many) == len(few)
    assert len(many) <= PAGE_BUDGET
    assert len(_inserts(many)) == 1
