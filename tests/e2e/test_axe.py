"""axe-core over every page of every role, at phone and desktop width, error states included
(issue 14): no WCAG 2.2 AA violation.

The pages are not listed here: they are every named URL of the permission matrix
(tests/<app>/permission_cases.py) that answers a GET with 200 to the role, with the matrix's
sample arguments, so a new page is audited as soon as it is declared. Django's own admin
(/admin/) is left out, as it is from the matrix: it is for superusers only; clinic admins have
the in-app Staff & settings pages, audited here like every other.

One browser; per role, one login, then every page at each width in a loop.
"""

from collections import defaultdict

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from core.roles import CLINIC_ADMIN, FRONT_DESK, PHYSICIAN
from tests.core.test_permissions import DECLARATIONS, MODULES
from tests.e2e.test_journeys import clinic, screened_patient, session_today  # noqa: F401
from tests.factories import UserFactory
from tests.permission_matrix import ANON, DENIED, OK

pytestmark = pytest.mark.django_db(transaction=True)

VIEWPORTS = ({"width": 390, "height": 844}, {"width": 1366, "height": 768})
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]}
# Error states: the form (by URL name) submitted empty, and its submit button. The browser's
# own checks (`required`) are switched off so that the server's error page is what is audited.
EMPTY_FORMS = {
    "intake:patient-create": "#submit-id-save",
    "intake:intake-create": "#submit-id-submit",
    "scheduling:session-book": "#submit-id-book",
    "login": "button[type=submit]",
    "staff:invite": "#submit-id-invite",
    "configuration:room-create": "#submit-id-save",
    "configuration:consenttext-publish": "#submit-id-publish",  # unchanged: refused
    "fhir:export": "#submit-id-bundle",
    "scheduling:session-addendum": "#submit-id-save",
}
MISSING = "/patients/999999999/"  # a 404 page, as seen by each role

axe = Axe()


@pytest.fixture
def demo_objects(clinic):  # noqa: F811
    """Demo-like data: the clinic as installed, a screened patient with a session today, a
    review waiting, and the records the permission matrix's sample URLs point at."""
    desk, doctor = clinic["desk"], clinic["doctor"]
    patient = screened_patient(desk, first="Grace", last="Hopper")
    session_today(patient, doctor=doctor, desk=desk)
    screened_patient(desk, first="Ada", last="Lovelace", yes=("anticoagulant",))
    objects = {}
    for module in MODULES:
        objects.update(module.make_objects())
    return objects


def log_in_as(page: Page, log_in, role: str, clinic) -> None:  # noqa: F811
    if role == FRONT_DESK:
        log_in(page, clinic["desk"])
    elif role == PHYSICIAN:
        log_in(page, clinic["doctor"], second_factor=True)
    elif role == CLINIC_ADMIN:
        admin = UserFactory(username="alex", first_name="Alex", role=CLINIC_ADMIN, is_staff=True)
        log_in(page, admin, second_factor=True)


def pages_for(role: str, objects: dict, *, answer=OK) -> list[str]:
    urls = []
    for case in DECLARATIONS:
        if case.expected(role, "get") == answer:
            url = case.url(objects)
            if url not in urls:
                urls.append(url)
    return urls


def audit(page: Page, where: str, found: dict) -> None:
    results = axe.run(page, options=AXE_OPTIONS)
    for violation in results.response["violations"]:
        for node in violation["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            key = (violation["id"], violation["impact"], violation["help"], target)
            found[key].append(where)


@pytest.mark.parametrize("role", [ANON, FRONT_DESK, PHYSICIAN, CLINIC_ADMIN])
def test_no_wcag_violations(page: Page, live_server, log_in, clinic, demo_objects, role):  # noqa: F811
    if role != ANON:
        log_in_as(page, log_in, role, clinic)
    base = live_server.url
    found: dict[tuple, list[str]] = defaultdict(list)
    # HTML pages only: the exports (CSV, XLSX) answer 200 too, but are downloads.
    urls, exports = [], []
    for url in pages_for(role, demo_objects):
        response = page.request.get(base + url)
        assert response.status == OK, f"{url}: {response.status} for {role}"
        html = response.headers.get("content-type", "").startswith("text/html")
        (urls if html else exports).append(url)
    # Error pages: one the role may not open (403) and one that does not exist (404).
    errors = [*pages_for(role, demo_objects, answer=DENIED)[:1], MISSING] if role != ANON else []
    forms = [
        (case.url(demo_objects), EMPTY_FORMS[case.name])
        for case in DECLARATIONS
        if case.name in EMPTY_FORMS and case.expected(role, "post") == OK
    ]

    for viewport in VIEWPORTS:
        page.set_viewport_size(viewport)
        width = f"@{viewport['width']}px"
        for url in urls:
            response = page.goto(base + url)
            assert response.status == OK, f"{url}: {response.status} for {role}"
            audit(page, url + width, found)
        for url in errors:
            response = page.goto(base + url)
            assert response.status in (DENIED, 404), f"{url}: {response.status} for {role}"
            audit(page, f"{url} ({response.status}){width}", found)
        for url, submit in forms:
            page.goto(base + url)
            page.eval_on_selector_all("form", "forms => forms.forEach(f => f.noValidate = true)")
            page.click(submit)
            page.wait_for_load_state()
            assert page.locator(".invalid-feedback, .alert-danger, .errorlist").count(), url
            audit(page, f"{url} (submitted empty){width}", found)

    pages = len(urls) + len(errors) + len(forms)
    print(
        f"\naxe {role}: {pages} pages x {len(VIEWPORTS)} widths ({len(exports)} exports not HTML)"
    )
    report = [
        f"- {rule} ({impact}) {summary}\n    target: {target}\n    on: {', '.join(where)}"
        for (rule, impact, summary, target), where in sorted(found.items())
    ]
    assert not report, f"{len(report)} axe violations ({role}):\n" + "\n".join(report)
