"""The account's own security pages: the second factor (verify, enrol, recovery codes), the
password change, "my sessions", and the idle-timeout status the page's script asks for.

Thin shells over ``linli.core.accounts``. Wrong codes count with wrong passwords in
django-axes (one counter per user name and address), so the second factor is throttled like
the password: the 10th failure locks for 15 minutes and ends the half-signed-in session."""

from __future__ import annotations

import time
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import accountrules, accounts
from .context import Actor
from .models import SmsDevice, UserSession
from .redirects import safe_next
from .views import locked_out

PENDING_SMS_KEY = "linli_sms_enrol"


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("验证码"), max_length=20, strip=True)


class PhoneForm(forms.Form):
    phone = forms.CharField(label=gettext_lazy("手机号"), max_length=20, strip=True)

    def clean_phone(self) -> str:
        phone = accountrules.mobile_number(self.cleaned_data["phone"])
        if phone is None:
            raise forms.ValidationError(_("请输入 11 位手机号。"))
        return phone


def _next(request: HttpRequest) -> str:
    return safe_next(request, request.POST.get("next") or request.GET.get("next"), "/")


def _to(path: str, target: str, **extra: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{path}?{urlencode({**extra, 'next': target})}")


def _credentials(request: HttpRequest) -> dict[str, str]:
    return {"username": request.user.get_username()}


def _locked(request: HttpRequest) -> bool:
    return bool(AxesProxyHandler.is_locked(request, _credentials(request)))


def _count_failure(request: HttpRequest) -> None:
    """A wrong code counts like a wrong password (django-axes' counters)."""
    from django.contrib.auth.signals import user_login_failed

    user_login_failed.send(sender=__name__, credentials=_credentials(request), request=request)


def _lockout(request: HttpRequest) -> HttpResponse:
    logout(request)
    return locked_out(request)


def two_factor(request: HttpRequest) -> HttpResponse:
    """Verify this session with a code from the authenticator, an SMS or a recovery code."""
    user = request.user
    target = _next(request)
    if not accounts.has_second_factor(user):
        return _to("/account/two-factor/setup/", target)
    if accounts.is_verified(request):
        return HttpResponseRedirect(target)
    totp = accounts.totp_device(user)
    sms = accounts.sms_device(user)
    method = request.POST.get("method") or ("totp" if totp else "sms")
    form = CodeForm(request.POST if request.method == "POST" and "code" in request.POST else None)
    error = ""
    if request.method == "POST":
        if _locked(request):
            return _lockout(request)
        if request.POST.get("send") and sms is not None:
            try:
                accounts.send_sms_code(request, sms)
                messages.info(
                    request, _("验证码已发送到 %(phone)s。") % {"phone": sms.phone_masked}
                )
            except accounts.SmsNotSent:
                messages.warning(request, _("验证码已发送，请一分钟后再试。"))
            return _to("/account/two-factor/", target, method="sms")
        if form.is_valid():
            result = accounts.verify(request, method, form.cleaned_data["code"])
            if result.ok:
                if method == "recovery":
                    left = accounts.recovery_codes_left(user)
                    messages.warning(request, _("已使用一个恢复码，还剩 %(n)d 个。") % {"n": left})
                return HttpResponseRedirect(target)
            _count_failure(request)
            if getattr(request, "axes_locked_out", False) or _locked(request):
                return _lockout(request)
            error = (
                _("尝试过于频繁，请稍后再试。") if result.throttled else _("验证码不正确或已过期。")
            )
    else:
        method = request.GET.get("method") or method
    context = {
        "form": form, "method": method, "totp": totp, "sms": sms, "error": error,
        "recovery_left": accounts.recovery_codes_left(user), "next": target,
    }  # fmt: skip
    return render(request, "core/account/two_factor.html", context, status=400 if error else 200)


def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app (QR code drawn on the server) or a phone for SMS codes.

    An account that already has a second factor must verify this session first: a stolen
    password alone cannot replace the factor."""
    user: Any = request.user
    target = _next(request)
    if accounts.has_second_factor(user) and not accounts.is_verified(request):
        return _to("/account/two-factor/", target)
    device = accounts.pending_totp(user)
    code_form = CodeForm()
    phone_form = PhoneForm()
    sms_code_form = CodeForm()
    error = ""
    kind = request.POST.get("kind", "")
    if request.method == "POST":
        if _locked(request):
            return _lockout(request)
        if kind == "totp":
            code_form = CodeForm(request.POST)
            if code_form.is_valid():
                if accounts.confirm_totp(request, device, code_form.cleaned_data["code"]):
                    return _after_enrolment(request, target)
                _count_failure(request)
                error = _("验证码不正确，请核对手机时间后重试。")
        elif kind == "phone":
            phone_form = PhoneForm(request.POST)
            if phone_form.is_valid():
                sms = accounts.start_sms_enrolment(request, phone_form.cleaned_data["phone"])
                request.session[PENDING_SMS_KEY] = sms.pk
                messages.info(
                    request, _("验证码已发送到 %(phone)s。") % {"phone": sms.phone_masked}
                )
                return _to("/account/two-factor/setup/", target, kind="sms")
        elif kind == "sms":
            sms_code_form = CodeForm(request.POST)
            pending = SmsDevice.objects.filter(
                user=user, confirmed=False, pk=request.session.get(PENDING_SMS_KEY)
            ).first()
            if pending is not None and sms_code_form.is_valid():
                if accounts.confirm_sms(request, pending, sms_code_form.cleaned_data["code"]):
                    request.session.pop(PENDING_SMS_KEY, None)
                    return _after_enrolment(request, target)
                _count_failure(request)
                error = _("验证码不正确或已过期。")
        if error and (getattr(request, "axes_locked_out", False) or _locked(request)):
            return _lockout(request)
    pending_sms = SmsDevice.objects.filter(
        user=user, confirmed=False, pk=request.session.get(PENDING_SMS_KEY)
    ).first()
    context = {
        "device": device,
        "qr": accounts.qr_svg(device.config_url),
        "secret": accounts.base32_secret(device),
        "code_form": code_form, "phone_form": phone_form, "sms_code_form": sms_code_form,
        "pending_sms": pending_sms, "error": error, "kind": kind, "next": target,
        "enrolled": accounts.has_second_factor(user),
    }  # fmt: skip
    return render(
        request, "core/account/two_factor_setup.html", context, status=400 if error else 200
    )


def _after_enrolment(request: HttpRequest, target: str) -> HttpResponse:
    """A first second factor comes with recovery codes, shown once."""
    if accounts.recovery_codes_left(request.user) == 0:
        codes = accounts.new_recovery_codes(Actor.from_request(request), request.user)
        return render(request, "core/account/recovery_codes.html", {"codes": codes, "next": target})
    messages.success(request, _("双因素验证已启用。"))
    return HttpResponseRedirect(target)


@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes (the old ones stop working); only from a verified session."""
    if not accounts.is_verified(request):
        return _to("/account/two-factor/", "/account/")
    codes = accounts.new_recovery_codes(Actor.from_request(request), request.user)
    return render(
        request, "core/account/recovery_codes.html", {"codes": codes, "next": "/account/"}
    )


def overview(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "needs_two_factor": accounts.needs_two_factor(user),
        "verified": accounts.is_verified(request),
        "totp": accounts.totp_device(user),
        "sms": accounts.sms_device(user),
        "recovery_left": accounts.recovery_codes_left(user),
        "expires_in": accounts.password_expires_in(user),
        "max_age": settings.LINLI_PASSWORD_MAX_AGE_DAYS,
    }
    return render(request, "core/account/overview.html", context)


REASONS = {
    accountrules.CHANGE_FIRST_LOGIN: gettext_lazy("这是您首次登录，请设置自己的密码。"),
    accountrules.CHANGE_RESET: gettext_lazy("管理员已重置您的密码，请设置新密码。"),
    accountrules.CHANGE_EXPIRED: gettext_lazy("您的密码已过期，请设置新密码。"),
}


def password_change(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    reason = accounts.password_change_reason(user)
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, form.user)
        accounts.password_changed_by_user(request, form.user, reason)
        request.session.pop("linli_pw_warned", None)
        messages.success(request, _("密码已修改。"))
        return HttpResponseRedirect(_next(request))
    context = {"form": form, "reason": REASONS.get(reason or ""), "next": _next(request)}
    return render(
        request, "core/account/password.html", context, status=400 if form.errors else 200
    )


def sessions(request: HttpRequest) -> HttpResponse:
    accounts.track(request, force=True)
    user: Any = request.user
    rows = UserSession.objects.filter(user=user)
    current = request.session.session_key
    return render(request, "core/account/sessions.html", {"rows": rows, "current": current})


@require_POST
def revoke_session(request: HttpRequest, row_id: int) -> HttpResponse:
    user: Any = request.user
    row = UserSession.objects.filter(user=user, pk=row_id).first()
    if row is None:
        messages.warning(request, _("该会话已结束。"))
        return redirect("account_sessions")
    if row.session_key == request.session.session_key:
        accounts.revoke_session(Actor.from_request(request), request.user, row_id)
        logout(request)
        return redirect("login")
    accounts.revoke_session(Actor.from_request(request), request.user, row_id)
    messages.success(request, _("已结束该会话。"))
    return redirect("account_sessions")


def idle(request: HttpRequest) -> HttpResponse:
    """GET: seconds left before the idle timeout (not activity). POST: stay signed in."""
    seen = request.session.get(accounts.SEEN_KEY)
    timeout = int(settings.LINLI_IDLE_TIMEOUT_MINUTES) * 60
    now = time.time()
    if request.method == "POST":
        request.session[accounts.SEEN_KEY] = now
        seen = now
    left = timeout - (now - seen) if isinstance(seen, int | float) and timeout else None
    body: dict[str, Any] = {"remaining": None if left is None else max(int(left), 0)}
    return JsonResponse(body)
