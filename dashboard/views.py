"""The start page: the link cards a user's permissions allow, and their role's panel."""

from typing import ClassVar

from django.views.generic import TemplateView

from core.roles import CLINIC_ADMIN, FRONT_DESK, PHYSICIAN, role_of
from core.views import Selector
from dashboard import selectors


class DashboardView(TemplateView):
    """Every signed-in user's page, a user in no group too (LoginRequiredMiddleware turns the
    anonymous away): so no permission here; each panel's selector checks its own."""

    template_name = "dashboard/dashboard.html"
    panels: ClassVar[dict[str, Selector]] = {
        FRONT_DESK: selectors.front_desk_panel,
        PHYSICIAN: selectors.physician_panel,
        CLINIC_ADMIN: selectors.admin_panel,
    }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        role = role_of(self.request.user)
        panel = self.panels.get(role) if role else None
        context.update(role=role, panel=panel(user=self.request.user) if panel else None)
        return context
