"""Re-evaluate screenings made under an older rule set (`migrate` runs the same)."""

from django.core.management.base import BaseCommand

from eligibility import rules
from eligibility.services import screen_rules_updated


class Command(BaseCommand):
    help = "Re-screen, on their stored answers, patients last screened under an older rule set."

    def handle(self, *args, **options) -> None:
        count = screen_rules_updated()
        self.stdout.write(f"Re-screened {count} patient(s) under rules {rules.RULESET_VERSION}.")
