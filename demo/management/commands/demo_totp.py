"""Print the current two-factor code of a demo login, so a local demo needs no phone.

The demo physician and admin get an authenticator device with a published key (see
`DEMO_TOTP_KEY`); it exists only in demo data, which `seed_demo` refuses to load with DEBUG off.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

# Base32 JBSWY3DPEHPK3PXP: type it into an authenticator app to get the same codes.
DEMO_TOTP_KEY = "48656c6c6f21deadbeef"


def give_demo_device(user) -> TOTPDevice:
    device, _ = TOTPDevice.objects.update_or_create(
        user=user, name="Demo authenticator", defaults={"key": DEMO_TOTP_KEY, "confirmed": True}
    )
    return device


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo user (DEBUG only)."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", default="physician")

    def handle(self, *args, username: str, **options):
        if not settings.DEBUG:
            raise CommandError("demo_totp is for local demos only; it refuses with DEBUG off.")
        user = get_user_model().objects.filter(username=username).first()
        device = TOTPDevice.objects.filter(user=user, name="Demo authenticator").first()
        if device is None:
            raise CommandError(f"{username} has no demo authenticator; run seed_demo first.")
        self.stdout.write(current_code(device))
