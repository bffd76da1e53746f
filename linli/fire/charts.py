"""Server-rendered SVG charts (no script, no CDN): planned against done, one bar per row."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

ROW = 26
LABEL_W = 130
BAR_W = 220
TEXT_W = 90


def bar_chart(
    rows: list[tuple[str, int, int]], *, done_label: str, plan_label: str, unit: str
) -> SafeString:
    """Horizontal bars: the light bar is the plan, the dark one what is done; numbers printed.

    The numbers are written beside each bar, so colour is never the only signal.
    """
    if not rows:
        return mark_safe("")
    top = max(max(plan, done) for _n, done, plan in rows) or 1
    width = LABEL_W + BAR_W + TEXT_W
    height = ROW * len(rows) + 30
    parts = [
        f'<svg class="fire-chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(done_label)} / {escape(plan_label)}" '
        f'preserveAspectRatio="xMinYMin meet" style="width:100%;max-width:640px;height:auto">'
    ]
    for i, (name, done, plan) in enumerate(rows):
        y = i * ROW + 4
        plan_w = round(BAR_W * plan / top, 1)
        done_w = round(BAR_W * done / top, 1)
        parts.append(
            f'<text x="{LABEL_W - 6}" y="{y + 15}" text-anchor="end" font-size="12">'
            f"{escape(name)}</text>"
            f'<rect x="{LABEL_W}" y="{y + 2}" width="{plan_w}" height="16" fill="#cfe0ee" '
            f'stroke="#5b7f9e" stroke-width="0.6"><title>{escape(plan_label)} {plan}</title></rect>'
            f'<rect x="{LABEL_W}" y="{y + 5}" width="{done_w}" height="10" fill="#1f5f8b">'
            f"<title>{escape(done_label)} {done}</title></rect>"
            f'<text x="{LABEL_W + BAR_W + 6}" y="{y + 15}" font-size="12">{done} / {plan}</text>'
        )
    y = ROW * len(rows) + 10
    parts.append(
        f'<rect x="{LABEL_W}" y="{y}" width="14" height="10" fill="#1f5f8b"/>'
        f'<text x="{LABEL_W + 18}" y="{y + 9}" font-size="11">{escape(done_label)}</text>'
        f'<rect x="{LABEL_W + 80}" y="{y}" width="14" height="10" fill="#cfe0ee" stroke="#5b7f9e" '
        f'stroke-width="0.6"/><text x="{LABEL_W + 98}" y="{y + 9}" font-size="11">'
        f"{escape(plan_label)}（{escape(unit)}）</text>"
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text went through escape)
