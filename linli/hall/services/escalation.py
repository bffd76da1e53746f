"""The back office (中台): escalating a ticket, returning it, finishing it there."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

from linli.core.context import Actor

from ..errors import HallError
from ..models import (
    Ticket,
)
from ..rules import TicketAction
from .window import _step_ticket


def do_escalate_ticket(
    actor: Actor, ticket: Ticket, reason: str, now: datetime | None = None
) -> Ticket:
    """转中台: the ticket keeps its number; the back office resolves it and sends it back."""
    if not reason.strip():
        raise HallError(_("请填写转中台的原因。"), code="reason_required", field="reason")
    return _step_ticket(
        actor, ticket, TicketAction.ESCALATE, now, note=reason, escalation_reason=reason[:200]
    )


def do_return_ticket(
    actor: Actor, ticket: Ticket, note: str, now: datetime | None = None
) -> Ticket:
    """The back office returns a resolved ticket; it is called back before everyone else."""
    return _step_ticket(
        actor, ticket, TicketAction.RETURN, now, permission="hall.backoffice", note=note,
        backoffice_note=note[:200],
    )  # fmt: skip


def do_finish_ticket_in_backoffice(
    actor: Actor, ticket: Ticket, note: str, now: datetime | None = None
) -> Ticket:
    """The back office finishes an escalated ticket itself; the resident need not go back."""
    if not note.strip():
        raise HallError(_("请填写办结说明。"), code="note_required", field="note")
    return _step_ticket(
        actor, ticket, TicketAction.FINISH, now, permission="hall.backoffice", note=note,
        backoffice_note=note[:200], ended_at="now",
    )  # fmt: skip
