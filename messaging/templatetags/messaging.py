from django import template

from messaging import selectors

register = template.Library()


@register.inclusion_tag("messaging/patient_messages_card.html", takes_context=True)
def patient_messages_card(context, patient):
    """How the patient may be contacted and the latest messages, in three queries."""
    user = context["request"].user
    messages, total = selectors.patient_messages(user=user, patient=patient)
    return {
        "patient": patient,
        "contact": selectors.patient_contact(user=user, patient=patient),
        "messages": messages,
        "total": total,
        "can_change": user.has_perm(selectors.CHANGE_CONTACT),
    }
