"""Template helpers of the fire pages."""

from __future__ import annotations

from typing import Any

from django import template

from linli.core import policy

register = template.Library()


@register.filter
def fire_can(user: Any, permission: str) -> bool:
    """``{% if request.user|fire_can:"fire.view" %}``: the policy, in a template."""
    return policy.can(user, permission)
