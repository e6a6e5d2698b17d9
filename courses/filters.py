"""The overdue list narrowed by session type, phase and how long overdue."""

from datetime import timedelta

import django_filters
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django.db.models import F

from courses.models import CoursePlan
from scheduling import times
from treatments.models import SessionType

COURSE, MAINTENANCE = "course", "maintenance"


class OverdueFilter(django_filters.FilterSet):
    session_type = django_filters.ModelChoiceFilter(
        queryset=SessionType.objects.order_by("name"), empty_label="Any session type"
    )
    phase = django_filters.ChoiceFilter(
        label="Phase",
        choices=[(COURSE, "Course"), (MAINTENANCE, "Maintenance")],
        empty_label="Course or maintenance",
        method="filter_phase",
    )
    overdue_days = django_filters.NumberFilter(
        label="Overdue by at least (days)",
        method="filter_overdue_days",
        min_value=0,
        max_value=3650,
        decimal_places=0,
    )

    class Meta:
        model = CoursePlan
        fields = ["session_type"]

    def filter_phase(self, queryset, name, value):
        if value == COURSE:
            return queryset.filter(done__lt=F("sessions_planned"))
        return queryset.filter(done__gte=F("sessions_planned"))

    def filter_overdue_days(self, queryset, name, value):
        return queryset.filter(next_due__lte=times.today() - timedelta(days=int(value)))

    @property
    def form(self):
        form = super().form
        form.helper = FormHelper()
        form.helper.form_method = "get"
        form.helper.layout = Layout(
            Row(
                Column("session_type", css_class="col-sm-4"),
                Column("phase", css_class="col-sm-4"),
                Column("overdue_days", css_class="col-sm-4"),
            ),
            Submit("filter", "Filter", css_class="btn-secondary"),
        )
        return form
