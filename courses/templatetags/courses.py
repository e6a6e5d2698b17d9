"""The courses cards on the patient page and the session page (intake and scheduling own those
pages; these tags draw the cards with courses' own selectors)."""

from dataclasses import dataclass
from datetime import date, datetime

from django import template
from django.utils.safestring import SafeString

from courses import charts, selectors
from courses.links import book_url
from courses.models import CoursePlan, GlobalAssessment, Outcome
from courses.services import GRADED
from intake import questionnaire
from scheduling import times

register = template.Library()


@dataclass(frozen=True)
class PlanRow:
    plan: CoursePlan
    phase: str  # "Course", "Maintenance", "Finished" or "Ended"
    overdue: bool
    booked_on: datetime | None
    book_url: str

    @property
    def counted(self) -> int:
        """Completed sessions of the course itself (maintenance sessions come after)."""
        return min(self.plan.done, self.plan.sessions_planned)

    @property
    def maintenance_done(self) -> int:
        return max(self.plan.done - self.plan.sessions_planned, 0)


@dataclass(frozen=True)
class Chart:
    title: str
    svg: SafeString
    rows: list[tuple[date, str, str]]  # day, session type, value


def _phase(plan: CoursePlan) -> str:
    if plan.ended_at is not None:
        return "Ended"
    if plan.done < plan.sessions_planned:
        return "Course"
    return "Maintenance" if plan.maintenance_interval_days else "Finished"


def _plan_rows(plans: list[CoursePlan], today: date) -> list[PlanRow]:
    return [
        PlanRow(
            plan=plan,
            phase=_phase(plan),
            overdue=(
                plan.ended_at is None
                and plan.next_due is not None
                and plan.next_due < today
                and plan.booked_on is None
            ),
            booked_on=plan.booked_on,
            book_url=book_url(plan),
        )
        for plan in plans
    ]


def _day(outcome: Outcome) -> date:
    return times.local(outcome.session.start).date()


def grade_charts(outcomes: list[Outcome]) -> list[Chart]:
    """One step chart per scale graded on (usually one)."""
    found = []
    for code, label in questionnaire.SCALES:
        levels = questionnaire.GRADES_BY_SCALE[code]
        graded = [o for o in outcomes if o.scale == code and o.grade in levels]
        if not graded:
            continue
        title = f"{label} grade over the course"
        points = [charts.Point(_day(o), levels.index(o.grade)) for o in graded]
        found.append(
            Chart(
                title=title,
                svg=charts.course_chart(title=title, levels=levels, points=points, step=True),
                rows=[(_day(o), o.session.session_type.name, o.grade) for o in graded],
            )
        )
    return found


ASSESSMENT_LEVELS = [label for _, label in sorted(GlobalAssessment.choices)]


def assessment_chart(outcomes: list[Outcome]) -> Chart:
    assessed = [o for o in outcomes if o.patient_assessment is not None]
    title = "The patient's global assessment over the course"
    low = min(GlobalAssessment.values)
    points = [charts.Point(_day(o), o.patient_assessment - low) for o in assessed]
    return Chart(
        title=title,
        svg=charts.course_chart(title=title, levels=ASSESSMENT_LEVELS, points=points),
        rows=[
            (_day(o), o.session.session_type.name, o.get_patient_assessment_display())
            for o in assessed
        ],
    )


@register.inclusion_tag("courses/includes/patient_course_card.html", takes_context=True)
def patient_course_card(context, patient):
    """The patient's plans with progress and next due date (one query) and the outcome charts
    (one query)."""
    user = context["request"].user
    plans = selectors.patient_plans(user=user, patient=patient)
    outcomes = (
        selectors.patient_outcomes(user=user, patient=patient)
        if user.has_perm(selectors.VIEW_OUTCOME)
        else None
    )
    return {
        "patient": patient,
        "rows": _plan_rows(plans, times.today()),
        "outcomes": outcomes,
        "grade_charts": grade_charts(outcomes or []),
        "assessment_chart": assessment_chart(outcomes or []),
        "can_plan": user.has_perm(selectors.ADD_PLAN),
        "can_end": user.has_perm(selectors.CHANGE_PLAN),
        "can_book": user.has_perm("scheduling.add_treatmentsession"),
    }


@register.inclusion_tag("courses/includes/session_outcome_card.html", takes_context=True)
def session_outcome_card(context, session):
    """The outcome recorded at the session, and the way to record or correct it."""
    user = context["request"].user
    outcome = selectors.session_outcome(user=user, session=session)
    return {
        "session": session,
        "outcome": outcome,
        "scale_label": dict(questionnaire.SCALES).get(outcome.scale, "") if outcome else "",
        "can_record": user.has_perm(selectors.RECORD_OUTCOME) and session.status in GRADED,
    }
