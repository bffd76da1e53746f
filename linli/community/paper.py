"""The volunteer-service record certificate (志愿服务记录证明) as a PDF.

The fields are those of 民政部令第67号: the volunteer's identity (masked), the hours and the
content of the service, the issuing organisation and its contact, the certificate number and
the date. The PDF uses Linli's own font files by path: nothing is fetched.
"""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string

from . import rules
from .models import Certificate

FONTS = Path(__file__).resolve().parent.parent / "core" / "static" / "linli" / "fonts"
FONT_FILES = {
    "regular": "NotoSansSC-Regular.subset.woff2",
    "bold": "NotoSansSC-Bold.subset.woff2",
    "ext": "NotoSansSC-Regular.ext.woff2",
}
FONT_CACHE = Path(tempfile.gettempdir()) / "linli-community-fonts"
_LOCK = threading.Lock()  # Pango font maps are not thread-safe: one render at a time


def _font_file(name: str) -> Path:
    """The OpenType file of one of Linli's woff2 fonts, decompressed once into FONT_CACHE."""
    from fontTools.ttLib import woff2

    src = FONTS / name
    st = src.stat()
    out = FONT_CACHE / f"{src.stem}-{st.st_size}-{int(st.st_mtime)}.otf"
    if out.exists():
        return out
    try:
        FONT_CACHE.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(f".{os.getpid()}.tmp")
        with src.open("rb") as fin, tmp.open("wb") as fout:
            woff2.decompress(fin, fout)
        tmp.replace(out)
    except OSError:
        return src
    return out


def _fetcher() -> Any:
    from weasyprint.urls import URLFetcher

    allowed = (FONTS.as_uri(), FONT_CACHE.as_uri())

    class LocalOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.startswith(allowed):
                raise ValueError(f"refused to fetch {url}")
            return super().fetch(url, headers)

    return LocalOnly(allowed_protocols=("file",))


def certificate_context(cert: Certificate) -> dict[str, Any]:
    hours = cert.minutes / 60
    return {
        "c": cert,
        "v": cert.volunteer,
        "team": cert.team,
        "hours": f"{hours:.1f}",
        "stars": rules.star_level(
            sum(r.minutes for r in cert.volunteer.hours.filter(status="approved").only("minutes"))
        ),
    }


def certificate_pdf(cert: Certificate) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = {key: _font_file(name).as_uri() for key, name in FONT_FILES.items()}
    html = render_to_string("community/certificate.html", certificate_context(cert))
    with _LOCK:
        config = FontConfiguration()
        css = CSS(
            string=render_to_string("community/certificate.css", {"fonts": fonts}),
            font_config=config,
            url_fetcher=_fetcher(),
            base_url=FONTS.as_uri(),
        )
        data: bytes = HTML(string=html, url_fetcher=_fetcher(), base_url=FONTS.as_uri()).write_pdf(
            stylesheets=[css], font_config=config
        )
    return data
