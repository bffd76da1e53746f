"""Ballots: entered by staff, cast or confirmed by the owner online; one current ballot each."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import audit
from linli.core.context import Actor

from ..errors import ElevatorError, NoBallot, VoteClosed
from ..models import Ballot, Channel, Choice, Owner, Scope, Vote
from .base import _manage


def _in_roll(vote: Vote, owner: Owner) -> bool:
    units = owner.units.all()
    if vote.scope == Scope.BUILDING:
        units = units.filter(in_building=True)
    return owner.project_id == vote.project_id and units.exists()


def _cast(
    actor: Actor,
    vote: Vote,
    owner: Owner,
    choice: str,
    channel: str,
    proxy_note: str,
    entered_by: Any,
) -> Ballot:
    if not vote.open:
        raise VoteClosed(_("表决已截止。"))
    if choice not in Choice.values:
        raise ElevatorError(_("未知的意见。"), field="choice")
    if channel not in Channel.values:
        raise ElevatorError(_("未知的投票方式。"), field="channel")
    if channel == Channel.PROXY and not proxy_note.strip():
        raise ElevatorError(
            _("委托代理须写明授权委托书（委托人、受托人、日期）。"), field="proxy_note"
        )
    if not _in_roll(vote, owner):
        raise ElevatorError(_("该业主不在本次表决的名册中。"), field="owner")
    with transaction.atomic():
        # One owner's ballots are cast one at a time: the owner's row is the lock. Without it
        # two concurrent ballots both found no current ballot (or the same one) and the second
        # failed on the one-current-ballot constraint, its vote lost (issue 10).
        Owner.objects.select_for_update().filter(pk=owner.pk).first()
        old = (
            Ballot.objects.select_for_update().filter(vote=vote, owner=owner, current=True).first()
        )
        if old is not None:
            old.current = False
            old.save(update_fields=["current"])
        ballot = Ballot.objects.create(
            vote=vote,
            owner=owner,
            choice=choice,
            channel=channel,
            proxy_note=proxy_note.strip(),
            entered_by=entered_by,
            cast=timezone.now(),
            confirmed=timezone.now() if channel == Channel.ONLINE else None,
            replaces=old,
        )
        audit.record(
            actor,
            "elevator.ballot.change" if old else "elevator.ballot.cast",
            ballot,
            object_repr=f"{vote} · {owner.pk}",
            details={
                "vote": vote.pk,
                "owner": owner.pk,
                "choice": choice,
                "channel": channel,
                "replaces": old.pk if old else None,
                "previous_choice": old.choice if old else None,
            },
        )
    return ballot


def do_enter_ballot(
    actor: Actor, vote: Vote, owner: Owner, choice: str, channel: str, proxy_note: str = ""
) -> Ballot:
    """Staff enter a ballot cast on paper, at the door, with assistance, or by proxy."""
    _manage(actor, vote.project.committee_id)
    if channel == Channel.ONLINE:
        raise ElevatorError(_("在线投票只能由业主本人完成。"), field="channel")
    return _cast(actor, vote, owner, choice, channel, proxy_note, actor.user)


def do_cast_owner_ballot(actor: Actor, vote: Vote, owner: Owner, choice: str) -> Ballot:
    """The owner votes online, or overrides a ballot someone cast for them."""
    if actor.user is not None:
        raise PermissionDenied("owners act without an account")
    return _cast(actor, vote, owner, choice, Channel.ONLINE, "", None)


def do_confirm_owner_ballot(actor: Actor, vote: Vote, owner: Owner) -> Ballot:
    """The owner confirms the ballot entered for them; the confirmation is audited."""
    if not vote.open:
        raise VoteClosed(_("表决已截止。"))
    with transaction.atomic():
        ballot = (
            Ballot.objects.select_for_update().filter(vote=vote, owner=owner, current=True).first()
        )
        if ballot is None:
            raise NoBallot(_("还没有为您录入的表决票。"))
        if ballot.confirmed is None:
            ballot.confirmed = timezone.now()
            ballot.save(update_fields=["confirmed"])
            audit.record(
                actor,
                "elevator.ballot.confirm",
                ballot,
                object_repr=f"{vote} · {owner.pk}",
                details={"vote": vote.pk, "owner": owner.pk, "choice": ballot.choice},
            )
    return ballot
