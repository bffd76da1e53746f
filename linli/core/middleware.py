"""Security headers, the client's address behind the proxy, display preferences."""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# Everything is served by Linli itself, so the policy can be strict: no third-party origins.
CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; font-src 'self'; media-src 'self' blob:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/api/docs") and not request.path.startswith("/admin"):
            response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Permissions-Policy", "camera=(self), geolocation=(self)")
        return response


class ForwardedForMiddleware:
    """Behind the reverse proxy, ``REMOTE_ADDR`` is the client's address, not the proxy's.

    The audit log, the login throttle and the lift ballots record ``REMOTE_ADDR``. nginx
    appends the address it saw to ``X-Forwarded-For``; the header is believed only when the
    request comes from a proxy listed in ``LINLI_TRUSTED_PROXIES``, and then only up to the
    first address no trusted proxy vouches for (anyone can put anything in front).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.trusted = [
            ipaddress.ip_network(p, strict=False)
            for p in getattr(settings, "LINLI_TRUSTED_PROXIES", [])
        ]

    def _is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in self.trusted)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        peer = request.META.get("REMOTE_ADDR", "")
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded and self._is_trusted(peer):
            hops = [h.strip() for h in forwarded.split(",") if h.strip()]
            while hops and self._is_trusted(hops[-1]):
                hops.pop()
            if hops:
                with contextlib.suppress(ValueError):  # a malformed hop: the proxy's address
                    request.META["REMOTE_ADDR"] = str(ipaddress.ip_address(hops[-1]))
        return self.get_response(request)


class ChineseByDefaultMiddleware:
    """Chinese unless the user chose English: the browser's Accept-Language is not consulted.

    Clerks' machines often run English-language browsers; the interface language is
    Chinese, and the switch in the header (a cookie) is the only way to change it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class DisplayPreferencesMiddleware:
    """Reads the large-type choice from a cookie so every page, public ones too, honours it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.large_type = request.COOKIES.get("linli_large") == "1"  # type: ignore[attr-defined]
        return self.get_response(request)
