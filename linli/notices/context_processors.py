"""The bell in the top bar: the unread count of a signed-in staff account (one COUNT)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from linli.core import policy

from . import queries


def inbox(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if policy.role_of(user) is None:
        return {}
    # Lazy: pages that do not draw the shell (API, files) cost no query.
    return {"inbox_unread": SimpleLazyObject(lambda: queries.unread_count(user))}
