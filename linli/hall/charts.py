"""Server-rendered SVG charts (no script, no CDN): vertical and horizontal bars."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def bars(data: Sequence[tuple[str, float]], title: Any, height: int = 180) -> SafeString:
    """Vertical bars with the value printed above each bar (colour is not the only signal)."""
    if not data:
        return mark_safe("")
    top = max(v for _k, v in data) or 1
    step = 44
    width = step * len(data) + 20
    parts = [
        f'<svg class="chart" width="{width}" viewBox="0 0 {width} {height + 40}" role="img" '
        f'aria-label="{escape(title)}" preserveAspectRatio="xMinYMin meet">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, value) in enumerate(data):
        h = value / top * height
        x = 10 + i * step
        y = height - h + 16
        parts.append(
            f'<rect x="{x}" y="{y:.1f}" width="{step - 10}" height="{h:.1f}" fill="#2b6cb0"/>'
        )
        mid = x + (step - 10) / 2
        middle = 'font-size="11" text-anchor="middle"'
        parts.append(f'<text x="{mid}" y="{y - 3:.1f}" {middle}>{value:g}</text>')
        parts.append(f'<text x="{mid}" y="{height + 32}" {middle}>{escape(label)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text went through escape)


def hbars(data: Sequence[tuple[str, float]], title: Any, label_width: int = 200) -> SafeString:
    """Horizontal bars: long item names stay readable on a phone."""
    if not data:
        return mark_safe("")
    top = max(v for _k, v in data) or 1
    row = 24
    width = 600
    span = width - label_width - 50
    parts = [
        f'<svg class="chart" width="{width}" viewBox="0 0 {width} {row * len(data) + 10}" '
        'role="img" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, value) in enumerate(data):
        y = 5 + i * row
        w = value / top * span
        text = str(label) if len(str(label)) <= 14 else str(label)[:13] + "…"
        end = 'font-size="12" text-anchor="end"'
        parts.append(f'<text x="{label_width - 6}" y="{y + 15}" {end}>{escape(text)}</text>')
        size = f'width="{w:.1f}" height="{row - 8}"'
        parts.append(f'<rect x="{label_width}" y="{y + 3}" {size} fill="#2f855a"/>')
        parts.append(
            f'<text x="{label_width + w + 4:.1f}" y="{y + 15}" font-size="12">{value:g}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text went through escape)
