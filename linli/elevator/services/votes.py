"""Consent votes: opening, the owners' notice, closing, and the tally from the records.

Tallies are computed, never stored: ``tally_vote`` turns the current ballots into
``rules.Unit`` rows and asks ``rules.tally``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from linli.core import audit, crypto
from linli.core.context import Actor
from linli.geo.services import PHONE_PURPOSE as RESIDENT_PHONE_PURPOSE
from linli.notices import rules as notice_rules
from linli.notices import services as notices

from .. import rules, stages
from ..errors import ElevatorError
from ..models import Ballot, OwnedUnit, Project, Scope, Vote
from .base import _manage, _today


def do_open_vote(
    actor: Actor,
    project: Project,
    scope: str,
    rule: str,
    opens: date,
    closes: date | None = None,
) -> Vote:
    """Open a consent vote; ``closes`` is its deadline (截止). With a deadline, owners on the roll
    who have a phone are told by SMS once the vote has started (today, or by the schedule on
    the start day), and the committee is reminded before the deadline."""
    _manage(actor, project.committee_id)
    if closes is not None and closes < opens:
        raise ElevatorError(_("截止日期不能早于开始日期。"), field="closes")
    try:
        ruleset = rules.ruleset(rule)
    except rules.TallyError as exc:
        raise ElevatorError(exc.message, field="rule") from exc
    if ruleset.scope != scope:
        raise ElevatorError(_("表决规则的范围与表决范围不一致。"), field="rule")
    if str(scope) == Scope.ESTATE.value and not project.uses_shared_ground:
        raise ElevatorError(_("项目未占用小区共有部分，无需小区范围表决。"), field="scope")
    with transaction.atomic():
        vote = Vote.objects.create(
            project=project,
            scope=scope,
            rule=rule,
            title=_("加装电梯 · %(scope)s表决") % {"scope": Scope(scope).label},
            opens=opens,
            closes=closes,
        )
        audit.record(actor, "elevator.vote.open", vote, details={"rule": rule, "scope": scope})
        if stages.vote_notice_due(vote.opens, vote.closes, _today()):
            do_notify_owners(vote)
    return vote


def do_notify_owners(vote: Vote) -> int:
    """The vote notice (SMS) to each owner in the vote's scope whose roll entry has a valid
    mobile number; once per vote and owner. Returns how many owners were addressed."""
    if vote.closes is None:
        return 0
    owners = {u.owner_id: u.owner for u in vote_state_units(vote) if u.owner.phone_cipher}
    params = {"project": vote.project.name, "deadline": f"{vote.closes.month}月{vote.closes.day}日"}
    sent = 0
    for owner_id, owner in sorted(owners.items()):
        phone = notice_rules.normalize_phone(
            crypto.decrypt(owner.phone_cipher, RESIDENT_PHONE_PURPOSE)
        )
        if phone is None:
            continue  # the register holds something that is not a mobile number
        notices.do_send_notice(
            "elevator.vote_notice", params,
            key=f"elevator.vote_notice:{vote.pk}:{owner_id}", phone=phone,
        )  # fmt: skip
        sent += 1
    return sent


def do_close_vote(actor: Actor, vote: Vote) -> Vote:
    _manage(actor, vote.project.committee_id)
    with transaction.atomic():
        vote.open = False
        vote.closes = _today()
        vote.save(update_fields=["open", "closes"])
        result = tally_vote(vote)
        audit.record(actor, "elevator.vote.close", vote, details={"passed": result.passed})
    return vote


def _group_label(unit: OwnedUnit, scope: str) -> dict[str, str]:
    groups = {"floor": f"{unit.floor}层", "building": unit.building_label.split(" ")[0]}
    if scope == Scope.ESTATE:
        groups["type"] = "高层" if unit.high_rise else "多层"
    return groups


@dataclass(frozen=True)
class VoteState:
    vote: Vote
    result: rules.TallyResult
    ballots: dict[int, Ballot]  # owner id -> current ballot
    units: list[OwnedUnit]


def vote_state_units(vote: Vote) -> list[OwnedUnit]:
    units = OwnedUnit.objects.filter(project_id=vote.project_id).select_related("owner")
    if vote.scope == Scope.BUILDING:
        units = units.filter(in_building=True)
    return list(units.order_by("pk"))


def _units(vote: Vote, units: list[OwnedUnit], ballots: dict[int, Ballot]) -> list[rules.Unit]:
    rows = []
    for unit in units:
        ballot = ballots.get(unit.owner_id)
        rows.append(
            rules.Unit(
                unit=str(unit.pk),
                owner=str(unit.owner_id),
                area=int(unit.area * 100),
                vote=rules.Vote(ballot.choice) if ballot else rules.Vote.NONE,
                groups=_group_label(unit, vote.scope),
                developer=unit.owner.developer,
            )
        )
    return rows


def vote_state(vote: Vote) -> VoteState:
    """Always from the records: the roll's units and the current ballots, tallied."""
    units = vote_state_units(vote)
    ballots = {b.owner_id: b for b in Ballot.objects.filter(vote=vote, current=True)}
    result = rules.tally(rules.ruleset(vote.rule), _units(vote, units, ballots))
    return VoteState(vote, result, ballots, units)


def tally_vote(vote: Vote) -> rules.TallyResult:
    return vote_state(vote).result
