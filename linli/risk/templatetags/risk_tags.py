"""Template filters of the risk pages."""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from typing import Any

from django import template
from django.conf import settings
from django.utils.formats import get_format, localize
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as L

from linli.risk.rules import format_value

register = template.Library()


@register.filter
def weight(value: Fraction) -> str:
    """A unit weight as a decimal, e.g. 0.22 (weights are exact fractions over 100)."""
    return format_value(value * 1)


# A grade's colour and meaning (the badge's text and its tooltip); any other letter is D's.
_GRADE_WORDS = {
    "A": (L("红"), L("红 重大风险")),
    "B": (L("橙"), L("橙 较大风险")),
    "C": (L("黄"), L("黄 一般风险")),
    "D": (L("蓝"), L("蓝 低风险")),
}


@register.simple_tag
def grade_badge(grade: str | None) -> SafeString:
    """A grade as a coloured badge ("A 红", the meaning as its tooltip), or 未评 without one.

    A tag rather than an included template: the overview of a round shows one per committee
    twice, and an include per badge was a large part of that page's rendering.
    """
    if not grade:
        return mark_safe(f'<span class="grade g-none">{escape(L("未评"))}</span>')  # noqa: S308
    colour, meaning = _GRADE_WORDS.get(grade, _GRADE_WORDS["D"])
    return mark_safe(  # noqa: S308 (every value is escaped)
        f'<span class="grade g-{escape(grade)}" title="{escape(meaning)}">'
        f"{escape(grade)} {escape(colour)}</span>"
    )


_EMPTY_CELL = '<td class="h"><span class="muted">—</span></td>'


@register.simple_tag
def heat_cells(cells: Iterable[Any]) -> SafeString:
    """One row of the unit × committee heat table: per unit, its score and grade letter, or "—".

    Written out here rather than in the template: a street's round has 41 units × up to 50
    committees a page, and the template language's per-cell nodes were the largest part of
    the overview page's rendering. A value is a decimal with two places: without thousands
    grouping it is shown as ``localize`` would, with the locale's decimal separator looked up
    once per row.
    """
    separator = str(get_format("DECIMAL_SEPARATOR"))

    def show(value: Any) -> str:
        if settings.USE_THOUSAND_SEPARATOR:
            return str(localize(value))
        return str(value).replace(".", separator)

    return mark_safe(  # noqa: S308 (every value is escaped)
        "".join(
            f'<td class="h h-{escape(s.grade)}">{escape(show(s.value))}<br>'
            f"<b>{escape(s.grade)}</b></td>"
            if s
            else _EMPTY_CELL
            for s in cells
        )
    )
