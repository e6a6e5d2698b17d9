import django_tables2 as tables

from intake.models import Patient


class PatientTable(tables.Table):
    """Columns, sorting and pagination; the rows themselves are in the template."""

    mrn = tables.Column(verbose_name="MRN")
    last_name = tables.Column(verbose_name="Name", order_by=("last_name", "first_name"))
    date_of_birth = tables.Column(verbose_name="Date of birth")
    sex = tables.Column()
    phone = tables.Column(orderable=False)
    last_intake_at = tables.Column(verbose_name="Last intake")
    archived_at = tables.Column(verbose_name="Status", orderable=False)

    class Meta:
        model = Patient
        fields = ("mrn", "last_name", "date_of_birth", "sex", "phone", "last_intake_at")
        sequence = ("mrn", "last_name", "date_of_birth", "sex", "phone", "last_intake_at", "...")
        template_name = "intake/patient_table.html"
        attrs = {"class": "table table-hover align-middle"}
        empty_text = "No patients match."
