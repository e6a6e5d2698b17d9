"""Checking and cleaning an uploaded scalp photo with Pillow, before anything is stored.

A file is refused before it is decoded when it is too large, and on its header when it claims
too many pixels (a decompression bomb). What is kept is a fresh JPEG, turned the way the camera
meant it (EXIF orientation) and carrying no metadata at all: no GPS position, no camera, no
time; and a thumbnail beside it.
"""

import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps, UnidentifiedImageError

# What a tablet's camera or a clinic's files produce; anything else is refused unopened.
FORMATS = ("JPEG", "PNG", "WEBP")  # a phone's MPO opens as JPEG
THUMBNAIL_SIDE = 320
QUALITY = 90
THUMBNAIL_QUALITY = 80

NOT_AN_IMAGE = "This file is not a photo the clinic can read: choose a JPEG, PNG or WebP image."
TOO_MANY_PIXELS = (
    "This image is too large to handle safely ({pixels} megapixels; at most {limit}). "
    "Take the photo again at the camera's usual size."
)


@dataclass(frozen=True)
class Prepared:
    image: bytes
    thumbnail: bytes
    width: int
    height: int


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:.0f}"


def _check_size(upload) -> None:
    size = upload.size
    if not size:
        raise ValidationError("The file is empty.", code="empty")
    limit = settings.PHOTOS_MAX_BYTES
    if size > limit:
        raise ValidationError(
            f"This file is {filesizeformat(size)}; a photo can be at most {filesizeformat(limit)}.",
            code="too_big",
        )


def _encode(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality, optimize=True)
    return out.getvalue()


def _clean(image: Image.Image) -> Image.Image:
    """The pixels only, in RGB: a new image, so no metadata of the upload comes along."""
    upright = ImageOps.exif_transpose(image)
    if upright.mode in ("RGBA", "LA") or (upright.mode == "P" and "transparency" in upright.info):
        rgba = upright.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    rgb = upright.convert("RGB")
    return Image.frombytes("RGB", rgb.size, rgb.tobytes())


def prepare(upload) -> Prepared:
    """The photo to store and its thumbnail; a ValidationError saying why when it is refused."""
    _check_size(upload)
    upload.seek(0)
    limit = settings.PHOTOS_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its own limit and twice it: refuse those too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload, formats=FORMATS) as opened:
                pixels = opened.width * opened.height
                if pixels > limit:
                    raise ValidationError(
                        TOO_MANY_PIXELS.format(
                            pixels=_megapixels(pixels), limit=_megapixels(limit)
                        ),
                        code="too_many_pixels",
                    )
                opened.load()
                clean = _clean(opened)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            "This image claims far more pixels than a photo has and was not opened.",
            code="decompression_bomb",
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise ValidationError(NOT_AN_IMAGE, code="not_an_image") from None
    finally:
        upload.seek(0)
    thumbnail = clean.copy()
    thumbnail.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    return Prepared(
        image=_encode(clean, QUALITY),
        thumbnail=_encode(thumbnail, THUMBNAIL_QUALITY),
        width=clean.width,
        height=clean.height,
    )
