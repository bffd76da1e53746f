"""Cases (办件): opening one with a working-day deadline and moving its status."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import audit, policy
from linli.core.context import Actor
from linli.core.identity import check_id_number
from linli.notices import services as notices

from .. import rules
from ..errors import HallError, rule_error
from ..models import (
    Case,
    Item,
    Ticket,
)
from ..rules import HallRuleError, TicketState
from .common import id_hash, protect_phone, require_reach, resident_phone, work_calendar


def _case_number(day: date) -> str:
    prefix = day.strftime("%Y%m%d")
    last = (
        Case.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    n = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{n:04d}"


def do_open_case(
    actor: Actor,
    item: Item,
    *,
    ticket: Ticket | None = None,
    citywide: bool = False,
    id_number: str = "",
    today: date | None = None,
    note: str = "",
    phone: str = "",
) -> Case:
    """受理: a served ticket (or the terminal) opens a case with a working-day deadline."""
    if ticket is not None or actor.user is not None:
        policy.require(actor.user, "hall.serve")
        require_reach(actor.user, Item.objects.filter(pk=item.pk), "hall")
    elif not (item.channel_self_service and id_number):
        # the 24-hour terminal (no account) may only open self-service items, with an ID
        raise HallError(_("该事项不能自助办理。"), code="not_self_service")
    today = today or timezone.localdate()
    hashed = ticket.id_hash if ticket is not None else ""
    if id_number:
        check = check_id_number(id_number, today=today)
        if not check.valid or check.number is None:
            raise HallError(_("身份证号码无效。"), code="bad_id", field="id_number")
        hashed = id_hash(check.number)
    if ticket is not None and ticket.state not in (TicketState.SERVING, TicketState.DONE):
        raise HallError(_("只有办理中或已办结的号码可以受理办件。"), code="ticket_state")
    phone_cipher, phone_masked = protect_phone(phone)
    with transaction.atomic():
        case = Case.objects.create(
            number=_case_number(today), item=item, ticket=ticket, id_hash=hashed,
            status=rules.CaseStatus.ACCEPTED, citywide=citywide and item.channel_citywide,
            accepted_on=today,
            due_on=rules.case_due_date(today, item.promised_days, work_calendar()),
            window=ticket.window if ticket else None,
            clerk=actor.user, note=note[:200],
            phone_cipher=phone_cipher, phone_masked=phone_masked,
        )  # fmt: skip
        if ticket is not None and ticket.item_id is None:
            Ticket.objects.filter(pk=ticket.pk).update(item=item)
            ticket.item = item
        audit.record(actor, "hall.case.open", case, details={"item": item.code})
    return case


def do_set_case_status(actor: Actor, case: Case, status: str, today: date | None = None) -> Case:
    policy.require(
        actor.user, "hall.serve" if policy.can(actor.user, "hall.serve") else "hall.backoffice"
    )
    try:
        new = rules.check_case_transition(case.status, status)
    except HallRuleError as exc:
        raise rule_error(exc) from exc
    with transaction.atomic():
        before = case.status
        case.status = new
        if new in (rules.CaseStatus.COMPLETED, rules.CaseStatus.RETURNED):
            case.closed_on = today or timezone.localdate()
        case.save()
        audit.record(actor, "hall.case.status", case, details={"from": before, "to": str(new)})
        if new == rules.CaseStatus.COMPLETED:
            _notify_case_done(case)
    return case


def _notify_case_done(case: Case) -> None:
    """办结: an SMS to the applicant, when they gave a number for it (once per case)."""
    phone = resident_phone(case)
    if phone is not None:
        notices.do_send_notice(
            "hall.case_done", {"item": case.item.name, "case": case.number},
            key=f"hall.case_done:{case.pk}", phone=phone,
        )  # fmt: skip
