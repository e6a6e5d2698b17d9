from django import template

from portal import selectors

register = template.Library()


@register.inclusion_tag("portal/patient_access_card.html", takes_context=True)
def patient_access_card(context, patient):
    """The patient's own answers: the latest links and tablet sessions, and how to start one."""
    user = context["request"].user
    return {
        "patient": patient,
        "accesses": selectors.patient_accesses(user=user, patient=patient),
        "can_issue": user.has_perm(selectors.ISSUE),
        "csrf_token": context.get("csrf_token"),
    }
