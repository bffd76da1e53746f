"""The window (前台): signing on, calling, serving, recalling, no-shows and transfers."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import audit, policy
from linli.core.context import Actor

from .. import rules
from ..errors import HallError, rule_error
from ..models import (
    Queue,
    Ticket,
    TicketEvent,
    Window,
)
from ..queries import as_waiting, current_ticket, waiting_today
from ..rules import HallRuleError, TicketAction, TicketState
from .common import OPEN_STATES, _audit, _event, local_day, require_reach


def do_take_window(actor: Actor, window: Window) -> Window:
    """The clerk signs on at a window (one window per clerk)."""
    policy.require(actor.user, "hall.serve")
    require_reach(actor.user, Window.objects.filter(pk=window.pk), "hall")
    with transaction.atomic():
        Window.objects.filter(clerk=actor.user).exclude(pk=window.pk).update(clerk=None)
        window.clerk = actor.user
        window.save(update_fields=["clerk"])
        audit.record(actor, "hall.window.on_duty", window)
    return window


def _require_at_window(actor: Actor, window: Window, permission: str = "hall.serve") -> None:
    policy.require(actor.user, permission)
    require_reach(actor.user, Window.objects.filter(pk=window.pk), "hall")
    if permission == "hall.serve" and window.clerk_id != getattr(actor.user, "pk", None):
        raise HallError(_("请先在该窗口签到上岗。"), code="not_on_duty")


def _call(actor: Actor, window: Window, ticket: Ticket, now: datetime, action: str) -> Ticket:
    before = ticket.state
    try:
        ticket.state = rules.check_transition(ticket.state, TicketAction.CALL)
    except HallRuleError as exc:
        raise rule_error(exc) from exc
    updated = Ticket.objects.filter(pk=ticket.pk, state=before).update(
        state=ticket.state, called_at=now, window=window, clerk=actor.user,
        first_called_at=ticket.first_called_at or now, recalls=0,
    )  # fmt: skip
    if not updated:  # another window took it first (PostgreSQL); the caller retries
        raise HallError(_("该号码已被其他窗口叫走。"), code="taken")
    ticket.refresh_from_db()
    _event(ticket, action, before, now, actor, window)
    _audit(actor, action, ticket, window=window.number)
    return ticket


def do_call_next_ticket(actor: Actor, window: Window, now: datetime | None = None) -> Ticket | None:
    """前窗通办: the system chooses the next eligible ticket for the window's skills."""
    _require_at_window(actor, window)
    now = now or timezone.now()
    for _attempt in range(5):
        with transaction.atomic():
            if current_ticket(window) is not None:
                raise HallError(_("请先处理本窗口当前的号码。"), code="busy")
            skills = [str(q) for q in window.skills.values_list("pk", flat=True)]
            tickets = waiting_today(local_day(now), skills)
            chosen = rules.choose_next(skills, as_waiting(tickets), rules.minutes(now))
            if chosen is None:
                return None
            ticket = next(t for t in tickets if t.pk == chosen)
            try:
                return _call(actor, window, ticket, now, "call")
            except HallError as exc:
                if exc.code != "taken":
                    raise
    return None


def do_call_ticket_by_number(
    actor: Actor, window: Window, number: str, now: datetime | None = None
) -> Ticket:
    """A supervisor calls one ticket to a window, bypassing the order (audited)."""
    policy.require(actor.user, "hall.supervise")
    require_reach(actor.user, Window.objects.filter(pk=window.pk), "hall")
    now = now or timezone.now()
    try:
        rules.parse_ticket_number(number.strip().upper())
    except HallRuleError as exc:
        raise HallError(_("号码格式不正确，例如 A001。"), code="bad_number") from exc
    with transaction.atomic():
        ticket = (
            Ticket.objects.filter(
                day=local_day(now),
                number=number.strip().upper(),
                state__in=OPEN_STATES,
                queue__hall_id=window.hall_id,
            )
            .order_by("-pk")
            .first()
        )
        if ticket is None:
            raise HallError(_("今天没有等候中的这个号码。"), code="unknown_ticket")
        if current_ticket(window) is not None:
            raise HallError(_("该窗口正在办理其他号码。"), code="busy")
        return _call(actor, window, ticket, now, "call_by_number")


def _step_ticket(
    actor: Actor,
    ticket: Ticket,
    action: TicketAction,
    now: datetime | None,
    *,
    permission: str = "hall.serve",
    note: str = "",
    **fields: Any,
) -> Ticket:
    policy.require(actor.user, permission)
    require_reach(actor.user, Ticket.objects.filter(pk=ticket.pk), "queue__hall")
    now = now or timezone.now()
    with transaction.atomic():
        ticket.refresh_from_db()  # act on the stored state, not on a stale copy
        if permission == "hall.serve" and ticket.clerk_id != getattr(actor.user, "pk", None):
            raise HallError(_("这不是您叫的号码。"), code="not_yours")
        before = ticket.state
        try:
            ticket.state = rules.check_transition(
                ticket.state,
                action,
                recalls=ticket.recalls if action == TicketAction.RECALL else None,
            )
        except HallRuleError as exc:
            raise rule_error(exc) from exc
        for key, value in fields.items():
            if key == "recalls":
                value = ticket.recalls + 1
            setattr(ticket, key, now if value == "now" else value)
        ticket.save()
        _event(ticket, str(action), before, now, actor, ticket.window, note)
        _audit(actor, str(action), ticket, note=note)
    return ticket


def do_recall_ticket(actor: Actor, ticket: Ticket, now: datetime | None = None) -> Ticket:
    return _step_ticket(actor, ticket, TicketAction.RECALL, now, recalls="+1", called_at="now")


def do_start_ticket(actor: Actor, ticket: Ticket, now: datetime | None = None) -> Ticket:
    return _step_ticket(actor, ticket, TicketAction.START, now, started_at="now")


def do_finish_ticket(actor: Actor, ticket: Ticket, now: datetime | None = None) -> Ticket:
    return _step_ticket(actor, ticket, TicketAction.FINISH, now, ended_at="now")


def do_mark_no_show(actor: Actor, ticket: Ticket, now: datetime | None = None) -> Ticket:
    return _step_ticket(actor, ticket, TicketAction.NO_SHOW, now, ended_at="now")


def do_requeue_ticket(actor: Actor, ticket: Ticket, now: datetime | None = None) -> Ticket:
    """过号重排: the resident came back; they go three places back in their queue."""
    now = now or timezone.now()
    others = [t for t in waiting_today(ticket.day, [ticket.queue_id]) if t.pk != ticket.pk]
    rank = rules.requeue_rank(as_waiting(others), rules.minutes(now))
    return _step_ticket(
        actor, ticket, TicketAction.REQUEUE, now, requeue_rank=rank, window=None, clerk=None,
        ended_at=None,
    )  # fmt: skip


def do_transfer_ticket(
    actor: Actor, ticket: Ticket, queue: Queue, reason: str, now: datetime | None = None
) -> Ticket:
    """转窗: close this ticket and open a linked one in the target queue with the same number."""
    now = now or timezone.now()
    if queue.is_backoffice:
        raise HallError(_("转中台请使用“转中台”。"), code="backoffice_queue")
    with transaction.atomic():
        _step_ticket(actor, ticket, TicketAction.TRANSFER, now, note=reason, ended_at="now")
        child = Ticket.objects.create(
            queue=queue, day=ticket.day, seq=ticket.seq, number=ticket.number,
            token=secrets.token_urlsafe(12), parent=ticket, item=ticket.item,
            source=ticket.source, state=TicketState.WAITING, priority=ticket.priority,
            id_hash=ticket.id_hash, age_band=ticket.age_band, issued_at=ticket.issued_at,
        )  # fmt: skip
        TicketEvent.objects.create(
            ticket=child, at=now, action="transfer_in", from_state="",
            to_state=child.state, actor=actor.user, note=reason[:200],
        )  # fmt: skip
    return child
