"""What every community service shares: phone handling, the street's clock, permission checks."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import crypto, policy
from linli.core.context import Actor

from ..errors import (
    PhoneInvalid,
)

PHONE_PURPOSE = "community.phone"
ID_PURPOSE = "community.volunteer_id"
PHONE_RE = re.compile(r"1\d{10}")
CHECKIN_EARLY = timedelta(hours=1)  # the door opens an hour before the start
CHECKIN_LATE = timedelta(hours=1)  # and closes an hour after the end


def _today() -> date:
    return timezone.localdate()


def _local(value: datetime) -> datetime:
    """The engine works in naive local time (the street's clock)."""
    return timezone.localtime(value).replace(tzinfo=None)


def _aware(value: datetime) -> datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def clean_phone(raw: str) -> str:
    phone = re.sub(r"[\s-]", "", raw or "")
    if not PHONE_RE.fullmatch(phone):
        raise PhoneInvalid(_("请填写 11 位手机号。"), field="phone")
    return phone


def person_key(phone: str) -> str:
    return crypto.keyed_hash(phone, PHONE_PURPOSE)


def _manage(actor: Actor, committee_id: int | None) -> None:
    policy.require(actor.user, "community.manage")
    policy.require_in_scope(actor.user, committee_id)


def _serve(actor: Actor, committee_id: int | None) -> None:
    policy.require(actor.user, "community.serve")
    policy.require_in_scope(actor.user, committee_id)


def _public(actor: Actor) -> Actor:
    return actor if actor.user is not None else Actor(None, actor.terminal, "public")
