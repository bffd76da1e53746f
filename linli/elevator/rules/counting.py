"""Counting one vote: owners and area by response, and the quorum and approval checks."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from .base import Comparator, Vote
from .roll import Owner
from .rulesets import RuleSet


@dataclass(frozen=True)
class Count:
    """A number of owners and the area they hold (hundredths of m²)."""

    owners: int = 0
    area: int = 0

    def __add__(self, other: Count) -> Count:
        return Count(self.owners + other.owners, self.area + other.area)


@dataclass(frozen=True)
class Breakdown:
    """Owners and area by response."""

    agree: Count
    against: Count
    abstain: Count
    none: Count

    @classmethod
    def of(cls, votes: Iterable[tuple[Vote, int]]) -> Breakdown:
        counts = dict.fromkeys(Vote, Count())
        for vote, area in votes:
            counts[vote] += Count(1, area)
        return cls(
            counts[Vote.AGREE], counts[Vote.AGAINST], counts[Vote.ABSTAIN], counts[Vote.NONE]
        )

    @property
    def participating(self) -> Count:
        return self.agree + self.against + self.abstain

    @property
    def total(self) -> Count:
        return self.participating + self.none


def _holds(actual: int, base: int, share: Fraction, comparator: Comparator) -> bool:
    """``actual <cmp> share * base`` in integers (the one comparison every decision uses)."""
    left, right = actual * share.denominator, share.numerator * base
    return left >= right if comparator == ">=" else left > right


def _minimum(base: int, share: Fraction, comparator: Comparator) -> int:
    """Smallest integer that meets ``share * base`` under the comparator."""
    required = share * base
    return math.ceil(required) if comparator == ">=" else math.floor(required) + 1


@dataclass(frozen=True)
class Check:
    """One of the (up to four) conditions, so a result can explain itself."""

    condition: Literal["quorum", "approval"]
    measure: Literal["area", "owners"]
    actual: int
    base: int
    share: Fraction
    comparator: Comparator
    met: bool

    @property
    def required(self) -> Fraction:
        """The exact bound (share × base), in owners or hundredths of m²."""
        return self.share * self.base

    @property
    def minimum(self) -> int:
        """The smallest whole number of owners (or hundredths of m²) that meets the check."""
        return _minimum(self.base, self.share, self.comparator)


@dataclass(frozen=True)
class _State:
    owners: int
    area: int
    participating_owners: int
    participating_area: int
    agreeing_owners: int
    agreeing_area: int


_Condition = tuple[
    Literal["quorum", "approval"], Literal["area", "owners"], int, int, Fraction, Comparator
]


def _conditions(rule: RuleSet, state: _State) -> Iterable[_Condition]:
    """The conditions of a rule set applied to one state, in display order."""
    quorum, approval = rule.quorum, rule.approval
    if quorum is not None:
        if quorum.area is not None:
            yield (
                "quorum",
                "area",
                state.participating_area,
                state.area,
                quorum.area,
                quorum.comparator,
            )
        if quorum.owners is not None:
            yield (
                "quorum",
                "owners",
                state.participating_owners,
                state.owners,
                quorum.owners,
                quorum.comparator,
            )
    everyone = approval.base == "all"
    if approval.area is not None:
        base = state.area if everyone else state.participating_area
        yield ("approval", "area", state.agreeing_area, base, approval.area, approval.comparator)
    if approval.owners is not None:
        base = state.owners if everyone else state.participating_owners
        yield (
            "approval",
            "owners",
            state.agreeing_owners,
            base,
            approval.owners,
            approval.comparator,
        )


def _checks(rule: RuleSet, state: _State) -> tuple[Check, ...]:
    return tuple(
        Check(
            condition,
            measure,
            actual,
            base,
            share,
            comparator,
            _holds(actual, base, share, comparator),
        )
        for condition, measure, actual, base, share, comparator in _conditions(rule, state)
    )


def _passes(rule: RuleSet, state: _State) -> bool:
    return all(
        _holds(actual, base, share, comparator)
        for _, _, actual, base, share, comparator in _conditions(rule, state)
    )


def decide(rule: RuleSet, owners: Sequence[Owner]) -> bool:
    """Whether a vote over an already merged owner roll passes (no still-needed search)."""
    return _passes(rule, _state(Breakdown.of((owner.vote, owner.area) for owner in owners)))


def _state(breakdown: Breakdown) -> _State:
    total, taking_part = breakdown.total, breakdown.participating
    return _State(
        total.owners,
        total.area,
        taking_part.owners,
        taking_part.area,
        breakdown.agree.owners,
        breakdown.agree.area,
    )
