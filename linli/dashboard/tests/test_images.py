"""Issue 10: a 30000×30000 PNG of a few hundred bytes answered 500 (DecompressionBombError)."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from linli.core.errors import DomainError
from linli.core.images import max_pixels, pixels_error


def _png(width: int, height: int) -> bytes:
    """A valid PNG header declaring width×height (the data stream is tiny)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


def test_the_guard_is_set_explicitly() -> None:
    assert max_pixels() == Image.MAX_IMAGE_PIXELS


def test_a_bomb_is_named_by_its_pixels_and_the_limit() -> None:
    message = pixels_error(io.BytesIO(_png(30000, 30000)))
    assert message is not None and "900,000,000" in message and f"{max_pixels():,}" in message
    assert pixels_error(io.BytesIO(_png(4000, 3000))) is None


@pytest.mark.parametrize("module", ["risk", "fire"])
def test_photo_checks_refuse_a_bomb_with_a_field_error(module: str) -> None:
    upload = SimpleUploadedFile("bomb.png", _png(30000, 30000), content_type="image/png")
    if module == "risk":
        from linli.risk.services import check_photo
    else:
        from linli.fire.services import check_photo  # type: ignore[assignment]
    with pytest.raises(DomainError) as caught:
        check_photo(upload)
    assert "900,000,000" in caught.value.message
    assert caught.value.field in ("photos", "photo")


def test_community_milestone_photo_refuses_a_bomb(db: Any) -> None:
    from linli.community.services import _check_photo

    upload = SimpleUploadedFile("bomb.png", _png(30000, 30000), content_type="image/png")
    with pytest.raises(DomainError) as caught:
        _check_photo(upload)
    assert caught.value.field == "photo"
