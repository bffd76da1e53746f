"""``next=`` only to this site: every redirect taken from user input goes through here."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, target: str | None, fallback: str = "/") -> str:
    """``target`` when it is a URL of this site (a path, or this host with a safe scheme);
    else ``fallback``. Refuses other hosts, scheme-relative ``//host``, ``javascript:`` and
    backslash tricks (Django's check)."""
    target = (target or "").strip()
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback
