from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.views.generic import TemplateView

from core.roles import role_of

# A form page answers GET and POST; Django's FormView would take a PUT as a POST.
FORM_METHODS = ["get", "post", "head", "options"]


class RoleRequiredMixin(PermissionRequiredMixin):
    """Deny by default: a logged-in user without the permission gets 403, never the page.

    Anonymous visitors never get this far: LoginRequiredMiddleware sends them to the login page.
    """

    raise_exception = True


TRY_AGAIN = (
    "The record could not be saved because of a database problem. "
    "Nothing was saved; please try again."
)


def call_service(form, service, /, **kwargs):
    """Run the one service a POST calls; a refusal or a database fault becomes the form's error.

    Returns (result, True) on success and (None, False) when the form should be shown again.
    """
    try:
        return service(**kwargs), True
    except ValidationError as exc:
        apply_validation_error(form, exc)
    except DatabaseError:
        form.add_error(None, TRY_AGAIN)
    return None, False


def apply_validation_error(form, exc: ValidationError) -> None:
    """Show a service's validation error on the form, field by field where it can."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class DashboardView(TemplateView):
    template_name = "core/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["role"] = role_of(self.request.user)
        return context
