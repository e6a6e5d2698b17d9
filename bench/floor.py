"""The floor that `make bench-http` measures Follicle's pages against (issue 15).

A bare single-file Django app in TechEmpower's "fortunes" shape: one view, one query for 20 rows
of the same clinic-scale database, a compiled Django template, an HTML page. No middleware, no
sessions, no authentication: what any Django page costs on this machine before the app adds
anything. Served by gunicorn exactly as the app is, so the ratio of the two shows the app's own
cost, whatever the machine.

    DATABASE_URL=... gunicorn bench.floor:application
"""

import environ
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.db import connection
from django.http import HttpResponse
from django.template import Context, Engine
from django.urls import path

env = environ.Env()

settings.configure(
    DEBUG=False,
    SECRET_KEY="floor",  # signs nothing: no sessions, no cookies
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    # Connections kept between requests, as the app keeps them (and as TechEmpower's Django
    # does): otherwise the floor would pay a new PostgreSQL connection per request.
    DATABASES={"default": {**env.db("DATABASE_URL"), "CONN_MAX_AGE": 60}},
    USE_TZ=True,
)

PAGE = Engine().from_string(
    """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Patients</title></head><body>
<table>
<tr><th>MRN</th><th>Name</th><th>Born</th></tr>
{% for mrn, last, first, born in rows %}
<tr><td>{{ mrn }}</td><td>{{ last }}, {{ first }}</td><td>{{ born }}</td></tr>{% endfor %}</table>
</body></html>"""
)


def patients(request) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT mrn, last_name, first_name, date_of_birth FROM intake_patient "
            "ORDER BY id LIMIT 20"
        )
        rows = cursor.fetchall()
    return HttpResponse(PAGE.render(Context({"rows": rows})))


urlpatterns = [path("", patients)]
application = get_wsgi_application()
