"""The main navigation, rendered in Python.

It is on every signed-in page, and as template includes (one per link, each with its own
context and `{% url %}`) it cost about a millisecond a request, as much as some pages' own
content. Same links and markup; the URLs are reversed once per process and script prefix.
"""

import functools

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()

# (permission, URL name, label, active on the pages of this app, or on this view, but not on
# `inactive_view`): in the order shown.
LINKS = (
    ("intake.view_patient", "intake:patient-list", "Patients", "intake", None, None),
    ("eligibility.review_screening", "eligibility:review-queue", "Review queue", "eligibility",
     None, None),
    ("scheduling.view_treatmentsession", "scheduling:today", "Schedule", "scheduling", None, None),
    ("scheduling.view_treatmentsession", "scheduling:attention", "Needs attention", None,
     "scheduling:attention", None),
    ("scheduling.add_treatmentsession", "scheduling:session-book", "Book", None, None, None),
    ("reports.view_reports", "reports:index", "Reports", "reports", None, "reports:audit-log"),
    ("auditlog.view_logentry", "reports:audit-log", "Audit log", None, "reports:audit-log", None),
)  # fmt: skip
# Staff & settings covers two apps and says which page is current.
SETTINGS = ("auth.view_user", "staff:list", ("staff", "configuration"))


@functools.cache
def _url(name: str, prefix: str) -> str:
    return reverse(name)


def _active(match, app: str | None, view: str | None, inactive: str | None) -> bool:
    if match is None:
        return False
    in_app = app is not None and match.app_name == app and match.view_name != inactive
    return in_app or (view is not None and match.view_name == view)


@register.simple_tag(takes_context=True)
def main_nav(context) -> SafeString:
    """The <li>s of the main navigation the signed-in user may follow."""
    request = context["request"]
    user, match, prefix = request.user, request.resolver_match, get_script_prefix()
    items = [
        (" active" if _active(match, app, view, inactive) else "", _url(name, prefix), label)
        for perm, name, label, app, view, inactive in LINKS
        if user.has_perm(perm)
    ]
    html = format_html_join(
        "\n", '<li class="nav-item"><a class="nav-link{}" href="{}">{}</a></li>', items
    )
    perm, name, apps = SETTINGS
    if user.has_perm(perm):
        current = match is not None and match.app_name in apps
        html += format_html(
            '\n<li class="nav-item"><a class="nav-link{}" href="{}">Staff &amp; settings</a></li>',
            SafeString(' active" aria-current="page') if current else "",
            _url(name, prefix),
        )
    return html
