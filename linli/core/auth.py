"""Authentication backends: django-axes login throttling in front of Django's model backend."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class ThrottledBackend(AxesStandaloneBackend):  # type: ignore[misc]
    """django-axes' check, for log-ins that come with a request (the login page, the admin's
    login, the API). A call without a request (a management command, a test's
    ``Client.login``) has no address to count and is left to the model backend."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None,
        password: str | None = None, **kwargs: Any,
    ) -> None:  # fmt: skip
        if request is None:
            return None
        super().authenticate(request, username, password, **kwargs)
        return None
