"""Pickup lockers (自助取件): depositing a result, collecting it, the hourly sweep."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import audit, policy
from linli.core.context import Actor
from linli.core.identity import check_id_number
from linli.notices import services as notices

from .. import rules
from ..errors import HallError
from ..models import (
    Case,
    Locker,
    Pickup,
)
from .common import id_hashes, local_day, resident_phone

HOLD_DAYS = 7
REMIND_AFTER_DAYS = 5


def do_deposit_pickup(
    actor: Actor, case: Case, locker: Locker, now: datetime | None = None
) -> Pickup:
    """存柜: a finished case's result goes into a free compartment; a 6-digit code is issued.

    The code and the locker go to the applicant by SMS when the case has their number;
    otherwise the clerk gives the code (shown on the page) to the resident.
    """
    if not (policy.can(actor.user, "hall.serve") or policy.can(actor.user, "hall.backoffice")):
        policy.require(actor.user, "hall.serve")
    now = now or timezone.now()
    if case.status != rules.CaseStatus.COMPLETED:
        raise HallError(_("只有已办结的办件可以存柜。"), code="case_open")
    if not case.id_hash:
        raise HallError(_("该办件没有刷证记录，无法凭身份证取件，请窗口领取。"), code="no_id")
    with transaction.atomic():
        if Pickup.objects.filter(locker=locker, status=Pickup.Status.WAITING).exists():
            raise HallError(_("该柜已有待取物品。"), code="locker_busy")
        pickup = Pickup.objects.create(
            case=case, locker=locker, code=f"{secrets.randbelow(1_000_000):06d}",
            status=Pickup.Status.WAITING, deposited_at=now,
            expires_at=now + timedelta(days=HOLD_DAYS),
        )  # fmt: skip
        audit.record(actor, "hall.pickup.deposit", pickup, details={"case": case.number})
        _notify_pickup(pickup, key=f"hall.pickup_ready:{pickup.pk}")
    return pickup


def _notify_pickup(pickup: Pickup, *, key: str) -> None:
    phone = resident_phone(pickup.case)
    if phone is not None:
        notices.do_send_notice(
            "hall.pickup_ready", {"locker": str(pickup.locker.number), "code": pickup.code},
            key=key, phone=phone,
        )  # fmt: skip


def do_collect_pickup(code: str, id_number: str, now: datetime | None = None) -> Pickup:
    """自助取件 at the terminal: the code and the applicant's ID must both match."""
    now = now or timezone.now()
    check = check_id_number(id_number, today=local_day(now))
    failure = HallError(_("取件码或身份证不正确。"), code="no_match")
    if not check.valid or check.number is None:
        raise failure
    with transaction.atomic():
        pickup = (
            Pickup.objects.select_related("locker", "case")
            .filter(
                code=code.strip(),
                status=Pickup.Status.WAITING,
                case__id_hash__in=id_hashes(check.number),
            )
            .first()
        )
        if pickup is None:
            raise failure
        if now > pickup.expires_at:
            raise HallError(_("已超过 7 天保管期，请到窗口领取。"), code="expired")
        pickup.status = Pickup.Status.COLLECTED
        pickup.collected_at = now
        pickup.save(update_fields=["status", "collected_at"])
        audit.record(Actor(None, "terminal", "resident"), "hall.pickup.collect", pickup)
    return pickup


def do_sweep_lockers(now: datetime | None = None) -> dict[str, int]:
    """Remind on day 5 (the code again by SMS, when the case has a number) and expire pickups
    past 7 days (staff take them back). Run hourly by the schedule (``tasks.expire_lockers``)."""
    now = now or timezone.now()
    with transaction.atomic():
        to_remind = Pickup.objects.filter(
            status=Pickup.Status.WAITING, reminded_at__isnull=True,
            deposited_at__lte=now - timedelta(days=REMIND_AFTER_DAYS),
        )  # fmt: skip
        for pickup in to_remind.filter(expires_at__gte=now).select_related("case", "locker"):
            _notify_pickup(pickup, key=f"hall.pickup_ready:{pickup.pk}:reminder")
        reminded = to_remind.update(reminded_at=now)
        expired = Pickup.objects.filter(status=Pickup.Status.WAITING, expires_at__lt=now).update(
            status=Pickup.Status.EXPIRED
        )
        if reminded or expired:
            audit.record(
                Actor.system("hall lockers"), "hall.pickup.sweep", object_type="hall.pickup",
                details={"reminded": reminded, "expired": expired},
            )  # fmt: skip
    return {"reminded": reminded, "expired": expired}
