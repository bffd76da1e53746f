"""Pure rules of accounts: who needs a second factor, password strength, expiry and reuse,
idle sessions (MLPS 2.0 level 3, identity authentication; docs/security.md).

Plain functions over plain data (no Django), tested directly; ``linli.core.accounts`` and the
middleware apply them with the settings ``LINLI_PASSWORD_*``, ``LINLI_IDLE_*`` and
``LINLI_TWO_FACTOR_ROLES``.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from datetime import datetime, timedelta

from .roles import Role

# Administrator roles: always two factors, whatever the street switches on. A new
# administrator role joins with one line here.
ADMINISTRATOR_ROLES: frozenset[str] = frozenset(
    {
        Role.STREET_ADMIN.value,
        # 三员分立: the system, security and audit administrators.
        Role.SYSTEM_ADMIN.value,
        Role.SECURITY_ADMIN.value,
        Role.AUDITOR.value,
    }
)


def requires_two_factor(
    role: str | None, street_roles: Iterable[str] = (), *, is_superuser: bool = False
) -> bool:
    """True when an account of ``role`` must log in with a second factor: every
    administrator role, a superuser (the Django admin), and any role the street switched on
    (``street_roles``: the setting ``LINLI_TWO_FACTOR_ROLES`` and the stored policy)."""
    if is_superuser:
        return True
    if not role:
        return False
    return role in ADMINISTRATOR_ROLES or role in set(street_roles)


# --- passwords ------------------------------------------------------------------------------

MIN_LENGTH = 8
MIN_CLASSES = 3
HISTORY_DEPTH = 5


def _class_of(c: str) -> str:
    if c in string.ascii_lowercase:
        return "lower"
    if c in string.ascii_uppercase:
        return "upper"
    if c in string.digits:
        return "digit"
    return "symbol"  # anything else: punctuation, spaces, Chinese characters


def character_classes(password: str) -> frozenset[str]:
    """Which of the four classes (lower case, upper case, digits, symbols) ``password`` uses."""
    return frozenset(_class_of(c) for c in password)


def complexity_problems(
    password: str,
    username: str = "",
    *,
    min_length: int = MIN_LENGTH,
    min_classes: int = MIN_CLASSES,
) -> list[str]:
    """What is wrong with ``password`` as codes: ``too_short``, ``too_few_classes``,
    ``is_username`` (the user name itself, reversed, or contained in it). Empty when good."""
    problems = []
    if len(password) < min_length:
        problems.append("too_short")
    if len(character_classes(password)) < min_classes:
        problems.append("too_few_classes")
    name = username.strip().lower()
    if name and len(name) >= 3:
        lowered = password.lower()
        if name in lowered or name[::-1] in lowered:
            problems.append("is_username")
    return problems


def password_expired(changed_at: datetime | None, now: datetime, max_age_days: int) -> bool:
    """True when the password was set ``max_age_days`` or more ago. ``max_age_days`` 0 switches
    expiry off; an unknown date (an unusable password, an account from before the rule) never
    expires by itself."""
    if max_age_days <= 0 or changed_at is None:
        return False
    return now >= changed_at + timedelta(days=max_age_days)


def days_until_expiry(
    changed_at: datetime | None, now: datetime, max_age_days: int, warn_days: int
) -> int | None:
    """Days left (0 = expires today) when the warning window is reached, else None."""
    if max_age_days <= 0 or changed_at is None or warn_days <= 0:
        return None
    left = changed_at + timedelta(days=max_age_days) - now
    if left <= timedelta(0):
        return None  # expired: the forced change, not a warning
    days = left // timedelta(days=1)
    return days if days < warn_days else None


CHANGE_FIRST_LOGIN = "first_login"
CHANGE_RESET = "reset"
CHANGE_EXPIRED = "expired"


def change_required(
    flag: str, changed_at: datetime | None, now: datetime, max_age_days: int
) -> str | None:
    """Why the account must change its password before anything else, or None.

    ``flag`` is what the account record says: ``first_login`` (created by an administrator),
    ``reset`` (reset by an administrator) or empty."""
    if flag in (CHANGE_FIRST_LOGIN, CHANGE_RESET):
        return flag
    if password_expired(changed_at, now, max_age_days):
        return CHANGE_EXPIRED
    return None


# --- sessions -------------------------------------------------------------------------------


def idle_expired(last_seen: float | None, now: float, timeout_seconds: int) -> bool:
    """True when more than ``timeout_seconds`` passed since the last request (0 = never)."""
    if timeout_seconds <= 0 or last_seen is None:
        return False
    return now - last_seen > timeout_seconds


def warning_at(timeout_seconds: int, warning_seconds: int) -> int:
    """Seconds of inactivity after which the page warns (never before a quarter of the
    timeout has passed, so a short timeout still leaves time to work)."""
    if timeout_seconds <= 0:
        return 0
    return max(timeout_seconds - warning_seconds, timeout_seconds // 4)


def mobile_number(raw: str) -> str | None:
    """An 11-digit mainland mobile number for SMS codes (spaces, dashes, +86 dropped)."""
    digits = "".join(c for c in (raw or "") if c not in " -()")
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    if len(digits) == 11 and digits.isascii() and digits.isdigit() and digits[0] == "1":
        return digits if digits[1] in "3456789" else None
    return None
