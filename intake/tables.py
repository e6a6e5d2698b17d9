import django_tables2 as tables

from intake.models import Patient

# Secondary columns are left out below Bootstrap's md breakpoint, so a phone's list fits
# without sideways scrolling (issue 14); patient_table.html gives its cells the same class.
WIDE_ONLY = {"th": {"class": "d-none d-md-table-cell"}}


class PatientTable(tables.Table):
    """Columns, sorting and pagination; the rows themselves are in the template."""

    mrn = tables.Column(verbose_name="MRN")
    last_name = tables.Column(verbose_name="Name", order_by=("last_name", "first_name"))
    date_of_birth = tables.Column(verbose_name="Date of birth", attrs=WIDE_ONLY)
    sex = tables.Column(attrs=WIDE_ONLY)
    phone = tables.Column(orderable=False, attrs=WIDE_ONLY)
    last_intake_at = tables.Column(verbose_name="Last intake", attrs=WIDE_ONLY)
    archived_at = tables.Column(verbose_name="Status", orderable=False)

    class Meta:
        model = Patient
        fields = ("mrn", "last_name", "date_of_birth", "sex", "phone", "last_intake_at")
        sequence = ("mrn", "last_name", "date_of_birth", "sex", "phone", "last_intake_at", "...")
        template_name = "intake/patient_table.html"
        attrs = {"class": "table table-hover align-middle"}
        empty_text = "No patients match."
