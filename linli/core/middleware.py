"""Security headers and display preferences (large type, high contrast)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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


class AccountSecurityMiddleware:
    """For a signed-in account, in this order (docs/security.md):

    1. the idle timeout: no request for ``LINLI_IDLE_TIMEOUT_MINUTES`` ends the session;
    2. the second factor: an account that needs one (``accountrules.requires_two_factor``)
       reaches nothing but enrolment and verification until this session is verified;
    3. a password that must change (first log-in, an administrator's reset, expiry) allows
       nothing but the change.

    The session's row ("my sessions") is kept up to date on the way."""

    # Reachable whatever is pending: leaving, the language and type size, static files.
    ALWAYS = ("/logout/", "/i18n/", "/display/", "/static/", "/account/idle/")
    TWO_FACTOR = ("/account/two-factor/",)
    PASSWORD = ("/account/password/",)

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not hasattr(request, "session"):
            return self.get_response(request)
        answer = self._check(request)
        if answer is not None:
            return answer
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> HttpResponse | None:
        import time

        from django.conf import settings
        from django.contrib import messages
        from django.contrib.auth import logout
        from django.shortcuts import redirect
        from django.urls import reverse
        from django.utils.http import urlencode
        from django.utils.translation import gettext as _

        from . import accountrules, accounts, audit
        from .context import Actor

        path = request.path_info
        now = time.time()
        timeout = int(getattr(settings, "LINLI_IDLE_TIMEOUT_MINUTES", 30)) * 60
        seen = request.session.get(accounts.SEEN_KEY)
        seen = seen if isinstance(seen, int | float) else None
        if accountrules.idle_expired(seen, now, timeout):
            user: Any = request.user
            audit.record(
                Actor.from_request(request), "core.session.idle_timeout", user,
                details={"idle_minutes": round((now - (seen or now)) / 60)},
            )  # fmt: skip
            logout(request)
            messages.info(request, _("您已 %(n)d 分钟未操作，已自动退出，请重新登录。")
                          % {"n": timeout // 60})  # fmt: skip
            if path.startswith(("/api/", "/account/idle/")):
                from django.http import JsonResponse

                return JsonResponse({"code": "session_idle", "detail": "signed out"}, status=401)
            return redirect(f"{reverse('login')}?{urlencode({'next': path})}")
        # Touch the session on activity (at most every 15 s: one write, not one per request);
        # the idle page's status check is not activity.
        is_status = path.startswith("/account/idle/") and request.method == "GET"
        if not is_status and (seen is None or now - seen >= 15):
            request.session[accounts.SEEN_KEY] = now
        accounts.track(request)

        if path.startswith(self.ALWAYS):
            return None
        if accounts.session_needs_two_factor(request) and not accounts.is_verified(request):
            if path.startswith(self.TWO_FACTOR):
                request.account_pending = True  # type: ignore[attr-defined]
                return None
            if path.startswith("/api/"):
                from django.http import JsonResponse

                return JsonResponse(
                    {"code": "two_factor_required", "detail": "verify the second factor"},
                    status=403,
                )
            return redirect(f"/account/two-factor/?{urlencode({'next': path})}")
        reason = accounts.password_change_reason(request.user)
        if reason is not None:
            if path.startswith((*self.PASSWORD, *self.TWO_FACTOR)):
                request.account_pending = True  # type: ignore[attr-defined]
                return None
            if path.startswith("/api/"):
                from django.http import JsonResponse

                return JsonResponse(
                    {"code": "password_change_required", "detail": reason}, status=403
                )
            return redirect(f"/account/password/?{urlencode({'next': path})}")
        if not request.session.get("linli_pw_warned"):
            days = accounts.password_expires_in(request.user)
            if days is not None:
                request.session["linli_pw_warned"] = True
                messages.warning(
                    request,
                    _("您的密码将在 %(n)d 天后过期，请及时修改。") % {"n": days}
                    if days
                    else _("您的密码今天过期，请及时修改。"),
                )
        return None


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
