"""Account security services: the second factor (TOTP, recovery codes, SMS codes), password
changes and resets, signed-in sessions. Each write is audited (``linli.core.audit``); the
decisions are ``accountrules``'."""

from __future__ import annotations

import base64
import io
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import user_logged_in, user_logged_out
from django.contrib.sessions.backends.base import SessionBase
from django.core.cache import cache
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone
from django.utils.module_loading import import_string
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import accountrules, audit, crypto
from .context import Actor, client_address
from .identity import mask_phone
from .models import SecurityPolicy, SmsDevice, User, UserSession

POLICY_CACHE_KEY = "linli:security-policy:two-factor-roles"
PHONE_PURPOSE = "user.phone"
TOTP_NAME = "totp"
RECOVERY_NAME = "recovery"
SMS_NAME = "sms"
SEEN_KEY = "linli_seen"  # session: time of the last request (epoch seconds)
TRACKED_KEY = "linli_tracked"  # session: when the session's row was last touched


# --- who needs two factors ------------------------------------------------------------------


# The stored policy as this process last read it: (read at, roles). Read at most every 10 s
# (the shared cache, then the database), so a change reaches every worker within a minute.
_memo: tuple[float, list[str]] = (0.0, [])


def street_two_factor_roles() -> frozenset[str]:
    """The roles the street switched on: the setting plus the stored policy (cached 60 s,
    cleared when the policy is saved)."""
    global _memo
    read_at, stored = _memo
    if time.monotonic() - read_at > 10:
        cached = cache.get(POLICY_CACHE_KEY)
        if cached is None:
            row = SecurityPolicy.objects.first()
            cached = list(row.two_factor_roles) if row is not None else []
            cache.set(POLICY_CACHE_KEY, cached, 60)
        stored = list(cached)
        _memo = (time.monotonic(), stored)
    return frozenset([*getattr(settings, "LINLI_TWO_FACTOR_ROLES", []), *stored])


def forget_policy() -> None:
    global _memo
    _memo = (0.0, [])
    cache.delete(POLICY_CACHE_KEY)


def needs_two_factor(user: Any) -> bool:
    """The account's role needs a second factor (``accountrules.requires_two_factor``)."""
    if user is None or not user.is_authenticated:
        return False
    return accountrules.requires_two_factor(
        user.role, street_two_factor_roles(), is_superuser=user.is_superuser
    )


ENROLLED_KEY = "linli_enrolled"  # session: the account had a second factor when it logged in


def session_needs_two_factor(request: HttpRequest) -> bool:
    """This session must be verified: the role needs it, or the account enrolled a second
    factor of its own accord (then it is asked for too)."""
    return needs_two_factor(request.user) or bool(request.session.get(ENROLLED_KEY))


def save_policy(actor: Actor, roles: list[str]) -> SecurityPolicy:
    with transaction.atomic():
        row = SecurityPolicy.objects.first() or SecurityPolicy()
        before = list(row.two_factor_roles or [])
        row.two_factor_roles = sorted(set(roles))
        row.save()
        audit.record(
            actor, "core.security_policy.update", row,
            details={"two_factor_roles": row.two_factor_roles, "before": before},
        )  # fmt: skip
    forget_policy()
    return row


# --- devices --------------------------------------------------------------------------------


def confirmed_devices(user: Any) -> list[Device]:
    devices: list[Device] = []
    devices += TOTPDevice.objects.filter(user=user, confirmed=True)
    devices += SmsDevice.objects.filter(user=user, confirmed=True)
    devices += StaticDevice.objects.filter(user=user, confirmed=True, token_set__isnull=False)
    # A recovery device with several codes left appears once.
    return list({d.persistent_id: d for d in devices}.values())


def has_second_factor(user: Any) -> bool:
    return bool(
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or SmsDevice.objects.filter(user=user, confirmed=True).exists()
    )


def totp_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def sms_device(user: Any) -> SmsDevice | None:
    found: SmsDevice | None = SmsDevice.objects.filter(user=user, confirmed=True).first()
    return found


def recovery_codes_left(user: Any) -> int:
    return int(StaticToken.objects.filter(device__user=user, device__confirmed=True).count())


def pending_totp(user: Any) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled (a new secret if there is none)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=TOTP_NAME).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def base32_secret(device: TOTPDevice) -> str:
    """The secret as an authenticator app takes it when typed in by hand."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def qr_svg(text: str) -> str:
    """An SVG QR code, drawn on the server (no script, nothing fetched)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode()
    return svg[svg.index("<svg") :]


def _mark_verified(request: HttpRequest, device: Device) -> None:
    otp_login(request, device)


def confirm_totp(request: HttpRequest, device: TOTPDevice, token: str) -> bool:
    """Confirm a new authenticator with its first code: it replaces any earlier one, and
    the session counts as verified."""
    user = request.user
    actor = Actor.from_request(request)
    if not device.verify_token(_digits(token)):
        audit.record(actor, "core.two_factor.enrol", device, outcome="failed",
                     details={"method": "totp"})  # fmt: skip
        return False
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit.record(actor, "core.two_factor.enrol", device, details={"method": "totp"})
    _mark_verified(request, device)
    return True


def new_recovery_codes(actor: Actor, user: Any) -> list[str]:
    """Replace the account's recovery codes with new ones (each works once); shown once."""
    count = int(getattr(settings, "LINLI_TWO_FACTOR_RECOVERY_CODES", 10))
    codes = [_recovery_code() for _ in range(count)]
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
        audit.record(actor, "core.two_factor.recovery_codes", device, details={"count": count})
    return codes


def _recovery_code() -> str:
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
    raw = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def _digits(token: str) -> str:
    return "".join(str(token or "").split())


class SmsNotSent(Exception):
    """The phone is not a mobile number, or the device may not send yet (throttled)."""


def start_sms_enrolment(request: HttpRequest, phone: str) -> SmsDevice:
    """An unconfirmed SMS device for ``phone`` with a code on its way."""
    normalized = accountrules.mobile_number(phone)
    if normalized is None:
        raise SmsNotSent("phone")
    user = request.user
    with transaction.atomic():
        SmsDevice.objects.filter(user=user, confirmed=False).delete()
        device: SmsDevice = SmsDevice.objects.create(
            user=user, name=SMS_NAME, confirmed=False,
            phone_cipher=crypto.encrypt(normalized, PHONE_PURPOSE),
            phone_masked=mask_phone(normalized),
        )  # fmt: skip
    send_sms_code(request, device)
    return device


def send_sms_code(request: HttpRequest, device: SmsDevice) -> None:
    """Generate a code and send it through the notice channel (``LINLI_TWO_FACTOR_SMS_SENDER``).
    One code a minute at most per device."""
    if device.valid_until and (
        device.token
        and (device.valid_until - timezone.now()).total_seconds() > _sms_valid_seconds() - 60
    ):
        raise SmsNotSent("wait")
    valid = _sms_valid_seconds()
    with transaction.atomic():
        device.generate_token(length=6, valid_secs=valid)
        phone = crypto.decrypt(device.phone_cipher, PHONE_PURPOSE)
        sender = import_string(settings.LINLI_TWO_FACTOR_SMS_SENDER)
        sender(
            phone=phone, code=device.token, minutes=max(valid // 60, 1),
            key=f"login-code:{device.pk}:{int(time.time())}",
        )  # fmt: skip
        audit.record(
            Actor.from_request(request), "core.two_factor.sms_sent", device,
            details={"phone": device.phone_masked},
        )  # fmt: skip


def _sms_valid_seconds() -> int:
    return int(getattr(settings, "LINLI_TWO_FACTOR_SMS_VALID_SECONDS", 300))


def confirm_sms(request: HttpRequest, device: SmsDevice, token: str) -> bool:
    actor = Actor.from_request(request)
    if not device.verify_token(_digits(token)):
        audit.record(actor, "core.two_factor.enrol", device, outcome="failed",
                     details={"method": "sms"})  # fmt: skip
        return False
    with transaction.atomic():
        SmsDevice.objects.filter(user=request.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit.record(actor, "core.two_factor.enrol", device,
                     details={"method": "sms", "phone": device.phone_masked})  # fmt: skip
    _mark_verified(request, device)
    return True


@dataclass(frozen=True)
class Verification:
    ok: bool
    method: str = ""
    throttled: bool = False


def verify(request: HttpRequest, method: str, token: str) -> Verification:
    """Check a code of the signed-in account by ``method`` (``totp``, ``sms``, ``recovery``);
    on success the session is verified. Each attempt is audited."""
    user = request.user
    device: Any
    if method == "totp":
        device = totp_device(user)
    elif method == "sms":
        device = sms_device(user)
    elif method == "recovery":
        device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    else:
        return Verification(False)
    actor = Actor.from_request(request)
    if device is None:
        return Verification(False, method)
    code = _digits(token) if method != "recovery" else str(token or "").strip().lower()
    with transaction.atomic():
        device = type(device).objects.select_for_update().get(pk=device.pk)
        allowed, _info = device.verify_is_allowed()
        if not allowed:
            audit.record(actor, "core.two_factor.verify", device, outcome="denied",
                         details={"method": method, "reason": "throttled"})  # fmt: skip
            return Verification(False, method, throttled=True)
        ok = bool(device.verify_token(code))
        details: dict[str, Any] = {"method": method}
        if ok and method == "recovery":
            details["recovery_codes_left"] = device.token_set.count()
        audit.record(
            actor, "core.two_factor.verify", device,
            outcome="ok" if ok else "failed", details=details,
        )  # fmt: skip
    if ok:
        _mark_verified(request, device)
    return Verification(ok, method)


def reset_two_factor(actor: Actor, user: Any) -> int:
    """Remove every second factor of ``user`` (lost phone): they enrol again at next log-in.
    Their signed-in sessions end."""
    with transaction.atomic():
        removed = 0
        for model in (TOTPDevice, SmsDevice, StaticDevice):
            removed += model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
        audit.record(actor, "core.two_factor.reset", user, details={"devices": removed})
    end_sessions(user)
    return removed


# --- passwords ------------------------------------------------------------------------------


def password_change_reason(user: Any, now: datetime | None = None) -> str | None:
    return accountrules.change_required(
        user.password_change_reason,
        user.password_changed_at,
        now or timezone.now(),
        int(getattr(settings, "LINLI_PASSWORD_MAX_AGE_DAYS", 90)),
    )


def password_expires_in(user: Any, now: datetime | None = None) -> int | None:
    return accountrules.days_until_expiry(
        user.password_changed_at,
        now or timezone.now(),
        int(getattr(settings, "LINLI_PASSWORD_MAX_AGE_DAYS", 90)),
        int(getattr(settings, "LINLI_PASSWORD_WARN_DAYS", 14)),
    )


def password_changed_by_user(request: HttpRequest, user: Any, reason: str | None) -> None:
    """After the account changed its own password (validated and saved by the form)."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(password_change_reason="")
        user.password_change_reason = ""
        audit.record(Actor.from_request(request), "core.password.change", user,
                     details={"reason": reason or "own choice"})  # fmt: skip
    # Other sessions of the account end; this one stays (update_session_auth_hash).
    end_sessions(user, keep=request.session.session_key)


def password_set_by_admin(actor: Actor, user: Any, *, created: bool) -> None:
    """An administrator created the account or reset its password: it must be changed at the
    next log-in (unless the administrator set their own)."""
    if actor.user is not None and actor.user.pk == user.pk:
        return
    reason = accountrules.CHANGE_FIRST_LOGIN if created else accountrules.CHANGE_RESET
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(password_change_reason=reason)
        user.password_change_reason = reason
        audit.record(actor, "core.password.reset" if not created else "core.password.initial",
                     user, details={"must_change": True})  # fmt: skip
    if not created:
        end_sessions(user)


# --- sessions -------------------------------------------------------------------------------


def _session_store(key: str) -> SessionBase:
    from importlib import import_module

    engine = import_module(settings.SESSION_ENGINE)
    store: SessionBase = engine.SessionStore(session_key=key)
    return store


def end_sessions(user: Any, keep: str | None = None) -> int:
    """End every signed-in session of ``user`` except ``keep``."""
    rows = UserSession.objects.filter(user=user)
    if keep:
        rows = rows.exclude(session_key=keep)
    keys = list(rows.values_list("session_key", flat=True))
    for key in keys:
        _session_store(key).delete(key)
    rows.delete()
    return len(keys)


def revoke_session(actor: Actor, user: Any, row_id: int) -> UserSession | None:
    row = UserSession.objects.filter(user=user, pk=row_id).first()
    if row is None:
        return None
    with transaction.atomic():
        _session_store(row.session_key).delete(row.session_key)
        row.delete()
        audit.record(actor, "core.session.revoke", user,
                     details={"session": row_id, "address": row.address})  # fmt: skip
    return row


def track(request: HttpRequest, *, force: bool = False) -> None:
    """Keep the session's row (address, browser, last seen); at most once a minute."""
    key = request.session.session_key
    user = request.user
    if not key or not user.is_authenticated:
        return
    now = time.time()
    last = request.session.get(TRACKED_KEY)
    if not force and isinstance(last, int | float) and now - last < 60:
        return
    stamp = timezone.now()
    UserSession.objects.update_or_create(
        session_key=key,
        defaults={
            "user": user,
            "last_seen_at": stamp,
            "address": client_address(request)[:64],
            "user_agent": request.headers.get("User-Agent", "")[:200],
        },
        create_defaults={
            "user": user, "created_at": stamp, "last_seen_at": stamp,
            "address": client_address(request)[:64],
            "user_agent": request.headers.get("User-Agent", "")[:200],
        },
    )  # fmt: skip
    request.session[TRACKED_KEY] = now


@receiver(user_logged_in, dispatch_uid="linli-session-start")
def _on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    if request.session.session_key is None:
        request.session.save()
    request.session[SEEN_KEY] = time.time()
    request.session[ENROLLED_KEY] = has_second_factor(user)
    request.user = user
    track(request, force=True)


@receiver(user_logged_out, dispatch_uid="linli-session-end")
def _on_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session") and request.session.session_key:
        UserSession.objects.filter(session_key=request.session.session_key).delete()


def is_verified(request: HttpRequest) -> bool:
    checker = getattr(request.user, "is_verified", None)
    return bool(checker()) if checker is not None else False


def verified_device_id(request: HttpRequest) -> str | None:
    value = request.session.get(DEVICE_ID_SESSION_KEY)
    return str(value) if value else None


# --- the demo street ------------------------------------------------------------------------

# The demo administrators' authenticator secret: PUBLISHED in README.md for people trying the
# demo, like the demo password. Never for a real account: ``linli demo`` is the only caller.
DEMO_TOTP_SECRET = "LINLIDEMOADMINTOTPSECRETDEMOONLY"  # noqa: S105 (published demo value)
DEMO_PHONE = "13800138000"


def enrol_demo(user: Any) -> None:
    """Give a demo account that needs a second factor the published authenticator secret and
    a demo phone (its codes land in the demo's SMS outbox file), replacing earlier ones."""
    TOTPDevice.objects.filter(user=user).delete()
    SmsDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    key = base64.b32decode(DEMO_TOTP_SECRET).hex()
    TOTPDevice.objects.create(user=user, name=TOTP_NAME, key=key, confirmed=True)
    SmsDevice.objects.create(
        user=user, name=SMS_NAME, confirmed=True,
        phone_cipher=crypto.encrypt(DEMO_PHONE, PHONE_PURPOSE), phone_masked=mask_phone(DEMO_PHONE),
    )  # fmt: skip
