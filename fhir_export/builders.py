"""Pure builders: one function per FHIR R4 resource type, from model instances to plain JSON
dicts. No query of their own: what a builder needs is loaded by the caller (fhir.selectors),
so a stream of thousands of rows costs the same queries as one row (docs/FHIR.md).

The module is deliberately not named `resources`: the app's package is `fhir`, the same name as
the `fhir.resources` package's namespace, and a `fhir/resources.py` would hide that package.
"""

import functools
import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, date, datetime

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.text import capfirst

from eligibility.rules import CAUTION, EXCLUDE, REVIEW
from intake import questionnaire
from intake.models import (
    TREATMENTS,
    Course,
    IntakeQuestionnaire,
    LossPattern,
    Patient,
    Sex,
    Source,
    TreatmentUse,
    YesNoUnknown,
)
from treatments.models import DeviceKind, RoomKind
from treatments.procedures import PROCEDURE_LABELS

V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
LOCATION_TYPE = "http://terminology.hl7.org/CodeSystem/location-physical-type"
MEDIA_TYPE = "http://terminology.hl7.org/CodeSystem/media-type"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"


def site() -> str:
    return settings.CLINIC_SITE_URL.rstrip("/")


def base() -> str:
    """The base the bundles' fullUrls are built on: `<base>/<type>/<id>`."""
    return f"{site()}/fhir"


def system(name: str) -> str:
    """A code system or identifier system of the clinic's own, e.g. `.../fhir/sid/mrn`."""
    return f"{base()}/{name}"


def ref(resource_type: str, prefix: str, pk) -> dict:
    return {"reference": f"{resource_type}/{prefix}-{pk}"}


def patient_ref(pk) -> dict:
    return ref("Patient", "patient", pk)


def practitioner_ref(pk) -> dict:
    return ref("Practitioner", "practitioner", pk)


def instant(moment: datetime) -> str:
    """An instant in UTC, to the second, as FHIR wants it (with a zone: `Z`)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _day(value: date) -> str:
    return value.isoformat()


def _coding(system_name: str, code: str, display: str = "") -> dict:
    coding = {"system": system(f"CodeSystem/{system_name}"), "code": code}
    if display:
        coding["display"] = display
    return coding


def _concept(system_name: str, code: str, display: str) -> dict:
    return {"coding": [_coding(system_name, code, display)], "text": display}


# ---- people and places ---------------------------------------------------------------------

GENDER = {Sex.FEMALE: "female", Sex.MALE: "male", Sex.INTERSEX: "other", Sex.UNKNOWN: "unknown"}


def _phone(number) -> str:
    return number.as_e164 if hasattr(number, "as_e164") else str(number)


def patient(p: Patient) -> dict:
    names = [{"use": "official", "family": p.last_name, "given": [p.first_name]}]
    if p.preferred_name:
        names.append({"use": "usual", "given": [p.preferred_name]})
    resource = {
        "resourceType": "Patient",
        "id": f"patient-{p.pk}",
        "identifier": [
            {
                "use": "usual",
                "type": {"coding": [{"system": V2_0203, "code": "MR"}], "text": "MRN"},
                "system": system("sid/mrn"),
                "value": p.mrn,
            }
        ],
        "active": p.archived_at is None,
        "name": names,
        "gender": GENDER.get(p.sex, "unknown"),
        "birthDate": _day(p.date_of_birth),
    }
    telecom = []
    if p.phone:
        telecom.append({"system": "phone", "value": _phone(p.phone)})
    if p.email:
        telecom.append({"system": "email", "value": p.email})
    if telecom:
        resource["telecom"] = telecom
    if p.address:
        resource["address"] = [{"text": p.address}]
    if p.emergency_contact_name:
        contact = {
            "relationship": [{"text": "Emergency contact"}],
            "name": {"text": p.emergency_contact_name},
        }
        if p.emergency_contact_phone:
            contact["telecom"] = [{"system": "phone", "value": _phone(p.emergency_contact_phone)}]
        resource["contact"] = [contact]
    return resource


def practitioner(user) -> dict:
    name = {"text": user.get_full_name() or user.get_username()}
    if user.last_name:
        name["family"] = user.last_name
    if user.first_name:
        name["given"] = [user.first_name]
    return {
        "resourceType": "Practitioner",
        "id": f"practitioner-{user.pk}",
        "identifier": [{"system": system("sid/staff"), "value": user.get_username()}],
        "active": user.is_active,
        "name": [name],
    }


def location(room) -> dict:
    return {
        "resourceType": "Location",
        "id": f"location-{room.pk}",
        "status": "active" if room.active else "inactive",
        "name": room.name,
        "mode": "instance",
        "type": [{"text": RoomKind(room.kind).label if room.kind in RoomKind else room.kind}],
        "physicalType": {"coding": [{"system": LOCATION_TYPE, "code": "ro", "display": "Room"}]},
    }


def device(d) -> dict:
    kind = DeviceKind(d.kind).label if d.kind in DeviceKind else d.kind
    return {
        "resourceType": "Device",
        "id": f"device-{d.pk}",
        "status": "active" if d.active else "inactive",
        "serialNumber": d.serial,
        "deviceName": [{"name": d.name, "type": "user-friendly-name"}],
        "type": {"coding": [_coding("device-kind", d.kind, kind)], "text": kind},
    }


# ---- the intake ----------------------------------------------------------------------------

_CHOICES = {
    "course": Course,
    "loss_pattern": LossPattern,
    "family_history": YesNoUnknown,
    "thyroid_disease": YesNoUnknown,
    "iron_deficiency": YesNoUnknown,
    "autoimmune_disease": YesNoUnknown,
    "recent_illness_or_stress": YesNoUnknown,
}
#: The history part of the form, in its order: (field, FHIR item type).
HISTORY = (
    ("onset", "string"),
    ("course", "choice"),
    ("loss_pattern", "choice"),
    ("scalp_symptoms", "text"),
    ("family_history", "choice"),
    ("family_history_details", "string"),
    ("scale", "choice"),
    ("grade", "string"),
    ("fitzpatrick", "choice"),
    ("treatment_outcomes", "text"),
    ("thyroid_disease", "choice"),
    ("iron_deficiency", "choice"),
    ("autoimmune_disease", "choice"),
    ("recent_illness_or_stress", "choice"),
    ("medical_details", "text"),
    ("medications", "text"),
    ("allergies", "text"),
)


def _options(name: str) -> list[tuple[str, str]]:
    if name == "scale":
        return list(questionnaire.SCALES)
    if name == "fitzpatrick":
        return [(t, f"Type {t}") for t in questionnaire.FITZPATRICK_TYPES]
    return list(_CHOICES[name].choices)


def _label(name: str) -> str:
    return str(capfirst(IntakeQuestionnaire._meta.get_field(name).verbose_name))


def _history_items() -> list[dict]:
    items = []
    for name, kind in HISTORY:
        item = {"linkId": name, "text": _label(name), "type": kind}
        if kind == "choice":
            item["answerOption"] = [
                {"valueCoding": _coding(f"intake-{name}", code, str(label))}
                for code, label in _options(name)
            ]
        items.append(item)
    treatments = [
        {
            "linkId": f"treatments.{code}",
            "text": label,
            "type": "choice",
            "answerOption": [
                {"valueCoding": _coding("intake-treatment-use", use, str(text))}
                for use, text in TreatmentUse.choices
            ],
        }
        for code, label in TREATMENTS
    ]
    items.append({"linkId": "treatments", "text": "Hair-loss treatments", "type": "group"})
    items[-1]["item"] = treatments
    return items


def _catalogue_items() -> list[dict]:
    return [
        {
            "linkId": section,
            "text": title,
            "type": "group",
            "item": [
                {"linkId": q.code, "code": [_coding("contraindication", q.code, q.label)]}
                | {"text": q.question, "type": "boolean", "required": True}
                for q in questionnaire.QUESTIONS
                if q.section == section
            ],
        }
        for section, title in questionnaire.SECTIONS
    ]


def _questionnaire_items() -> list[dict]:
    return [
        {"linkId": "history", "text": "Hair-loss history", "type": "group"}
        | {"item": _history_items()},
        *_catalogue_items(),
    ]


def questionnaire_url() -> str:
    """The canonical URL: where the questionnaire is served (`fhir:questionnaire`)."""
    return site() + reverse("fhir:questionnaire")


def questionnaire_version() -> str:
    """A digest of the items: any change of a question, a label or an option makes a new
    version by itself, so a response never points at a form it was not answered on."""
    return _digest(site(), HISTORY)


@functools.cache
def _digest(site_url: str, history: tuple) -> str:
    """Worked out once per process (every response names the version), not per response."""
    text = json.dumps(_questionnaire_items(), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def intake_questionnaire() -> dict:
    return {
        "resourceType": "Questionnaire",
        "id": "intake",
        "url": questionnaire_url(),
        "version": questionnaire_version(),
        "name": "FollicleIntake",
        "title": "Hair-loss intake questionnaire",
        "status": "active",
        "subjectType": ["Patient"],
        "publisher": settings.CLINIC_NAME,
        "item": _questionnaire_items(),
    }


def _answer(intake: IntakeQuestionnaire, name: str, kind: str) -> list[dict]:
    value = getattr(intake, name)
    if value in ("", None):
        return []
    if kind == "choice":
        labels = dict(_options(name))
        return [{"valueCoding": _coding(f"intake-{name}", value, str(labels.get(value, value)))}]
    return [{"valueString": str(value)}]


def _response_items(intake: IntakeQuestionnaire) -> list[dict]:
    history = [
        {"linkId": name, "text": _label(name), "answer": answer}
        for name, kind in HISTORY
        if (answer := _answer(intake, name, kind))
    ]
    uses = dict(TreatmentUse.choices)
    treatments = [
        {
            "linkId": f"treatments.{code}",
            "text": label,
            "answer": [
                {"valueCoding": _coding("intake-treatment-use", use, str(uses.get(use, use)))}
            ],
        }
        for code, label in TREATMENTS
        if (use := (intake.treatments or {}).get(code))
    ]
    if treatments:
        history.append({"linkId": "treatments", "text": "Hair-loss treatments", "item": treatments})
    groups = [{"linkId": "history", "text": "Hair-loss history", "item": history}]
    for section, title in questionnaire.SECTIONS:
        answered = [
            {"linkId": q.code, "text": q.question, "answer": [{"valueBoolean": value}]}
            for q in questionnaire.QUESTIONS
            if q.section == section and isinstance(value := intake.answers.get(q.code), bool)
        ]
        if answered:
            groups.append({"linkId": section, "text": title, "item": answered})
    return groups


def questionnaire_response(intake: IntakeQuestionnaire) -> dict:
    """The patient's own answers name the patient as author; staff-typed ones the staff member."""
    by_patient = intake.source != Source.STAFF
    author = patient_ref(intake.patient_id) if by_patient else practitioner_ref(intake.taken_by_id)
    return {
        "resourceType": "QuestionnaireResponse",
        "id": f"intake-{intake.pk}",
        "questionnaire": f"{questionnaire_url()}|{questionnaire_version()}",
        "status": "completed",
        "subject": patient_ref(intake.patient_id),
        "authored": instant(intake.taken_at),
        "author": author,
        "source": patient_ref(intake.patient_id) if by_patient else author,
        "item": _response_items(intake),
    }


# ---- findings ------------------------------------------------------------------------------

SEVERITY = {EXCLUDE: "high", REVIEW: "moderate", CAUTION: "low"}


def findings(screening) -> list[dict]:
    """Each reason of a screening as a DetectedIssue.

    Why DetectedIssue rather than Observation, Flag or Condition: a finding here is not a
    measurement (Observation) nor a diagnosis (Condition: "smoker" or "taking blood thinners"
    is not one, and "unanswered" is not even a fact about the patient), nor a standing alert
    independent of any plan (Flag). It is a conflict between the patient's answers and a
    proposed procedure, which is what DetectedIssue is for ("procedure-condition conflict"),
    with a severity (exclude → high, review → moderate, caution → low), the moment it was
    identified, who screened, and a detail naming the procedure. The reason's index in the
    screening's stored list keeps the id stable: stored reasons never change.
    """
    procedure = PROCEDURE_LABELS.get(screening.procedure, screening.procedure)
    issues = []
    for index, reason in enumerate(screening.reasons or []):
        code, severity = reason.get("code", ""), reason.get("severity", "")
        label = reason.get("label") or code
        issue = {
            "resourceType": "DetectedIssue",
            "id": f"finding-{screening.pk}-{index}",
            "status": "final",
            "code": _concept("contraindication", code, label),
            "severity": SEVERITY.get(severity, "low"),
            "patient": patient_ref(screening.patient_id),
            "identifiedDateTime": instant(screening.screened_at),
            "detail": f"{procedure}: {severity} ({label}). Source: {reason.get('source', '')}."
            f" Rule set {screening.ruleset_version}.",
        }
        if screening.screened_by_id:
            issue["author"] = practitioner_ref(screening.screened_by_id)
        issues.append(issue)
    return issues


# ---- consents ------------------------------------------------------------------------------


def _consent(
    *, id_: str, patient_id: int, signed_at, text: str, active: bool, ended=None, category: str
) -> dict:
    provision = {"type": "permit", "code": [{"text": text}]}
    if ended is not None:
        provision["period"] = {"start": instant(signed_at), "end": instant(ended)}
    return {
        "resourceType": "Consent",
        "id": id_,
        "status": "active" if active else "inactive",
        "scope": {"coding": [{"system": CONSENT_SCOPE, "code": "treatment"}]},
        "category": [
            {"coding": [{"system": LOINC, "code": "59284-0", "display": "Patient Consent"}]},
            {"text": category},
        ],
        "patient": patient_ref(patient_id),
        "dateTime": instant(signed_at),
        "performer": [patient_ref(patient_id)],
        "policyRule": {"text": text},
        "provision": provision,
    }


def consent(c) -> dict:
    """A signed procedure consent (scheduling.Consent), on the version of the text signed."""
    label = PROCEDURE_LABELS.get(c.procedure, c.procedure)
    return _consent(
        id_=f"consent-{c.pk}",
        patient_id=c.patient_id,
        signed_at=c.signed_at,
        text=f"{label} consent, text version {c.text_version}",
        active=True,
        category=f"{label} consent",
    )


def photo_consent(c) -> dict:
    """The consent to scalp photography (photos.PhotoConsent); withdrawn: inactive, ended."""
    return _consent(
        id_=f"photo-consent-{c.pk}",
        patient_id=c.patient_id,
        signed_at=c.signed_at,
        text=f"Scalp photography consent, text version {c.text_version}",
        active=c.withdrawn_at is None,
        ended=c.withdrawn_at,
        category="Clinical photography consent",
    )


# ---- sessions ------------------------------------------------------------------------------

APPOINTMENT_STATUS = {
    "booked": "booked",
    "checked_in": "checked-in",
    "in_treatment": "arrived",
    "completed": "fulfilled",
    "cancelled": "cancelled",
    "no_show": "noshow",
}


def _participant(reference: dict) -> dict:
    return {"actor": reference, "required": "required", "status": "accepted"}


def appointment(session) -> dict:
    resource = {
        "resourceType": "Appointment",
        "id": f"appointment-{session.pk}",
        "status": APPOINTMENT_STATUS.get(session.status, "booked"),
        "serviceType": [{"text": session.session_type.name}],
        "description": session.session_type.name,
        "start": instant(session.start),
        "end": instant(session.end),
        "created": instant(session.booked_at),
        "participant": [
            _participant(patient_ref(session.patient_id)),
            _participant(practitioner_ref(session.provider_id)),
            _participant(ref("Location", "location", session.room_id)),
            _participant(ref("Device", "device", session.device_id)),
        ],
    }
    if session.cancel_reason:
        resource["cancelationReason"] = {"text": session.cancel_reason}
    if session.blocked_reason:
        resource["comment"] = session.blocked_reason
    return resource


def _lot_device(id_: str, kind: str, lot: str) -> dict:
    return {"resourceType": "Device", "id": id_, "lotNumber": lot, "type": {"text": kind}}


def _treatment_notes(session) -> list[dict]:
    lines = [
        (session.needle_depth_mm, lambda v: f"Needle depth: {v} mm"),
        (session.passes, lambda v: f"Passes: {v}"),
        (session.prp_volume_ml, lambda v: f"PRP volume: {v} ml"),
        (session.lllt_minutes, lambda v: f"LLLT: {v} minutes"),
        (session.topicals, lambda v: f"Topicals applied: {v}"),
        (session.notes, str),
    ]
    return [{"text": text(value)} for value, text in lines if value not in (None, "")]


def procedure(session) -> dict:
    """A completed session's treatment record. The cartridge and the PRP kit are consumables
    with a lot, not the clinic's own devices: they are contained Devices with `lotNumber`,
    used beside the session's device (focalDevice). The Appointment of the same session has
    the same number in its id."""
    codes = [
        _coding("procedure", code, PROCEDURE_LABELS.get(code, code))
        for code in session.session_type.procedures
    ]
    contained = []
    if session.cartridge_lot:
        contained.append(_lot_device("cartridge", "Microneedling cartridge", session.cartridge_lot))
    if session.prp_kit_lot:
        contained.append(_lot_device("prp-kit", "PRP kit", session.prp_kit_lot))
    device_ref = ref("Device", "device", session.device_id)
    resource = {
        "resourceType": "Procedure",
        "id": f"procedure-{session.pk}",
        "status": "completed",
        "code": {"coding": codes, "text": session.session_type.name},
        "subject": patient_ref(session.patient_id),
        "performedPeriod": {
            "start": instant(session.start),
            "end": instant(session.completed_at or session.end),
        },
        "performer": [{"actor": practitioner_ref(session.provider_id)}],
        "location": ref("Location", "location", session.room_id),
        "focalDevice": [{"action": {"text": "used"}, "manipulated": device_ref}],
        "usedReference": [device_ref, *({"reference": f"#{d['id']}"} for d in contained)],
    }
    if contained:
        resource["contained"] = contained
    if session.needle_depth_mm is not None:
        resource["extension"] = [
            {
                "url": system("StructureDefinition/needle-depth"),
                "valueQuantity": {
                    "value": float(session.needle_depth_mm),
                    "unit": "mm",
                    "system": UCUM,
                    "code": "mm",
                },
            }
        ]
    if notes := _treatment_notes(session):
        resource["note"] = notes
    if session.post_care_given:
        resource["followUp"] = [{"text": "Post-care sheet given"}]
    return resource


# ---- photos and outcomes -------------------------------------------------------------------


def photo_url(pk: int) -> str:
    """The photo's file, behind the view that checks the role and logs the access."""
    try:
        path = reverse("photos:image", args=[pk])
    except NoReverseMatch:
        path = f"/photos/{pk}/image/"
    return site() + path


def media(photo) -> dict:
    """A scalp photo. It is `partOf` the session's Appointment (always in the export, whatever
    the session's status); Media.encounter would need an Encounter, which Follicle has not."""
    view = photo.view
    return {
        "resourceType": "Media",
        "id": f"media-{photo.pk}",
        "partOf": [ref("Appointment", "appointment", photo.session_id)],
        "status": "completed",
        "type": {"coding": [{"system": MEDIA_TYPE, "code": "image", "display": "Image"}]},
        "view": {"coding": [_coding("photo-view", view.code, view.label)], "text": view.label},
        "subject": patient_ref(photo.patient_id),
        "createdDateTime": instant(photo.taken_at),
        "operator": practitioner_ref(photo.taken_by_id),
        "bodySite": {"text": "Scalp"},
        "width": photo.width,
        "height": photo.height,
        "content": {
            "contentType": "image/jpeg",
            "url": photo_url(photo.pk),
            "title": f"{view.label}, {photo.taken_at:%Y-%m-%d}",
        },
    }


def outcome(o) -> dict:
    """A session's outcome: the physician's grade and the patient's global assessment, as
    the components of one Observation."""
    components = [
        {
            "code": {
                "text": f"Hair-loss grade ({dict(questionnaire.SCALES).get(o.scale, o.scale)})"
            },
            "valueCodeableConcept": {"coding": [_coding(f"grade-{o.scale}", o.grade)]}
            | {"text": o.grade},
        }
    ]
    if o.patient_assessment is not None:
        components.append(
            {
                "code": {"text": "Patient's global assessment of change (-3 to +3)"},
                "valueInteger": o.patient_assessment,
            }
        )
    resource = {
        "resourceType": "Observation",
        "id": f"outcome-{o.pk}",
        "status": "final",
        "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "exam"}]}],
        "code": {"text": "Hair-restoration session outcome"},
        "subject": patient_ref(o.session.patient_id),
        "effectiveDateTime": instant(o.recorded_at),
        "performer": [practitioner_ref(o.recorded_by_id)],
        "component": components,
    }
    if o.session.status == "completed":
        resource["partOf"] = [ref("Procedure", "procedure", o.session_id)]
    if o.note:
        resource["note"] = [{"text": o.note}]
    return resource


def bundle(resources: Iterable[dict], *, id_: str, timestamp: datetime) -> dict:
    """A `collection`: a set of resources for one patient, not the answer to a search, so not
    a `searchset` (whose entries would need search modes and whose total means a count)."""
    return {
        "resourceType": "Bundle",
        "id": id_,
        "type": "collection",
        "timestamp": instant(timestamp),
        "entry": [
            {"fullUrl": f"{base()}/{r['resourceType']}/{r['id']}", "resource": r} for r in resources
        ],
    }
