"""Uploaded images are bounded by pixels before anything decodes them.

A 100-byte PNG may declare 30000×30000 pixels; decoding it would take gigabytes. Pillow's
decompression-bomb guard is set explicitly (``Image.MAX_IMAGE_PIXELS``, from
``LINLI_IMAGE_MAX_PIXELS``), and :func:`pixels_error` reads only the header and names the limit
so forms can say so, instead of a server error.
"""

from __future__ import annotations

import re
import warnings
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

DEFAULT_MAX_PIXELS = 40_000_000  # 40 megapixels: any phone's camera, far from a bomb


def max_pixels() -> int:
    return int(getattr(settings, "LINLI_IMAGE_MAX_PIXELS", DEFAULT_MAX_PIXELS))


def install_guard() -> None:
    """Pillow refuses to open anything above twice this (DecompressionBombError)."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = max_pixels()


def pixels_error(file: IO[bytes] | Any) -> str | None:
    """A message naming the limit when the image declares more pixels than allowed, else None.
    Reads the header only; the file is rewound."""
    from PIL import Image

    limit = max_pixels()
    try:
        file.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                width, height = image.size
        pixels = width * height
    except Image.DecompressionBombError as exc:
        # "Image size (900000000 pixels) exceeds limit of …": Pillow names the count.
        found = re.search(r"\((\d+) pixels\)", str(exc))
        pixels = int(found.group(1)) if found else limit + 1
    except Exception:
        return None
    finally:
        file.seek(0)
    if pixels > limit:
        return _("图片像素过多（%(n)s 像素），上限为 %(limit)s 像素。") % {
            "n": f"{pixels:,}",
            "limit": f"{limit:,}",
        }
    return None
