from django.contrib.auth.mixins import PermissionRequiredMixin
from django.views.generic import TemplateView

from clinic.roles import role_of


class RoleRequiredMixin(PermissionRequiredMixin):
    """Deny by default: a logged-in user without the permission gets 403, never the page.

    Anonymous visitors never get this far: LoginRequiredMiddleware sends them to the login page.
    """

    raise_exception = True


class DashboardView(TemplateView):
    template_name = "clinic/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["role"] = role_of(self.request.user)
        return context
