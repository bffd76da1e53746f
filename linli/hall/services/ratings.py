"""好差评: a resident rates a ticket or a case; staff close the follow-up of a bad one."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import audit, policy
from linli.core.context import Actor
from linli.core.workdays import add_working_days

from .. import rules
from ..errors import HallError
from ..models import (
    Case,
    Rating,
    Ticket,
)
from ..rules import TicketState
from .common import FOLLOW_UP_WORKING_DAYS, local_day, work_calendar


def do_rate_ticket(
    ticket: Ticket, stars: int, comment: str = "", now: datetime | None = None
) -> Rating:
    """好差评 from the resident (public page); 1–2 stars open a follow-up with a deadline."""
    now = now or timezone.now()
    if not 1 <= stars <= 5:
        raise HallError(_("请选择 1 到 5 星。"), code="bad_stars")
    if ticket.state != TicketState.DONE:
        raise HallError(_("办结后才能评价。"), code="not_done")
    with transaction.atomic():
        if Rating.objects.filter(ticket=ticket).exists():
            raise HallError(_("这张号已经评价过了。"), code="already_rated")
        due = None
        if stars <= 2:
            due = add_working_days(local_day(now), FOLLOW_UP_WORKING_DAYS, work_calendar())
        item = ticket.item
        if item is None:  # the item is known from the case the window opened for this ticket
            case = Case.objects.filter(ticket__in=[ticket.pk, ticket.parent_id or 0]).first()
            item = case.item if case is not None else None
        rating = Rating.objects.create(
            ticket=ticket, stars=stars, window=ticket.window, clerk=ticket.clerk,
            item=item, comment=comment[:200], at=now, follow_up_due=due,
        )  # fmt: skip
        audit.record(
            Actor(None, "", "resident"), "hall.rating.create", rating,
            details={"stars": stars, "ticket": ticket.number},
        )  # fmt: skip
    return rating


def do_rate_case(case: Case, stars: int, comment: str = "", now: datetime | None = None) -> Rating:
    """好差评 of a finished case (from the terminal's query page)."""
    now = now or timezone.now()
    if not 1 <= stars <= 5:
        raise HallError(_("请选择 1 到 5 星。"), code="bad_stars")
    if case.status not in (rules.CaseStatus.COMPLETED, rules.CaseStatus.RETURNED):
        raise HallError(_("办结后才能评价。"), code="not_done")
    with transaction.atomic():
        if Rating.objects.filter(case=case).exists():
            raise HallError(_("这件办件已经评价过了。"), code="already_rated")
        due = None
        if stars <= 2:
            due = add_working_days(local_day(now), FOLLOW_UP_WORKING_DAYS, work_calendar())
        rating = Rating.objects.create(
            case=case, stars=stars, window=case.window, clerk=case.clerk, item=case.item,
            comment=comment[:200], at=now, follow_up_due=due,
        )  # fmt: skip
        audit.record(
            Actor(None, "", "resident"), "hall.rating.create", rating,
            details={"stars": stars, "case": case.number},
        )  # fmt: skip
    return rating


def do_close_follow_up(
    actor: Actor, rating: Rating, note: str, now: datetime | None = None
) -> Rating:
    policy.require(actor.user, "hall.manage")
    if not note.strip():
        raise HallError(_("请填写整改说明。"), code="note_required", field="note")
    with transaction.atomic():
        rating.follow_up_done_at = now or timezone.now()
        rating.follow_up_note = note[:200]
        rating.save()
        audit.record(actor, "hall.rating.follow_up", rating)
    return rating
