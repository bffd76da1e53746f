"""What every PDF Linli prints shares: its own fonts by path, a fetcher that reads nothing
but local files, and one lock, because Pango's font maps are not thread-safe (one render at a
time per process, whichever module renders)."""

from __future__ import annotations

import functools
import logging
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

FONTS = Path(__file__).resolve().parent / "static" / "linli" / "fonts"
FONT_FILES = {
    "regular": "NotoSansSC-Regular.subset.woff2",
    "bold": "NotoSansSC-Bold.subset.woff2",
    "ext": "NotoSansSC-Regular.ext.woff2",
}
# Decompressed copies of the woff2 files (OpenType), made once per machine: decompressing
# 12 MB of woff2 took about 1 s per render.
FONT_CACHE = Path(tempfile.gettempdir()) / "linli-fonts"
RENDER_LOCK = threading.Lock()
# The user-agent style sheet of Linli's printouts (a small part of WeasyPrint's own).
PRINT_UA = Path(__file__).resolve().parent / "print_ua.css"

log = logging.getLogger(__name__)


def subsetter_missing() -> bool:
    """True when HarfBuzz's subsetter (Debian's ``libharfbuzz-subset0``) is not installed.

    WeasyPrint then subsets the embedded fonts with fontTools in Python, and a white paper in
    the Chinese font takes about four times as long (measured: 6.5 s against 1.5 s).
    """
    from weasyprint.text import ffi

    return ffi.harfbuzz_subset is None


@functools.cache
def _document_class() -> Any:
    """``weasyprint.HTML`` with Linli's print user-agent style sheet (made once per process)."""
    from weasyprint import CSS, HTML

    if subsetter_missing():
        log.warning(
            "libharfbuzz-subset0 is not installed: PDFs embed their fonts through fontTools "
            "and render about 4x slower (apt-get install libharfbuzz-subset0)"
        )
    ua = CSS(string=PRINT_UA.read_text(encoding="utf-8"))

    class PrintHTML(HTML):  # type: ignore[misc]
        def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
            return [ua]

    return PrintHTML


def document(**kwargs: Any) -> Any:
    """A WeasyPrint HTML document (same arguments as ``weasyprint.HTML``) styled by Linli's own
    user-agent sheet ``print_ua.css`` instead of WeasyPrint's: the full sheet's selectors,
    matched against every element of a white paper, cost up to a third of its render."""
    return _document_class()(**kwargs)


def font_file(name: str) -> Path:
    """The OpenType file of one of Linli's woff2 fonts, decompressed once into FONT_CACHE
    (keyed by size and mtime; falls back to the woff2 file if the cache cannot be written)."""
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


def font_uris() -> dict[str, str]:
    """The fonts as the print style sheets' @font-face rules name them."""
    return {key: font_file(name).as_uri() for key, name in FONT_FILES.items()}


def local_fetcher(*folders: Path) -> Any:
    """A WeasyPrint URL fetcher for local files under the fonts, the font cache and ``folders``;
    anything else (a network address above all) is refused."""
    from weasyprint.urls import URLFetcher

    allowed = tuple(p.as_uri() for p in (FONTS, FONT_CACHE, *folders))

    class LocalOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.startswith(allowed):
                raise ValueError(f"refused to fetch {url}")
            return super().fetch(url, headers)

    return LocalOnly(allowed_protocols=("file",))
