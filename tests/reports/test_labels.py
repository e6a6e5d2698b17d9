"""Pages show words, downloads keep codes (issue 14, "Words"): the recall list's status and what
matched are labels on the page and the documented codes in the CSV; no filter goes unlabelled."""

import csv
import io
import re

import pytest
from django.urls import reverse

from reports.forms import RecallFilterForm, ReportFilterForm
from tests.reports.conftest import WEEK

pytestmark = pytest.mark.django_db


def _recall_page(client, lot: str) -> str:
    response = client.get(reverse("reports:recall"), {"lot": lot})
    assert response.status_code == 200
    return response.content.decode()


def _recall_csv(client, lot: str) -> list[list[str]]:
    response = client.get(reverse("reports:export", args=["recall", "csv"]), {"lot": lot})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_recall_page_shows_the_lot_kind_and_status_in_words(admin_client_, week):
    html = _recall_page(admin_client_, "KIT-7")
    assert "<td>PRP kit lot</td>" in html
    assert "<td>Completed</td>" in html
    assert "prp_kit" not in html.replace("prp_kit_lot", "")
    assert "<td>completed</td>" not in html


def test_recall_page_names_a_device_match_and_a_no_show(admin_client_, week):
    html = _recall_page(admin_client_, "SN-300")
    assert "<td>Device serial</td>" in html
    assert "<td>No-show</td>" in html and "<td>Booked</td>" in html
    assert "no_show" not in html.replace('value="no_show"', "")
    assert "<td>device</td>" not in html


def test_recall_download_keeps_the_documented_codes(admin_client_, week):
    header, *rows = _recall_csv(admin_client_, "KIT-7")
    status, matched = header.index("status"), header.index("matched")
    assert {row[status] for row in rows} == {"completed"}
    assert {row[matched] for row in rows} == {"prp_kit"}
    header, *rows = _recall_csv(admin_client_, "SN-300")
    assert {row[header.index("status")] for row in rows} == {"booked", "no_show"}
    assert {row[header.index("matched")] for row in rows} == {"device"}


@pytest.mark.parametrize("form_class", [ReportFilterForm, RecallFilterForm])
def test_every_report_filter_has_a_label(form_class):
    form = form_class({})
    for name, field in form.fields.items():
        assert field.label, f"{form_class.__name__}.{name} has no label"
        assert "invalid" not in field.label


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("reports:sessions", WEEK),
        ("reports:screenings", WEEK),
        ("reports:reviews", WEEK),
        ("reports:recall", {"lot": "KIT-7"}),
        ("reports:audit-log", None),
    ],
)
def test_report_pages_label_every_filter(admin_client_, week, name, query):
    html = admin_client_.get(reverse(name), query).content.decode()
    assert "[invalid name]" not in html


def test_patient_list_status_filter_is_labelled(desk_client):
    html = desk_client.get(reverse("intake:patient-list")).content.decode()
    assert "[invalid name]" not in html
    assert re.search(r'<label\s+for="id_status"[^>]*>\s*Status\s*</label>', html)
