"""What every community service shares: phone handling, the street's clock, permission checks."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import crypto, policy
from linli.core.context import Actor
from linli.core.roles import Level
from linli.geo.models import Subdistrict

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


def _street_row_in_reach(user: object, street_id: int | None) -> bool:
    """True when a street-level row (no committee) of ``street_id`` lies within the user's
    reach: its own street's accounts and the district's or city's above it. Committee accounts
    never reach street-level rows (as ``policy.in_scope``); object-level accounts are checked
    against their assignment by the caller. A row without a street (made before streets were
    recorded, where more than one street exists) is reached only by an account reaching every
    street."""
    r = policy.reach(user)
    if r is None or r.level == Level.COMMITTEE:
        return False
    if r.level == Level.OBJECT:
        return True
    if street_id is None:
        return policy.reaches_every_street(user)
    return bool(policy.streets_in_reach(user).filter(pk=street_id).exists())


def _require_reach(actor: Actor, committee_id: int | None, street_id: int | None) -> None:
    """A committee's row: the committee in reach; a street-level row: its street in reach."""
    policy.require_in_scope(actor.user, committee_id)
    if committee_id is None and not _street_row_in_reach(actor.user, street_id):
        raise PermissionDenied("out of scope")


def _manage(actor: Actor, committee_id: int | None, street_id: int | None = None) -> None:
    policy.require(actor.user, "community.manage")
    _require_reach(actor, committee_id, street_id)


def _serve(actor: Actor, committee_id: int | None, street_id: int | None = None) -> None:
    policy.require(actor.user, "community.serve")
    _require_reach(actor, committee_id, street_id)


def _street_for(
    actor: Actor, committee_id: int | None = None, near: int | None = None
) -> int | None:
    """The street a new row belongs to: its committee's; else the street of what it hangs on
    (``near``: a position's, a space's); else the acting account's; else the installation's
    only street (a one-street installation; a resident's wish)."""
    if committee_id is not None:
        return policy.street_of_committee(committee_id)
    if near is not None:
        return near
    street = policy.street_of(actor.user)
    if street is not None:
        return street
    only = list(Subdistrict.objects.values_list("pk", flat=True)[:2])
    return only[0] if len(only) == 1 else None


def _public(actor: Actor) -> Actor:
    return actor if actor.user is not None else Actor(None, actor.terminal, "public")
