from django import template

from eligibility.services import eligibility_summary

register = template.Library()


@register.inclusion_tag("eligibility/includes/patient_eligibility.html", takes_context=True)
def patient_eligibility_card(context, patient):
    """The patient page's eligibility card, drawn by the screening layer for the page the
    patient layer owns (that page cannot import upward)."""
    return {**context.flatten(), "eligibility": eligibility_summary(patient)}
