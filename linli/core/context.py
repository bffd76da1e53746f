"""Who is acting, and from where: passed explicitly to every service function."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .models import User


@dataclass(frozen=True)
class Actor:
    user: User | None
    terminal: str = ""
    name: str = ""

    @property
    def label(self) -> str:
        if self.user is not None:
            return self.user.get_username()
        return self.name or "system"

    @classmethod
    def from_request(cls, request: HttpRequest) -> Actor:
        user: Any = getattr(request, "user", None)
        terminal = request.headers.get("X-Linli-Terminal", "")[:40]
        address = request.META.get("REMOTE_ADDR", "")
        where = f"{terminal}@{address}" if terminal else address
        return cls(user if user is not None and user.is_authenticated else None, where[:100])

    @classmethod
    def system(cls, name: str) -> Actor:
        return cls(None, "cli", name)
