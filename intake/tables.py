import django_tables2 as tables

from intake.models import Patient


class PatientTable(tables.Table):
    mrn = tables.Column(verbose_name="MRN", linkify=True)
    last_name = tables.Column(
        verbose_name="Name", linkify=True, order_by=("last_name", "first_name")
    )
    date_of_birth = tables.DateColumn(verbose_name="Date of birth", format="j M Y")
    sex = tables.Column()
    phone = tables.Column(orderable=False)
    last_intake_at = tables.DateTimeColumn(
        verbose_name="Last intake", format="j M Y", default="none yet"
    )
    archived_at = tables.Column(verbose_name="Status", orderable=False, default="Active")

    class Meta:
        model = Patient
        fields = ("mrn", "last_name", "date_of_birth", "sex", "phone", "last_intake_at")
        sequence = ("mrn", "last_name", "date_of_birth", "sex", "phone", "last_intake_at", "...")
        attrs = {"class": "table table-hover align-middle"}
        empty_text = "No patients match."

    def render_last_name(self, record: Patient) -> str:
        return f"{record.last_name}, {record.first_name}"

    def render_archived_at(self, value) -> str:
        return "Archived"

    def render_phone(self, value) -> str:
        return value.as_national
