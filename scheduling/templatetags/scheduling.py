from django import template

from eligibility import rules
from scheduling import selectors

register = template.Library()


@register.inclusion_tag("scheduling/includes/patient_sessions_card.html", takes_context=True)
def patient_sessions_card(context, patient):
    """The sessions and consents of a patient in two queries, however many there are."""
    user = context["request"].user
    consents = selectors.consents_on_file(user=user, patient=patient)
    return {
        "patient": patient,
        "sessions": selectors.patient_sessions(user=user, patient=patient),
        "consents": [
            {"procedure": p, "label": rules.PROCEDURE_LABELS[p], "consent": consents.get(p)}
            for p in rules.PROCEDURES
        ],
        "can_book": user.has_perm("scheduling.add_treatmentsession"),
        "can_consent": user.has_perm("scheduling.add_consent"),
    }
