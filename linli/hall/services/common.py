"""What the hall's services share: the keyed ID hash, protected phone numbers, the ticket's
event and audit records."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import audit, crypto, workcalendar
from linli.core.context import Actor
from linli.core.identity import mask_phone
from linli.core.workdays import WorkCalendar
from linli.notices import rules as notice_rules

from ..errors import HallError
from ..models import (
    Appointment,
    Case,
    Ticket,
    TicketEvent,
    Window,
)
from ..queries import ACTIVE_AT_WINDOW, ID_PURPOSE, OPEN_STATES, id_hashes, in_reach

PHONE_PURPOSE = "hall.phone"
FOLLOW_UP_WORKING_DAYS = 3


# --- helpers ---------------------------------------------------------------------------------


def require_reach(user: Any, rows: QuerySet[Any], hall_path: str) -> None:
    """Refuse (PermissionDenied) a change to a row of a hall outside the user's streets,
    whichever entry point asks: ``rows`` is the row by its key, ``hall_path`` leads to its
    hall (``queries.in_reach``)."""
    if not in_reach(rows, user, hall_path).exists():
        raise PermissionDenied("hall")


def id_hash(number: str) -> str:
    """The keyed hash a swiped ID number is kept as (never the number itself)."""
    return crypto.keyed_hash(number, ID_PURPOSE)


def work_calendar() -> WorkCalendar:
    """The street's working-day calendar (``core``: the package's notices and its overrides)."""
    return workcalendar.work_calendar()


def protect_phone(phone: str) -> tuple[str, str]:
    """An optional mobile number a resident gives for notices: (cipher, masked), or ("", "")."""
    if not (phone or "").strip():
        return "", ""
    normalized = notice_rules.normalize_phone(phone)
    if normalized is None:
        raise HallError(_("手机号应为 11 位手机号码。"), code="bad_phone", field="phone")
    return crypto.encrypt(normalized, PHONE_PURPOSE), mask_phone(normalized)


def resident_phone(obj: Case | Appointment) -> str | None:
    """The number a resident gave on a case or a booking (decrypted only to send a notice)."""
    return crypto.decrypt(obj.phone_cipher, PHONE_PURPOSE) if obj.phone_cipher else None


def pinyin_initials(*texts: str) -> str:
    """Space-separated pinyin initials of a name and its aliases: 居住证 → jzz.

    ``pypinyin`` is imported here, not at module level: with its phrase dictionary (needed for
    the right reading of polyphonic characters, 调解 → tj, 银行 → yh) it costs a process about
    45 MB, which web workers that never save a catalogue item should not carry.
    """
    from pypinyin import Style, lazy_pinyin

    out = []
    for text in texts:
        for part in text.replace("，", ",").split(","):
            part = part.strip()
            if part:
                out.append("".join(s[0] for s in lazy_pinyin(part, style=Style.FIRST_LETTER) if s))
    return " ".join(out).lower()


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def _event(
    ticket: Ticket,
    action: str,
    before: str,
    now: datetime,
    actor: Actor,
    window: Window | None = None,
    note: str = "",
) -> None:
    TicketEvent.objects.create(
        ticket=ticket,
        at=now,
        action=action,
        from_state=before,
        to_state=ticket.state,
        window=window,
        actor=actor.user,
        note=note[:200],
    )


def _audit(actor: Actor, action: str, ticket: Ticket, **details: Any) -> None:
    audit.record(
        actor,
        f"hall.ticket.{action}",
        ticket,
        details={"number": ticket.number, "state": ticket.state, **details},
    )


__all__ = [
    "ACTIVE_AT_WINDOW", "FOLLOW_UP_WORKING_DAYS", "ID_PURPOSE", "OPEN_STATES", "PHONE_PURPOSE",
    "id_hash", "id_hashes", "local_day", "pinyin_initials", "protect_phone", "resident_phone",
    "work_calendar",
]  # fmt: skip
