"""Security headers and display preferences (large type, high contrast)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _

# Everything is served by Linli itself, so the policy can be strict: no third-party origins.
CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; font-src 'self'; media-src 'self' blob:; connect-src 'self'; "
    "worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
    "object-src 'none'"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Every page, the Django admin and the API docs included (both need no inline script).
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Permissions-Policy", "camera=(self), geolocation=(self)")
        return response


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


class BadNumberMiddleware:
    """A number too large for the database in a filter or a path (``?committee=1e30`` as digits)
    answers 400 naming the problem, not 500: SQLite raises OverflowError, PostgreSQL a DataError
    (numeric value out of range). The request's transaction, if any, is already rolled back."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        from django.db import DataError
        from django.http import JsonResponse

        if not isinstance(exc, OverflowError | DataError):
            return None
        message = _("数字超出范围。")
        if request.path.startswith("/api/"):
            return JsonResponse({"code": "out_of_range", "message": str(message)}, status=400)
        return HttpResponseBadRequest(message)
