"""Uploaded photos are checked once, here, for every page that takes them."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from ..errors import (
    PhotoRejected,
)

PHOTO_TYPES = {"image/jpeg", "image/png", "image/webp"}


PHOTO_MAX_BYTES = 8 * 1024 * 1024


def check_photo(upload: Any) -> None:
    if upload.size is not None and upload.size > PHOTO_MAX_BYTES:
        raise PhotoRejected(_("照片不能超过 8 MB"), code="photo_too_large", field="photos")
    if (upload.content_type or "") not in PHOTO_TYPES:
        message = _("照片只能是 JPEG、PNG 或 WebP")
        raise PhotoRejected(message, code="photo_type", field="photos")
    from PIL import Image

    from linli.core.images import pixels_error

    too_big = pixels_error(upload)
    if too_big:
        raise PhotoRejected(too_big, code="photo_pixels", field="photos")
    try:
        with Image.open(upload) as img:
            img.verify()
    except Exception:
        raise PhotoRejected(
            _("照片文件无法识别"), code="photo_unreadable", field="photos"
        ) from None
    upload.seek(0)
