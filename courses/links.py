from urllib.parse import urlencode

from django.urls import reverse

from courses.models import CoursePlan


def book_url(plan: CoursePlan) -> str:
    """The booking form with the plan's patient and session type chosen (ids, no names)."""
    query = urlencode({"patient": plan.patient_id, "session_type": plan.session_type_id})
    return f"{reverse('scheduling:session-book')}?{query}"
