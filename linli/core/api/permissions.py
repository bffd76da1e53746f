"""DRF permission class that asks the one policy (``core.policy``)."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from linli.core import policy


class PolicyPermission(BasePermission):
    """Views declare ``read_permission`` and ``write_permission``; no declaration, no access."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        name = "read_permission" if request.method in SAFE_METHODS else "write_permission"
        permission: str | None = getattr(view, name, None)
        if not permission:
            return False
        return policy.can(request.user, permission)
