"""Screening outcomes, contraindication frequency and review turnaround on known data."""

import csv
import io
import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from eligibility.models import Screening
from reports import queries
from reports.forms import ReportFilterForm
from tests.factories import PatientFactory, UserFactory
from tests.reports import builders as b

pytestmark = pytest.mark.django_db

NOVEMBER = {"date_from": "2026-11-01", "date_to": "2026-11-30"}
DAY = date(2026, 11, 10)
WOUND = ("scalp_wound", "exclude", "Scalp wound")
HERPES = ("herpes_history", "review", "History of cold sores")
SMOKER = ("smoker", "caution", "Smoker")


def _filters(**extra):
    form = ReportFilterForm({**NOVEMBER, **extra})
    assert form.is_valid(), form.errors
    return form.filters()


@pytest.fixture
def screened(db):
    patient = PatientFactory()
    mn, prp, lllt = "microneedling", "prp", "lllt"
    at = b.at(DAY, 10)
    made = [
        b.screening(
            patient=patient, procedure=mn, outcome="ineligible", reasons=[WOUND, HERPES],
            screened_at=at,
        ),
        b.screening(
            patient=patient, procedure=mn, outcome="needs_review", reasons=[HERPES], screened_at=at
        ),
        b.screening(
            patient=patient, procedure=prp, outcome="ineligible", reasons=[WOUND], screened_at=at
        ),
        b.screening(
            patient=patient, procedure=prp, outcome="eligible", reasons=[SMOKER], screened_at=at
        ),
        b.screening(patient=patient, procedure=lllt, outcome="eligible", screened_at=at),
        # October: outside the range.
        b.screening(
            patient=patient, procedure=mn, outcome="ineligible", reasons=[WOUND],
            screened_at=b.at(date(2026, 10, 31), 12),
        ),
    ]  # fmt: skip
    return made


def test_outcomes_per_procedure(screened):
    report = queries.screenings_report(_filters())
    outcomes = {
        r["label"]: (r["eligible"], r["needs_review"], r["ineligible"]) for r in report.outcomes
    }
    assert outcomes == {"Microneedling": (0, 1, 1), "PRP": (1, 0, 1), "Laser (LLLT)": (1, 0, 0)}
    assert report.total == 5


def test_contraindication_frequency_by_code_and_label(screened):
    report = queries.screenings_report(_filters())
    reasons = {(r["code"], r["label"]): (r["excluded"], r["review"]) for r in report.reasons}
    # A caution blocks nothing, so it is not a screen-out reason.
    assert reasons == {
        ("scalp_wound", "Scalp wound"): (2, 0),
        ("herpes_history", "History of cold sores"): (0, 2),
    }


def test_screenings_filter_by_procedure_and_session_type(screened):
    assert queries.screenings_report(_filters(procedure="prp")).total == 2
    stype = b.session_type("Microneedling then LLLT", "microneedling+lllt", 60)
    assert queries.screenings_report(_filters(session_type=stype.pk)).total == 3


def test_screenings_page_and_export(admin_client_, screened):
    page = admin_client_.get(reverse("reports:screenings"), NOVEMBER)
    assert page.status_code == 200 and "<svg" in page.content.decode()
    assert "History of cold sores" in page.content.decode()
    response = admin_client_.get(reverse("reports:export", args=["screenings", "csv"]), NOVEMBER)
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 6
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["screening_id"] == str(screened[0].pk)
    assert first["exclude_codes"] == "scalp_wound"
    assert first["review_codes"] == "herpes_history"
    assert first["screened_at"] == "2026-11-10 10:00"


def test_percentile_is_nearest_rank():
    assert queries.percentile([], 0.9) is None
    assert queries.percentile([5], 0.9) == 5
    assert queries.percentile(list(range(1, 11)), 0.9) == 9
    assert queries.percentile(list(range(1, 11)), 0.5) == 5


@pytest.fixture
def reviewed(db):
    """Ten decisions waiting 1 h … 10 h; one item waiting now; one expired, which is not."""
    doctor = UserFactory(username="drrev", role="physician")
    patient = PatientFactory()
    for hours in range(1, 11):
        screening = b.screening(
            patient=patient,
            procedure="microneedling" if hours <= 8 else "prp",
            outcome="needs_review",
            reasons=[HERPES],
            screened_at=b.at(DAY, 8),
        )
        b.review(screening=screening, decided_at=b.at(DAY, 8) + timedelta(hours=hours), by=doctor)
    waiting = b.screening(
        patient=patient,
        procedure="prp",
        outcome="needs_review",
        reasons=[HERPES],
        screened_at=timezone.now() - timedelta(hours=30),
    )
    b.screening(
        patient=patient,
        procedure="prp",
        outcome="needs_review",
        reasons=[HERPES],
        screened_at=timezone.now() - timedelta(days=60),
        valid_days=-20,
    )
    return {"doctor": doctor, "waiting": waiting}


def test_turnaround_median_and_90th_percentile(reviewed):
    report = queries.reviews_report(_filters())
    assert report.overall.count == 10
    assert report.overall.median == timedelta(hours=5, minutes=30)
    assert report.overall.p90 == timedelta(hours=9)
    by_procedure = {t.label: (t.count, t.median, t.p90) for t in report.by_procedure}
    assert by_procedure == {
        "Microneedling": (8, timedelta(hours=4, minutes=30), timedelta(hours=8)),
        "PRP": (2, timedelta(hours=9, minutes=30), timedelta(hours=10)),
    }
    assert report.decisions == {"declined": 10}


def test_open_items_and_their_age(reviewed):
    report = queries.reviews_report(_filters())
    assert len(report.open_items) == 1
    item = report.open_items[0]
    assert item["procedure"] == "PRP"
    assert timedelta(hours=29) < item["age"] < timedelta(hours=31)
    assert item["age_text"].startswith("1 d 6 h")


def test_reviews_outside_the_range_or_by_another_physician_are_left_out(reviewed):
    form = ReportFilterForm({"date_from": "2026-12-01", "date_to": "2026-12-31"})
    assert form.is_valid()
    assert queries.reviews_report(form.filters()).overall.count == 0
    other = UserFactory(role="physician")
    assert queries.reviews_report(_filters(provider=other.pk)).overall.count == 0
    doctor = reviewed["doctor"]
    assert queries.reviews_report(_filters(provider=doctor.pk)).overall.count == 10


def test_reviews_page_and_export(admin_client_, reviewed):
    page = admin_client_.get(reverse("reports:reviews"), NOVEMBER)
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html
    assert "5 h 30 min" in html and "9 h 0 min" in html
    response = admin_client_.get(reverse("reports:export", args=["reviews", "csv"]), NOVEMBER)
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 11
    assert [r[6] for r in rows[1:]] == [f"{h}.00" for h in range(1, 11)]


@pytest.fixture
def queue(db):
    """Five items waiting (three PRP, two microneedling), screened 50 to 10 hours ago, and one
    decided, which is not waiting."""
    patient = PatientFactory()
    now = timezone.now()
    made = [
        b.screening(
            patient=patient, procedure=procedure, outcome="needs_review", reasons=[HERPES],
            screened_at=now - timedelta(hours=hours),
        )
        for procedure, hours in (
            ("prp", 50), ("microneedling", 40), ("prp", 30), ("microneedling", 20), ("prp", 10),
        )
    ]  # fmt: skip
    decided = b.screening(
        patient=patient, procedure="prp", outcome="needs_review", reasons=[HERPES],
        screened_at=now - timedelta(hours=60),
    )  # fmt: skip
    b.review(screening=decided, decided_at=now, by=UserFactory(role="physician"))
    return made


def test_waiting_now_lists_the_longest_waiting_and_counts_every_item(queue, monkeypatch):
    monkeypatch.setattr(queries, "OPEN_SHOWN", 3)
    report = queries.reviews_report(_filters())
    assert report.open_total == 5
    assert [(i["procedure"], i["screened_at"]) for i in report.open_items] == [
        ("PRP", queue[0].screened_at),
        ("Microneedling", queue[1].screened_at),
        ("PRP", queue[2].screened_at),
    ]
    per_procedure = {
        row["procedure"]: (row["count"], row["screened_at"]) for row in report.open_by_procedure
    }
    assert per_procedure == {
        "Microneedling": (2, queue[1].screened_at),
        "PRP": (3, queue[0].screened_at),
    }
    assert queries.reviews_report(_filters(procedure="microneedling")).open_total == 2


def test_reviews_page_shows_the_queue_bounded_with_its_ages(admin_client_, queue, monkeypatch):
    monkeypatch.setattr(queries, "OPEN_SHOWN", 2)
    html = admin_client_.get(reverse("reports:reviews"), NOVEMBER).content.decode()
    assert re.search(r"Waiting now <span[^>]*>5</span>", html)
    assert "The 2 waiting longest, of 5, the longest first" in html
    # Per procedure: how many wait, and the oldest's age (of this request).
    assert re.search(r">PRP</th><td[^>]*>3</td><td[^>]*>2 d 2 h</td>", html)
    assert re.search(r">Microneedling</th><td[^>]*>2</td><td[^>]*>1 d 16 h</td>", html)
    listed = re.findall(r"<tr><td>(PRP|Microneedling)</td><td>[^<]+</td>", html)
    assert listed == ["PRP", "Microneedling"]


def test_reviews_page_with_nothing_waiting(admin_client_, reviewed):
    Screening.objects.filter(pk=reviewed["waiting"].pk).delete()
    html = admin_client_.get(reverse("reports:reviews"), NOVEMBER).content.decode()
    assert re.search(r"Waiting now <span[^>]*>0</span>", html)
    assert "Nothing is waiting." in html and "waiting longest" not in html
