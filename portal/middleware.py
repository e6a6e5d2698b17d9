"""The clinic tablet, once handed to a patient, shows their questionnaire and nothing else."""

from django.conf import settings
from django.shortcuts import redirect

KIOSK = "portal_kiosk"  # portal.views.KIOSK: the session key a tablet's session carries
ALLOWED = ("/p/", "/you/")


class KioskMiddleware:
    """Any other URL, the sign-in page included, leads back to the patient's page: leaving
    takes the "staff" button (portal:exit), which ends the session."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.static = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request):
        path = request.path_info
        if request.session.get(KIOSK) and not path.startswith((*ALLOWED, self.static)):
            return redirect("portal:home")
        return self.get_response(request)
