"""The step that fixes each refusal of the booking and day-of services, as a link for the user
asking: the consent form, the physician's review, the intake, Free slots.

The services say what stops an action in codes and ids (`eligibility.services.refusal`, with
scheduling.services' refusal codes and eligibility's `Hold`s), never URLs or HTML; this module,
which may know URLs, turns them into links, and only to pages the user may open: the front desk,
who cannot review, is told that a physician must act and sent to the patient's eligibility
instead of a page that would answer 403. The message is escaped and the links are built here,
so no user input is ever marked safe.
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from eligibility.rules import PROCEDURE_LABELS
from eligibility.services import Hold, HoldKind
from scheduling import selectors, services

REVIEW = "eligibility.review_screening"
SIGN_OFF = "eligibility.sign_off_plan"
TAKE_INTAKE = "intake.add_intakequestionnaire"
VIEW_PATIENT = "intake.view_patient"
RESTORE = "intake.archive_patient"
TAKE_CONSENT = "scheduling.add_consent"
OVERRIDE = "scheduling.override_interval"
MOVE = "scheduling.change_treatmentsession"
CHART = "scheduling.chart_treatment"

HOLD_KINDS = frozenset(HoldKind)

# The holds a physician ends on a review page, by what that page reviews.
REVIEWED = {
    HoldKind.REVIEW: "screening",
    HoldKind.DECLINED: "decline",
    HoldKind.EXCLUSION: "exclusion",
}

# What the front desk is told when only a physician can end a hold.
PHYSICIAN_MUST = {
    HoldKind.REVIEW: "A physician must review it first.",
    HoldKind.DECLINED: "Only a physician can change a decline.",
    HoldKind.EXCLUSION: "Only a physician can lift an exclusion.",
    HoldKind.SIGNOFF: "A physician must sign off the plan.",
}


@dataclass(frozen=True)
class Fix:
    """A step that fixes a refusal: a link whose `text` says what it does, and before it, when
    the user cannot take the step themselves, `lead`: who must act."""

    text: str
    url: str
    lead: str = ""


FixesFor = Callable[[ValidationError], Iterable[Fix]]


def _linked(message: str, fixes: list[Fix]) -> SafeString:
    """The message, then each link once, after the leads that go with it."""
    leads: dict[str, list[str]] = {}
    texts: dict[str, str] = {}
    for fix in fixes:
        texts.setdefault(fix.url, fix.text)
        said = leads.setdefault(fix.url, [])
        if fix.lead and fix.lead not in said:
            said.append(fix.lead)
    steps = format_html_join(
        " ",
        '{}<a class="alert-link" href="{}">{}</a>.',
        (
            (format_html_join("", "{} ", ((lead,) for lead in leads[url])), url, text)
            for url, text in texts.items()
        ),
    )
    return format_html("{} {}", message, steps)


def with_fixes(exc: ValidationError, fixes_for: FixesFor) -> ValidationError:
    """`exc` with each message followed by the links that fix it, each link once (after the
    first message it fixes). Field errors are returned as they are: their fix is the field."""
    if hasattr(exc, "error_dict"):
        return exc
    shown: set[str] = set()
    errors = []
    for error in exc.error_list:
        message = error.messages[0]
        fixes = [fix for fix in fixes_for(error) if fix.url not in shown]
        shown.update(fix.url for fix in fixes)
        errors.append(ValidationError(_linked(message, fixes) if fixes else message, error.code))
    return ValidationError(errors)


def fixes_for(user, *, back: str = "", override_field: str = "") -> FixesFor:
    """The fixes of a refusal for `user`. `back` is the page a consent taken from a link returns
    to; `override_field` the id of the form's override note, when the form has one."""

    def fixes(error: ValidationError) -> list[Fix]:
        params = error.params or {}
        code = error.code
        if code == services.NOT_ELIGIBLE:
            return [fix for hold in params["holds"] for fix in _hold(user, params["patient"], hold)]
        if code in HOLD_KINDS:
            hold = Hold(HoldKind(code), params.get("procedure", ""))
            return _hold(user, params["patient"], hold)
        if code == services.NO_CONSENT:
            return _consents(user, params["patient"], params["procedures"], back)
        if code == services.INTERVAL:
            override = [Fix("Write a minimum-interval override note", f"#{override_field}")]
            may = override_field and user.has_perm(OVERRIDE)
            return (override if may else []) + _free_slots(user, params)
        if code == services.SLOT:
            return _free_slots(user, params)
        if code == services.ARCHIVED:
            return _archived(user, params["patient"])
        return _session_fixes(user, code, params)

    return fixes


@contextmanager
def linked(user, *, back: str = "", override_field: str = "") -> Iterator[None]:
    """A refusal raised inside comes out with links to what fixes it, for `user`."""
    try:
        yield
    except ValidationError as exc:
        fixes = fixes_for(user, back=back, override_field=override_field)
        raise with_fixes(exc, fixes) from exc


def message(exc: ValidationError, user, *, back: str = "") -> SafeString:
    """Every message of a refusal with its links, as one paragraph for a flash message."""
    refused = with_fixes(exc, fixes_for(user, back=back))
    return format_html_join(" ", "{}", ((m,) for m in refused.messages))


# ---- the fixes ---------------------------------------------------------------------------------


def _patient_url(patient: int, anchor: str = "") -> str:
    return reverse("intake:patient-detail", args=[patient]) + anchor


def _hold(user, patient: int, hold: Hold) -> list[Fix]:
    """A physician gets the page where they end the hold; anyone else, who must act and the
    patient's eligibility. The intake is taken by both."""
    if hold.kind in (HoldKind.INTAKE, HoldKind.RESCREEN, HoldKind.ANSWERS):
        return _intake(patient, hold) if user.has_perm(TAKE_INTAKE) else []
    if hold.kind == HoldKind.SIGNOFF and user.has_perm(SIGN_OFF):
        url = reverse("eligibility:signoff-record", args=[patient])
        return [Fix("Sign off same-day microneedling then LLLT", url)]
    if hold.kind in REVIEWED and user.has_perm(REVIEW):
        if hold.kind == HoldKind.REVIEW and hold.screening is not None:
            url = reverse("eligibility:review-decide", args=[hold.screening])
        else:
            url = reverse("eligibility:decide", args=[patient, hold.procedure])
        label = PROCEDURE_LABELS.get(hold.procedure, hold.procedure)
        return [Fix(f"Review the {label} {REVIEWED[hold.kind]}", url)]
    if not user.has_perm(VIEW_PATIENT):
        return []
    url = _patient_url(patient, "#eligibility")
    return [Fix("Open the patient's eligibility", url, lead=PHYSICIAN_MUST[hold.kind])]


def _intake(patient: int, hold: Hold) -> list[Fix]:
    new = reverse("intake:intake-create", args=[patient])
    if hold.kind == HoldKind.INTAKE:
        return [Fix("Take the intake questionnaire", new)]
    if hold.kind == HoldKind.RESCREEN:
        return [Fix("Take a new intake to re-screen", new)]
    if hold.intake is None:
        return [Fix("Update the intake", new)]
    return [Fix("Update the intake", reverse("intake:intake-edit", args=[patient, hold.intake]))]


def _consents(user, patient: int, procedures, back: str) -> list[Fix]:
    if not user.has_perm(TAKE_CONSENT):
        return []
    query = f"?{urlencode({'next': back})}" if back else ""
    return [
        Fix(
            f"Take the {PROCEDURE_LABELS.get(p, p)} consent",
            reverse("scheduling:consent-create", args=[patient, p]) + query,
        )
        for p in procedures
    ]


def _free_slots(user, params: dict) -> list[Fix]:
    """Free slots for the patient and session type, from the day asked for: the slots it
    lists are clear of the patient's minimum gaps and other sessions."""
    if not (user.has_perm(selectors.VIEW) and user.has_perm(VIEW_PATIENT)):
        return []
    query = urlencode(
        {
            "patient": params["patient"],
            "session_type": params["session_type"],
            "day": params["day"],
        }
    )
    return [Fix("Find a free slot for this patient", f"{reverse('scheduling:free-slots')}?{query}")]


def _archived(user, patient: int) -> list[Fix]:
    if user.has_perm(RESTORE):
        return [Fix("Open the patient's record to restore it", _patient_url(patient))]
    if user.has_perm(VIEW_PATIENT):
        lead = "The front desk can restore it."
        return [Fix("Open the patient's record", _patient_url(patient), lead=lead)]
    return []


def _session_fixes(user, code: str | None, params: dict) -> list[Fix]:
    """The day-of refusals of one session: the wrong day (move it), the record's gaps."""
    if code == services.WRONG_DAY and user.has_perm(MOVE):
        url = reverse("scheduling:session-reschedule", args=[params["session"]])
        return [Fix("Move the session", url)]
    if code == services.RECORD_GAPS and user.has_perm(CHART):
        url = reverse("scheduling:session-treatment", args=[params["session"]])
        return [Fix("Complete the treatment record", url)]
    return []
