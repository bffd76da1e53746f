"""The tally: one vote under one rule set, with groups and the distance from unanimity."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from .base import Vote
from .counting import Breakdown, Check, _checks, _state
from .needed import StillNeeded, _min_area, _search
from .report import _result_dict
from .roll import Owner, Unit, _owner_key, owner_roll
from .rulesets import RuleSet


@dataclass(frozen=True)
class Unanimity:
    """How far the roll is from everyone agreeing (officials aim well above the minimum)."""

    owners_not_agreeing: int
    area_not_agreeing: int
    owner_share: Fraction
    area_share: Fraction


@dataclass(frozen=True)
class GroupTally:
    """Responses within one group, and the fewest owners of that group who would pass the vote.

    An owner counts once in each group holding any of their units, with the area they hold
    there; ``still_needed`` converts whole owners (their vote carries all their area) and is
    ``None`` when the group's owners alone cannot pass the vote.
    """

    dimension: str
    group: str
    breakdown: Breakdown
    still_needed: StillNeeded | None


@dataclass(frozen=True)
class TallyResult:
    """Outcome of one vote under one rule set, with everything the project page shows."""

    rule: RuleSet
    roll: tuple[Owner, ...]
    breakdown: Breakdown
    checks: tuple[Check, ...]
    still_needed: StillNeeded
    unanimity: Unanimity
    groups: Mapping[str, Mapping[str, GroupTally]]

    @property
    def quorum_met(self) -> bool:
        return all(check.met for check in self.checks if check.condition == "quorum")

    @property
    def approval_met(self) -> bool:
        return all(check.met for check in self.checks if check.condition == "approval")

    @property
    def passed(self) -> bool:
        return self.quorum_met and self.approval_met

    @property
    def owners(self) -> int:
        return self.breakdown.total.owners

    @property
    def total_area(self) -> int:
        return self.breakdown.total.area

    @property
    def participating_owners(self) -> int:
        return self.breakdown.participating.owners

    @property
    def participating_area(self) -> int:
        return self.breakdown.participating.area

    @property
    def agreeing_owners(self) -> int:
        return self.breakdown.agree.owners

    @property
    def agreeing_area(self) -> int:
        return self.breakdown.agree.area

    def as_dict(self) -> dict[str, object]:
        """The JSON shape shared by ``linli elevator tally`` and the API (areas as strings)."""
        return _result_dict(self)


def tally(rule: RuleSet, units: Iterable[Unit]) -> TallyResult:
    """Count one vote: quorum, approval, what is still needed, groups, distance from unanimity."""
    units = list(units)
    roll = owner_roll(units)
    breakdown = Breakdown.of((owner.vote, owner.area) for owner in roll)
    state = _state(breakdown)
    min_area = _min_area(rule, state)
    not_agreeing = [owner for owner in roll if owner.vote is not Vote.AGREE]
    still_needed = _search(rule, state, not_agreeing, min_area)
    assert still_needed is not None, "a valid rule set always passes with everyone agreeing"
    by_key = {owner.key: owner for owner in roll}
    members: dict[tuple[str, str], dict[str, int]] = {}  # (dimension, group) -> owner -> area
    for unit in units:
        for dimension, group in unit.groups.items():
            owned = members.setdefault((dimension, group), {})
            owned[_owner_key(unit)] = owned.get(_owner_key(unit), 0) + unit.area
    groups: dict[str, dict[str, GroupTally]] = {}
    for (dimension, group), owned in members.items():
        groups.setdefault(dimension, {})[group] = GroupTally(
            dimension=dimension,
            group=group,
            breakdown=Breakdown.of((by_key[key].vote, area) for key, area in owned.items()),
            still_needed=_search(
                rule,
                state,
                (by_key[key] for key in owned if by_key[key].vote is not Vote.AGREE),
                min_area,
            ),
        )
    total = breakdown.total
    unanimity = Unanimity(
        owners_not_agreeing=total.owners - breakdown.agree.owners,
        area_not_agreeing=total.area - breakdown.agree.area,
        owner_share=Fraction(breakdown.agree.owners, total.owners),
        area_share=Fraction(breakdown.agree.area, total.area),
    )
    return TallyResult(
        rule=rule,
        roll=tuple(roll),
        breakdown=breakdown,
        checks=_checks(rule, state),
        still_needed=still_needed,
        unanimity=unanimity,
        groups=groups,
    )
