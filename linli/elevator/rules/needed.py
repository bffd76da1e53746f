"""What is still needed: the fewest owners whose agreement would pass the vote."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate

from .counting import _minimum, _passes, _State
from .roll import Owner
from .rulesets import RuleSet


@dataclass(frozen=True)
class StillNeeded:
    """The fewest owners who, by agreeing, would make the vote pass, with one example set.

    * ``owners``: no combination of fewer changed responses, of any kind, passes.
    * ``witness``: one set of that many owners that does pass (``witness_area`` is its area):
      for the best split between owners not yet responding and owners who voted against or
      abstained, the largest holdings of each kind.
    * ``min_area``: no set of owners changing to agree, of any size, passes with less new
      agreeing area than this (a necessary amount, not a sufficient one).
    """

    owners: int
    min_area: int
    witness: tuple[Owner, ...]
    witness_area: int
    from_non_participants: int
    from_participants: int


def _min_area(rule: RuleSet, state: _State) -> int:
    """Least new agreeing area that can pass (relaxed: ignores headcount and lumpy areas).

    Only owners not yet taking part can raise the participating area, so the quorum needs at
    least ``g`` of them. Given ``s`` new participating area, approval by area needs
    ``max(s, minimum(Pa + s) - Ya)`` new agreeing area, which grows with ``s``: so ``s = g``.
    """
    gap = 0
    quorum = rule.quorum
    if quorum is not None and quorum.area is not None:
        needed = _minimum(state.area, quorum.area, quorum.comparator)
        gap = max(0, needed - state.participating_area)
    approval = rule.approval
    if approval.area is None:
        return gap
    if approval.base == "all":
        needed = _minimum(state.area, approval.area, approval.comparator)
    else:
        needed = _minimum(state.participating_area + gap, approval.area, approval.comparator)
    return max(gap, needed - state.agreeing_area, 0)


def _search(
    rule: RuleSet, state: _State, candidates: Iterable[Owner], min_area: int
) -> StillNeeded | None:
    """Exact minimum by binary search over the number of converted owners.

    For a fixed number j of new participants and k - j converted participants, every condition
    grows with the areas chosen, so the largest holdings of each kind are the best choice; and
    adding a conversion never hurts, so feasibility is monotone in k.
    """
    ordered = sorted(candidates, key=lambda owner: (-owner.area, owner.key))
    outside = [owner for owner in ordered if not owner.vote.participates]
    inside = [owner for owner in ordered if owner.vote.participates]
    outside_sums = [0, *accumulate(owner.area for owner in outside)]
    inside_sums = [0, *accumulate(owner.area for owner in inside)]

    def best_split(k: int) -> int | None:
        best: tuple[int, int] | None = None
        for j in range(max(0, k - len(inside)), min(k, len(outside)) + 1):
            new_outside, new_inside = outside_sums[j], inside_sums[k - j]
            after = _State(
                state.owners,
                state.area,
                state.participating_owners + j,
                state.participating_area + new_outside,
                state.agreeing_owners + k,
                state.agreeing_area + new_outside + new_inside,
            )
            if _passes(rule, after) and (best is None or new_outside + new_inside < best[0]):
                best = (new_outside + new_inside, j)
        return None if best is None else best[1]

    low, high = 0, len(outside) + len(inside)
    if best_split(high) is None:
        return None
    while low < high:
        middle = (low + high) // 2
        if best_split(middle) is None:
            low = middle + 1
        else:
            high = middle
    j = best_split(low)
    assert j is not None
    witness = (*outside[:j], *inside[: low - j])
    return StillNeeded(
        owners=low,
        min_area=min_area,
        witness=witness,
        witness_area=sum(owner.area for owner in witness),
        from_non_participants=j,
        from_participants=low - j,
    )
