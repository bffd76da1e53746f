"""Small display filters of the community pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """An amount in fen as yuan with two decimals and thousands separators: 1,234.50."""
    value = int(fen or 0)
    sign = "-" if value < 0 else ""
    whole, cents = divmod(abs(value), 100)
    return f"{sign}{whole:,}.{cents:02d}"
