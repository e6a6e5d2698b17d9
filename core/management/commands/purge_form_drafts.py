from django.core.management.base import BaseCommand

from core.drafts import drafts_purge


class Command(BaseCommand):
    help = (
        "Delete expired form drafts (patient data as typed; FORM_DRAFT_HOURS). Reading drafts "
        "deletes them too; run this from cron so that a draft nobody comes back for still goes."
    )

    def handle(self, *args, **options):
        deleted = drafts_purge()
        self.stdout.write(f"{deleted} expired form draft(s) deleted.")
