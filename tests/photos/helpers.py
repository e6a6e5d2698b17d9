"""Test images: real JPEGs carrying GPS EXIF and an orientation, a PNG bomb, a fake JPEG."""

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.roles import PHYSICIAN
from photos import services
from tests.factories import UserFactory

GPS_IFD = 34853
ORIENTATION = 274
MAKE = 271
# EXIF orientation 6: the camera was turned; shown upright the picture is rotated 90°.
ROTATED = 6


def jpeg_bytes(
    size: tuple[int, int] = (60, 40), *, orientation: int | None = ROTATED, colour="red"
) -> bytes:
    """A JPEG as a phone writes it: a GPS position, the camera's make and an orientation."""
    image = Image.new("RGB", size, colour)
    # The left half blue, so a test can tell which way the stored photo was turned.
    image.paste("blue", (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    exif[MAKE] = "PhoneCam"
    if orientation is not None:
        exif[ORIENTATION] = orientation
    exif[GPS_IFD] = {1: "N", 2: (51.0, 30.0, 26.0), 3: "W", 4: (0.0, 7.0, 39.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def jpeg_upload(name: str = "scalp.jpg", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes(**kwargs), content_type="image/jpeg")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A PNG of a few dozen bytes whose header claims `width` x `height` pixels (one pixel
    of data): decoding it would ask for gigabytes."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", data)
        + _chunk(b"IEND", b"")
    )


def png_bytes(size: tuple[int, int] = (30, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (0, 128, 0, 128)).save(out, format="PNG")
    return out.getvalue()


def sign(patient, *, by=None):
    """The patient's photo consent, witnessed by a physician."""
    by = by or UserFactory(role=PHYSICIAN)
    return services.consent_record(by=by, patient=patient, typed_name="Ada Byron", agreed=True)


def take(session, view, *, by, **kwargs):
    return services.photo_take(by=by, session=session, view=view, upload=jpeg_upload(**kwargs))


def view(code: str = "frontal"):
    """A default view; the defaults are seeded again first if a transactional test's flush
    emptied the table."""
    from importlib import import_module

    from django.apps import apps

    from photos.models import PhotoView

    if not PhotoView.objects.exists():
        import_module("photos.migrations.0002_default_views").seed(apps, None)
    return PhotoView.objects.get(code=code)
