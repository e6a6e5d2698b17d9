"""Pillow's part: what is refused before decoding, and what is kept (issue 17)."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from photos import images
from tests.photos.helpers import jpeg_bytes, png_bomb, png_bytes


def _upload(data: bytes, name: str = "scalp.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def _refusal(data: bytes, name: str = "scalp.jpg") -> str:
    with pytest.raises(ValidationError) as caught:
        images.prepare(_upload(data, name))
    return " ".join(caught.value.messages)


def test_gps_and_every_exif_tag_are_gone_and_the_photo_is_upright():
    original = jpeg_bytes((60, 40))
    assert Image.open(io.BytesIO(original)).getexif()  # it did carry GPS and the make
    prepared = images.prepare(_upload(original))
    stored = Image.open(io.BytesIO(prepared.image))
    assert stored.format == "JPEG"
    assert not stored.getexif()
    assert "exif" not in stored.info and "icc_profile" not in stored.info
    assert b"PhoneCam" not in prepared.image and b"Exif" not in prepared.image
    # Orientation 6 applied: 60 x 40 as shot, 40 x 60 as seen; the blue left half is on top.
    assert (prepared.width, prepared.height) == stored.size == (40, 60)
    top, bottom = stored.getpixel((20, 5)), stored.getpixel((20, 55))
    assert top[2] > 200 and top[0] < 60
    assert bottom[0] > 200 and bottom[2] < 60


def test_the_thumbnail_is_small_and_clean_too():
    prepared = images.prepare(_upload(jpeg_bytes((800, 600), orientation=None)))
    thumb = Image.open(io.BytesIO(prepared.thumbnail))
    assert thumb.size == (320, 240)
    assert not thumb.getexif()
    assert (prepared.width, prepared.height) == (800, 600)


def test_a_png_with_transparency_is_kept_as_a_jpeg():
    prepared = images.prepare(_upload(png_bytes(), "scalp.png", "image/png"))
    assert Image.open(io.BytesIO(prepared.image)).mode == "RGB"


def test_a_file_over_the_byte_limit_is_refused_before_it_is_opened(settings, monkeypatch):
    settings.PHOTOS_MAX_BYTES = 100

    def never(*args, **kwargs):
        raise AssertionError("decoded")

    monkeypatch.setattr(images.Image, "open", never)
    assert "can be at most 100" in _refusal(jpeg_bytes())


def test_an_image_over_the_pixel_limit_is_refused(settings):
    settings.PHOTOS_MAX_PIXELS = 1000
    assert "too large to handle safely" in _refusal(jpeg_bytes((60, 40)))


def test_a_png_decompression_bomb_is_refused_unopened():
    bomb = png_bomb()
    assert len(bomb) < 100
    assert "claims far more pixels" in _refusal(bomb, "scalp.png")


def test_a_png_bomb_under_pillows_limit_is_refused_by_the_clinics(settings):
    settings.PHOTOS_MAX_PIXELS = 1_000_000
    assert "too large to handle safely" in _refusal(png_bomb(2000, 2000), "scalp.png")


def test_pillows_warning_zone_is_refused_too(settings, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    settings.PHOTOS_MAX_PIXELS = 10**9
    # 40 x 40 = 1600 pixels: past Pillow's limit, under twice it (a warning, not an error).
    assert "claims far more pixels" in _refusal(jpeg_bytes((40, 40)))


@pytest.mark.parametrize(
    "data",
    [b"This is a text file, not a photo.\n", b"\xff\xd8\xff\xe0 truncated", b"GIF89a"],
)
def test_a_file_that_is_not_a_photo_is_refused(data):
    assert "not a photo the clinic can read" in _refusal(data)


def test_an_empty_file_is_refused():
    assert "empty" in _refusal(b"")
