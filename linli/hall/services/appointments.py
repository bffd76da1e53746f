"""Appointments (预约): opening slots, booking, cancelling, checking in at the kiosk."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import audit, policy
from linli.core.context import Actor
from linli.core.identity import check_id_number

from .. import rules
from ..errors import HallError
from ..models import (
    Appointment,
    Hall,
    Item,
    Queue,
    Slot,
    Ticket,
)
from ..queries import street_halls
from .common import id_hash, id_hashes, local_day, protect_phone, work_calendar
from .tickets import do_issue_ticket

APPOINTMENT_PREFIX = rules.PREFIX_APPOINTMENT


def _checked_id(id_number: str, today: date) -> tuple[str, Any]:
    check = check_id_number(id_number, today=today)
    if not check.valid or check.number is None:
        raise HallError(_("身份证号码无效。"), code="bad_id", field="id_number")
    return id_hash(check.number), check


def do_create_slots(
    actor: Actor,
    item: Item,
    first: date,
    last: date,
    times: list[Any],
    capacity: int,
    walk_in_reserve: int,
) -> int:
    """Open slots for an item on every working day of a range; existing slots are kept."""
    policy.require(actor.user, "hall.manage")
    if walk_in_reserve > capacity or capacity < 1:
        raise HallError(_("留给现场的名额不能超过可办理人数。"), code="bad_capacity")
    if last < first or (last - first).days > 92:
        raise HallError(_("日期范围应在 3 个月以内。"), code="bad_range")
    calendar = work_calendar()
    made = 0
    with transaction.atomic():
        day = first
        while day <= last:
            if calendar.is_working_day(day):
                for at in times:
                    _slot, created = Slot.objects.get_or_create(
                        item=item, day=day, starts_at=at,
                        defaults={"capacity": capacity, "walk_in_reserve": walk_in_reserve},
                    )  # fmt: skip
                    made += int(created)
            day += timedelta(days=1)
        audit.record(
            actor, "hall.slot.create", item,
            details={"from": str(first), "to": str(last), "created": made},
        )  # fmt: skip
    return made


def do_book_appointment(
    slot: Slot, id_number: str, now: datetime | None = None, phone: str = ""
) -> Appointment:
    """预约 (public): within the bookable places (capacity minus the walk-in reserve).

    ``phone`` (optional) is for the reminder SMS the day before."""
    now = now or timezone.now()
    hashed, check = _checked_id(id_number, local_day(now))
    phone_cipher, phone_masked = protect_phone(phone)
    starts = timezone.make_aware(datetime.combine(slot.day, slot.starts_at))
    if starts <= now:
        raise HallError(_("该时段已过，请选择其他时段。"), code="slot_past")
    with transaction.atomic():
        slot = Slot.objects.select_for_update().get(pk=slot.pk)
        active = Appointment.objects.filter(slot=slot, status=Appointment.Status.BOOKED)
        if active.count() >= slot.bookable:
            raise HallError(_("该时段已约满，请选择其他时段。"), code="slot_full")
        if Appointment.objects.filter(
            id_hash__in=id_hashes(check.number), slot__day=slot.day, slot__item=slot.item_id,
            status=Appointment.Status.BOOKED,
        ).exists():  # fmt: skip
            raise HallError(_("您当天已预约过该事项。"), code="already_booked")
        appointment = Appointment.objects.create(
            slot=slot, code=secrets.token_hex(4).upper(), id_hash=hashed,
            status=Appointment.Status.BOOKED, booked_at=now,
            phone_cipher=phone_cipher, phone_masked=phone_masked,
        )  # fmt: skip
        audit.record(
            Actor(None, "", "resident"), "hall.appointment.book", appointment,
            details={"slot": slot.pk},
        )  # fmt: skip
    return appointment


def do_cancel_appointment(code: str, id_number: str, now: datetime | None = None) -> Appointment:
    now = now or timezone.now()
    _hashed, check = _checked_id(id_number, local_day(now))
    with transaction.atomic():
        appointment = Appointment.objects.filter(
            code=code.strip().upper(),
            id_hash__in=id_hashes(check.number),
            status=Appointment.Status.BOOKED,
        ).first()
        if appointment is None:
            raise HallError(_("未找到有效的预约：请核对预约码和身份证号码。"), code="unknown")
        appointment.status = Appointment.Status.CANCELLED
        appointment.save(update_fields=["status"])
        audit.record(Actor(None, "", "resident"), "hall.appointment.cancel", appointment)
    return appointment


def do_check_in_appointment(
    id_number: str, now: datetime | None = None, hall: Hall | None = None
) -> Ticket:
    """预约签到 at the kiosk: the ID swipe turns today's booking into a ``Y`` ticket.

    ``hall`` is the kiosk's: only bookings with its street's centre are checked in, into that
    street's 预约 queue (None: an installation of one street)."""
    now = now or timezone.now()
    day = local_day(now)
    _hashed, check = _checked_id(id_number, day)
    queues = Queue.objects.filter(prefix=APPOINTMENT_PREFIX)
    bookings = Appointment.objects.all()
    if hall is not None:
        halls = street_halls(hall)
        queues = queues.filter(hall__in=halls)
        bookings = bookings.filter(slot__item__hall__in=halls)
    queue = queues.order_by("hall__code").first()
    if queue is None:
        raise HallError(_("本中心未开通预约取号。"), code="no_appointment_queue")
    with transaction.atomic():
        appointment = (
            bookings.select_related("slot__item")
            .filter(
                id_hash__in=id_hashes(check.number), slot__day=day, status=Appointment.Status.BOOKED
            )
            .order_by("slot__starts_at")
            .first()
        )
        if appointment is None:
            raise HallError(_("今天没有您的预约，请选择业务直接取号。"), code="no_booking")
        ticket = do_issue_ticket(queue, check.number, item=appointment.slot.item, now=now,
                              source=Ticket.Source.APPOINTMENT)  # fmt: skip
        ticket.priority = rules.priority_class(appointment=True)
        ticket.appointment_at = timezone.make_aware(
            datetime.combine(day, appointment.slot.starts_at)
        )
        ticket.save(update_fields=["priority", "appointment_at"])
        appointment.status = Appointment.Status.CHECKED_IN
        appointment.ticket = ticket
        appointment.save(update_fields=["status", "ticket"])
    return ticket
