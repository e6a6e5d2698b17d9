"""The staff list's filters: role, status, and one search box over name, username and e-mail.

Staff accounts are not patient data, so the filters travel as GET parameters (a filtered list
can be bookmarked), unlike the patient search."""

import django_filters
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Q, QuerySet

from core.roles import ROLE_LABELS

STATUS_CHOICES = (
    ("active", "Active"),
    ("invited", "Invited"),
    ("deactivated", "Deactivated"),
)


class StaffFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="filter_q",
        max_length=100,
        help_text="Name, username or e-mail.",
    )
    role = django_filters.ChoiceFilter(
        label="Role",
        choices=list(ROLE_LABELS.items()),
        field_name="groups__name",
        empty_label="Any role",
    )
    status = django_filters.ChoiceFilter(
        label="Status", choices=STATUS_CHOICES, method="filter_status", empty_label="Any status"
    )

    class Meta:
        model = get_user_model()
        fields = ["q", "role", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        helper = FormHelper()
        helper.form_method = "get"
        helper.disable_csrf = True
        helper.layout = Layout(
            Row(
                Column("q", css_class="col-md-4"),
                Column("role", css_class="col-md-3"),
                Column("status", css_class="col-md-3"),
                Column(Submit("search", "Filter", css_class="mt-md-4"), css_class="col-md-2"),
            )
        )
        self.form.helper = helper

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Every word must match the first or last name, the username or the e-mail."""
        for word in value.split():
            queryset = queryset.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(username__icontains=word)
                | Q(email__icontains=word)
            )
        return queryset

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "deactivated":
            return queryset.filter(is_active=False)
        queryset = queryset.filter(is_active=True)
        if value == "invited":
            return queryset.filter(password__startswith=UNUSABLE_PASSWORD_PREFIX)
        return queryset
