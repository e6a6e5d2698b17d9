"""Shared steps of the portal tests: issue an access, open it in a fresh browser, confirm the
birth date, answer the intake's pages."""

import re
from datetime import date

from django.test import Client
from django.urls import reverse

from portal import services
from portal.forms import STEPS
from portal.models import Purpose

LINK = re.compile(r"https?://[^\s]+/p/[A-Za-z0-9_-]+/")


def issue(by, patient, purpose=Purpose.INTAKE, **kwargs):
    return services.access_issue(by=by, patient=patient, purpose=purpose, **kwargs)


def open_link(token: str, client: Client | None = None):
    client = client or Client()
    response = client.get(reverse("portal:open", args=[token]))
    return client, response


def born(patient) -> dict:
    dob: date = patient.date_of_birth
    return {"day": dob.day, "month": dob.month, "year": dob.year}


def verified(by, patient, **kwargs) -> tuple[Client, object]:
    access, token = issue(by, patient, **kwargs)
    client, _ = open_link(token)
    response = client.post(reverse("portal:verify"), born(patient))
    assert response.status_code == 302, response.content[:500]
    return client, access


def page_answers(step, *, yes: tuple[str, ...] = ()) -> dict:
    """Plausible answers to every field of one intake page."""
    data = {}
    for name in step.fields:
        if name.startswith("q_"):
            data[name] = "yes" if name[2:] in yes else "no"
        elif name.startswith("treatment_"):
            data[name] = "never"
        elif name in ("course",):
            data[name] = "gradual"
        elif name == "loss_pattern":
            data[name] = "thinning"
        elif name in ("family_history", "thyroid_disease", "iron_deficiency",
                      "autoimmune_disease", "recent_illness_or_stress"):  # fmt: skip
            data[name] = "no"
        elif name == "onset":
            data[name] = "About two years ago"
        else:
            data[name] = ""
    return data


def fill_intake(client: Client, *, yes: tuple[str, ...] = ()):
    response = None
    for step in STEPS:
        response = client.post(
            reverse("portal:intake", kwargs={"step": step.slug}), page_answers(step, yes=yes)
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    return response
