from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from core.backup import BackupError, restore_postgres, restore_sqlite


class Command(BaseCommand):
    help = (
        "Restore a backup into an empty database: the configured one (create it empty first), "
        "or --target (a SQLite file path, or a PostgreSQL database name)."
    )

    def add_arguments(self, parser):
        parser.add_argument("input", help="The backup file")
        parser.add_argument("--target", help="Restore here instead of the configured database")

    def handle(self, *args, input, target=None, **options):
        source = Path(input)
        if not source.exists():
            raise CommandError(f"No backup at {source}")
        try:
            if connection.vendor == "postgresql":
                restore_postgres(
                    source,
                    database=target or connection.settings_dict["NAME"],
                    settings_dict=connection.settings_dict,
                )
            else:
                restore_sqlite(source, target=Path(target or connection.settings_dict["NAME"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Restored {source}"))
