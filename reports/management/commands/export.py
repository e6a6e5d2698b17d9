"""Run a report export from the shell, for scheduled jobs: the same filters, rows and escaping
as the download buttons, and the same Export record (so the audit log names who ran it).

    manage.py export sessions --from 2026-11-01 --to 2026-11-30 --format csv --by admin
    manage.py export recall --lot KIT-2231 --format xlsx --output recall.xlsx --by admin
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from reports.exports import REPORTS, csv_lines, record_export, write_csv, write_xlsx
from reports.forms import RecallFilterForm, ReportFilterForm


class Command(BaseCommand):
    help = "Export a report (sessions, screenings, reviews, recall) as CSV or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("report", choices=sorted(REPORTS))
        parser.add_argument("--from", dest="date_from", help="First day, YYYY-MM-DD.")
        parser.add_argument("--to", dest="date_to", help="Last day, YYYY-MM-DD.")
        parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
        parser.add_argument("--output", help="File to write; CSV goes to standard output without.")
        parser.add_argument(
            "--by", required=True, help="Username of the staff member the export is logged for."
        )
        parser.add_argument("--lot", default="", help="Recall: device serial or lot.")
        parser.add_argument("--procedure", default="")
        parser.add_argument("--session-type", dest="session_type", default="", help="Its id.")
        parser.add_argument("--provider", default="", help="The provider's user id.")
        parser.add_argument("--room", default="", help="The room's id.")
        parser.add_argument("--status", default="")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["by"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active staff member with the username {options['by']!r}.")
        report = options["report"]
        if not user.has_perm("reports.export_reports"):
            raise CommandError(f"{user.get_username()} may not export reports.")
        if options["format"] == "xlsx" and not options["output"]:
            raise CommandError("An XLSX export needs --output FILE.")
        fields = ("date_from", "date_to", "procedure", "session_type", "provider", "room", "status")
        data = {name: options[name] or "" for name in fields}
        if report == "recall":
            data["lot"] = options["lot"]
            form = RecallFilterForm(data)
        else:
            form = ReportFilterForm(data)
        if not form.is_valid():
            problems = "; ".join(
                f"{field}: {' '.join(errors)}" for field, errors in form.errors.items()
            )
            raise CommandError(f"Invalid filters: {problems}")
        filters = form.filters()
        if report == "recall" and not filters.lot:
            raise CommandError("A recall export needs --lot.")
        spec = REPORTS[report]
        record_export(by=user, report=report, fmt=options["format"], filters=filters.as_json())
        rows = spec.rows(filters, by=user)
        if options["format"] == "xlsx":
            with open(options["output"], "wb") as file:
                write_xlsx(file, spec.title, spec.columns, rows)
        elif options["output"]:
            with open(options["output"], "w", encoding="utf-8", newline="") as file:
                write_csv(file, spec.columns, rows)
        else:
            for chunk in csv_lines(spec.columns, rows):
                self.stdout.write(chunk, ending="")
