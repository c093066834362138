"""Photos of a report: checked, re-encoded without EXIF/GPS/camera data and resized. Part of the reports
app's public API through ``services``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from .services import MAX_PHOTO_BYTES, MAX_PHOTO_PIXELS, MAX_PHOTO_SIDE_PX, ReportError

# ---------------------------------------------------------------- photos

@dataclass
class ProcessedPhoto:
    data: bytes
    width: int
    height: int


def process_photo(upload) -> ProcessedPhoto:
    """An uploaded image → JPEG bytes with no EXIF/metadata (location, camera), orientation applied,
    longest side ≤ ``MAX_PHOTO_SIDE_PX``.

    :raises ReportError: over ``MAX_PHOTO_BYTES`` (10 MB) or not an image Pillow can read
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    name = getattr(upload, "name", "photo")
    size = getattr(upload, "size", None)
    if size is None or size > MAX_PHOTO_BYTES:
        raise ReportError("invalid_parameter",
                          f"写真「{name}」は大きすぎます（10 MB まで）。小さくしてから送ってください", "photos")
    raw = upload.read()
    if len(raw) > MAX_PHOTO_BYTES:
        raise ReportError("invalid_parameter", f"写真「{name}」は大きすぎます（10 MB まで）", "photos")
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            probe.verify()
        with Image.open(io.BytesIO(raw)) as img:
            if img.format not in ("JPEG", "PNG", "WEBP", "GIF", "MPO"):
                raise UnidentifiedImageError(img.format)
            if img.width * img.height > MAX_PHOTO_PIXELS:
                raise ReportError("invalid_parameter", f"写真「{name}」は画素数が多すぎます（5000 万画素まで）", "photos")
            if img.format in ("JPEG", "MPO"):
                img.draft("RGB", (MAX_PHOTO_SIDE_PX, MAX_PHOTO_SIDE_PX))  # decode at a reduced scale
            img = ImageOps.exif_transpose(img)
            img = img.convert("RGB")
            img.thumbnail((MAX_PHOTO_SIDE_PX, MAX_PHOTO_SIDE_PX))
            clean = Image.new("RGB", img.size)
            clean.paste(img)  # pixels only: no EXIF, XMP, ICC or comments are carried over
            out = io.BytesIO()
            clean.save(out, "JPEG", quality=85, optimize=True)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ReportError("invalid_parameter",
                          f"「{name}」は画像として読めません。JPEG・PNG・WebP の写真を選んでください", "photos") from None
    return ProcessedPhoto(out.getvalue(), clean.width, clean.height)


