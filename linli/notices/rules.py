"""Pure rules of notices: quiet hours, back-off, SMS segments, masking, parameters.

Plain functions over plain data (no Django), tested directly. Times are local wall-clock
times of the street (Asia/Shanghai, which has no daylight saving); callers convert.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import re
from collections.abc import Iterable, Mapping
from datetime import datetime, time, timedelta

from linli.core.identity import mask_phone

__all__ = [
    "QUIET_END",
    "QUIET_START",
    "backoff_delay",
    "check_params",
    "in_quiet_hours",
    "mask_email",
    "mask_phone",
    "next_allowed_time",
    "normalize_email",
    "normalize_phone",
    "placeholders",
    "safe_link",
    "scrub",
    "sms_segments",
    "sms_signature",
]

# The usual quiet window for SMS to residents (see docs/notices.md).
QUIET_START = time(21, 0)
QUIET_END = time(8, 0)

# One SMS holds 70 characters, signature included; longer texts go out in parts of 67.
SMS_SINGLE = 70
SMS_PART = 67


def in_quiet_hours(local: datetime, start: time = QUIET_START, end: time = QUIET_END) -> bool:
    """True when ``local`` falls in the window [start, end), which may span midnight."""
    now = local.time().replace(tzinfo=None)
    if start == end:
        return False
    if start < end:
        return start <= now < end
    return now >= start or now < end


def next_allowed_time(
    local: datetime, start: time = QUIET_START, end: time = QUIET_END
) -> datetime:
    """``local`` itself when sending is allowed, else the end of the quiet window (next 08:00)."""
    if not in_quiet_hours(local, start, end):
        return local
    morning = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if morning <= local:
        morning += timedelta(days=1)
    return morning


def backoff_delay(attempt: int, base_seconds: float = 60, cap_seconds: float = 3600) -> timedelta:
    """Wait before the next try after failed try number ``attempt`` (1, 2, …): base·2^(n-1)."""
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    seconds = min(cap_seconds, base_seconds * 2 ** min(attempt - 1, 30))
    return timedelta(seconds=seconds)


def sms_segments(text: str, signature: str = "") -> int:
    """How many SMS parts a text takes with its signature 【…】 (billed per part)."""
    length = len(text) + (len(signature) + 2 if signature else 0)
    if length == 0:
        return 0
    if length <= SMS_SINGLE:
        return 1
    return math.ceil(length / SMS_PART)


_PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


def normalize_phone(raw: str) -> str | None:
    """An 11-digit mainland mobile number, or None. Spaces, dashes and +86/0086 are dropped."""
    digits = re.sub(r"[\s\-()]", "", raw or "")
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits if _PHONE_RE.match(digits) else None


_EMAIL_RE = re.compile(r"^[^@\s<>\"',;]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")


def normalize_email(raw: str) -> str | None:
    """A trimmed address with a lower-case domain, or None when it is not an address."""
    address = (raw or "").strip()
    if not _EMAIL_RE.match(address):
        return None
    local, domain = address.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def mask_email(address: str) -> str:
    """z***@example.com: the first character of the local part and the domain."""
    if "@" not in address:
        return "*" * len(address)
    local, domain = address.rsplit("@", 1)
    return f"{local[:1]}***@{domain}"


# A run of 11 digits starting with 1 (possibly +86-prefixed) anywhere in a text, and addresses.
_PHONE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?(1[3-9]\d{9})(?!\d)")
_EMAIL_IN_TEXT = re.compile(r"[^@\s<>\"'(),;:]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def scrub(text: str) -> str:
    """Mask every phone number and e-mail address in a text meant for a log or an error field."""
    text = _PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group(1)), text)
    return _EMAIL_IN_TEXT.sub(lambda m: mask_email(m.group(0)), text)


_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def placeholders(text: str) -> tuple[str, ...]:
    """The named placeholders ``%(name)s`` of a text, in order of first use."""
    return tuple(dict.fromkeys(_PLACEHOLDER.findall(text)))


def check_params(
    required: Iterable[str], params: Mapping[str, object], optional: Iterable[str] = ()
) -> list[str]:
    """Problems with a notice's parameters, each naming the parameter; empty when fine."""
    required = tuple(required)
    allowed = set(required) | set(optional)
    problems = [f"missing parameter {name!r}" for name in required if name not in params]
    for name, value in params.items():
        if name not in allowed:
            problems.append(f"unknown parameter {name!r}")
        elif not isinstance(value, str):
            problems.append(f"parameter {name!r} must be text, not {type(value).__name__}")
        elif name in required and not value.strip():
            problems.append(f"parameter {name!r} is empty")
    return problems


def safe_link(url: str) -> bool:
    """A link a notice may carry: a path on this site ("/…"), never another host or a script."""
    return (
        url.startswith("/")
        and not url.startswith("//")
        and "\\" not in url
        and not any(c.isspace() for c in url)
    )


def sms_signature(
    secret: str, method: str, path: str, timestamp: str, nonce: str, body: bytes
) -> str:
    """HMAC-SHA256 over the request line, time, nonce and body hash, base64 (gateway auth)."""
    canonical = "\n".join(
        (method.upper(), path, timestamp, nonce, hashlib.sha256(body).hexdigest())
    )
    digest = hmac.new(secret.encode(), canonical.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()
