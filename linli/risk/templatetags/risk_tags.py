"""Template filters of the risk pages."""

from __future__ import annotations

from fractions import Fraction

from django import template

from linli.risk.rules import format_value

register = template.Library()


@register.filter
def weight(value: Fraction) -> str:
    """A unit weight as a decimal, e.g. 0.22 (weights are exact fractions over 100)."""
    return format_value(value * 1)
