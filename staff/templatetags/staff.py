from django import template

from staff.selectors import role_labels

register = template.Library()


@register.filter(name="role_labels")
def role_labels_filter(account) -> list[str]:
    """The labels of the roles an account from staff.selectors holds."""
    return role_labels(account)
