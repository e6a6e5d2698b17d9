import django_tables2 as tables
from django.contrib.auth import get_user_model

# Secondary columns are left out below Bootstrap's md breakpoint, so a phone's list keeps the
# name, role and status without sideways scrolling; staff_table.html gives its cells the same
# class (as intake.tables does).
WIDE_ONLY = {"th": {"class": "d-none d-md-table-cell"}}


class StaffTable(tables.Table):
    """Columns, sorting and pagination; the rows themselves are in the template."""

    last_name = tables.Column(verbose_name="Name", order_by=("last_name", "first_name"))
    username = tables.Column(attrs=WIDE_ONLY)
    email = tables.Column(verbose_name="E-mail", attrs=WIDE_ONLY)
    role = tables.Column(empty_values=(), orderable=False)
    is_active = tables.Column(verbose_name="Status", order_by=("-is_active",))
    two_factor = tables.Column(verbose_name="Two-factor", attrs=WIDE_ONLY)
    last_login = tables.Column(attrs=WIDE_ONLY)

    class Meta:
        model = get_user_model()
        fields = ("last_name", "username", "email", "is_active", "last_login")
        sequence = ("last_name", "username", "email", "role", "is_active", "two_factor", "...")
        template_name = "staff/staff_table.html"
        attrs = {"class": "table table-hover align-middle"}
        empty_text = "No staff accounts match."
