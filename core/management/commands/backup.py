from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the whole database (pg_dump on PostgreSQL, SQLite's backup API on SQLite)."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="File to write (default: backups/<timestamp>.*)")

    def handle(self, *args, output=None, **options):
        if output is None:
            stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
            output = Path("backups") / f"follicle-{stamp}.backup"
        try:
            path = backup(Path(output))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Backup written to {path}"))
