"""The main navigation (core.templatetags.navigation): each role sees the links it may follow,
in order, and the current area is marked."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _nav(client, url: str) -> list[tuple[str, bool, bool]]:
    """(label, marked active, aria-current) of each link of the main navigation."""
    html = client.get(url).content.decode()
    items = html.split('<ul class="navbar-nav me-auto">', 1)[1].split("</ul>", 1)[0]
    return [
        (label, " active" in classes, "aria-current" in classes)
        for classes, label in re.findall(r'<a class="nav-link([^"]*"[^>]*)>([^<]+)</a>', items)
    ]


def _labels(nav) -> list[str]:
    return [label for label, _, _ in nav]


def test_each_role_sees_its_own_links_in_order(desk_client, physician_client, admin_client_):
    home = reverse("dashboard")
    assert _labels(_nav(desk_client, home)) == ["Patients", "Schedule", "Needs attention", "Book"]
    assert "Review queue" in _labels(_nav(physician_client, home))
    admin = _labels(_nav(admin_client_, home))
    assert admin[-3:] == ["Reports", "Audit log", "Staff &amp; settings"]
    assert "Review queue" not in admin


def test_the_current_area_is_marked(desk_client, admin_client_):
    patients = _nav(desk_client, reverse("intake:patient-list"))
    assert [label for label, active, _ in patients if active] == ["Patients"]
    attention = _nav(desk_client, reverse("scheduling:attention"))
    assert [label for label, active, _ in attention if active] == ["Schedule", "Needs attention"]
    # The audit log is under reports' URLs, but its own link is the one marked.
    audit = _nav(admin_client_, reverse("reports:audit-log"))
    assert [label for label, active, _ in audit if active] == ["Audit log"]
    staff = _nav(admin_client_, reverse("staff:list"))
    assert ("Staff &amp; settings", True, True) in staff
    assert not any(current for label, _, current in staff if label != "Staff &amp; settings")


def test_the_home_page_marks_no_area(desk_client):
    assert not any(active for _, active, _ in _nav(desk_client, reverse("dashboard")))
