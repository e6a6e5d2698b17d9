from django import template

from photos import selectors, services
from scheduling.models import RELEASED

register = template.Library()


@register.inclusion_tag("photos/session_photos.html", takes_context=True)
def session_photos_card(context, session):
    """A session's standard views, a thumbnail each, and the form that takes the next one."""
    user = context["request"].user
    photos = selectors.session_card(user=user, session=session)
    can_take = user.has_perm(services.TAKE) and session.status not in RELEASED
    return {
        "session": session,
        "photos": photos,
        "can_take": can_take,
        "can_sign": user.has_perm(services.SIGN),
        "form": _upload_form(photos) if can_take and photos.consent else None,
        "csrf_token": context.get("csrf_token"),
    }


def _upload_form(photos):
    from photos.forms import PhotoUploadForm

    missing = next((row.view for row in photos.rows if row.photo is None and row.view.active), None)
    form = PhotoUploadForm(
        views=selectors.active_views(), initial={"view": missing.pk} if missing else None
    )
    form.helper.form_tag = False  # the card draws the form tag, with the session's address
    return form


@register.inclusion_tag("photos/patient_photos.html", takes_context=True)
def patient_photos_card(context, patient):
    """How many photos the patient has, their photo consent, and the way to compare."""
    user = context["request"].user
    return {
        "patient": patient,
        "summary": selectors.patient_card(user=user, patient=patient),
        "can_sign": user.has_perm(services.SIGN),
        "can_withdraw": user.has_perm(services.WITHDRAW),
    }
