"""Patient search: one box that understands names, MRNs, dates of birth and phone numbers."""

import re
from datetime import datetime

import django_filters
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django.db.models import Q, QuerySet

from core.bounds import in_range
from intake.models import Patient, Sex

_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y")


def _as_date(text: str):
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def search_q(text: str) -> Q:
    """Translate the search box into a query; every word of a name must match."""
    text = text.strip()
    if not text:
        return Q()
    day = _as_date(text)
    if day is not None:
        # A date no one alive was born on (0001-01-01, 9999-12-31) finds no one.
        return Q(date_of_birth=day) if in_range(day) else Q(pk__in=[])
    if re.fullmatch(r"[Ff]\d{3,8}", text):
        return Q(mrn__iexact=text) if len(text) == 9 else Q(mrn__istartswith=text)
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 6 and len(digits) >= len(text.replace(" ", "")) - 1:
        return Q(phone__contains=digits.lstrip("0"))
    q = Q()
    for word in text.split():
        q &= (
            Q(last_name__istartswith=word)
            | Q(first_name__istartswith=word)
            | Q(preferred_name__istartswith=word)
        )
    return q


class PatientFilter(django_filters.FilterSet):
    STATUS_CHOICES = (("active", "Active"), ("archived", "Archived"), ("all", "All"))

    q = django_filters.CharFilter(
        label="Search",
        method="filter_q",
        max_length=100,
        help_text="Name, MRN, date of birth (YYYY-MM-DD or DD/MM/YYYY) or phone.",
    )
    status = django_filters.ChoiceFilter(
        label="Status",
        choices=STATUS_CHOICES,
        method="filter_status",
        empty_label=None,
        initial="active",
    )
    sex = django_filters.ChoiceFilter(choices=Sex.choices, empty_label="Any sex")

    class Meta:
        model = Patient
        fields = ["q", "status", "sex"]

    def __init__(self, data=None, *args, **kwargs):
        data = dict(data.items()) if data is not None else {}
        data.setdefault("status", "active")
        super().__init__(data, *args, **kwargs)
        helper = FormHelper()
        helper.form_method = "post"
        helper.form_tag = True
        helper.layout = Layout(
            Row(
                Column("q", css_class="col-md-6"),
                Column("status", css_class="col-md-2"),
                Column("sex", css_class="col-md-2"),
                Column(Submit("search", "Search", css_class="mt-md-4"), css_class="col-md-2"),
            )
        )
        self.form.helper = helper

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(search_q(value))

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "archived":
            return queryset.filter(archived_at__isnull=False)
        if value == "all":
            return queryset
        return queryset.filter(archived_at__isnull=True)
