"""The module's other pure rules: stars, budget splits, room slots, lane-committee votes."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linli.community.rules import (
    budget_adds_up,
    decision_passed,
    hierarchy_problem,
    next_star,
    position_level,
    slots,
    split_fen,
    star_level,
)


@pytest.mark.parametrize(
    ("hours", "stars"),
    [(0, 0), (99.99, 0), (100, 1), (299, 1), (300, 2), (600, 3), (999, 3), (1000, 4), (1499, 4),
     (1500, 5), (9000, 5)],
)  # fmt: skip
def test_star_levels_at_100_300_600_1000_1500_hours(hours: float, stars: int) -> None:
    assert star_level(round(hours * 60)) == stars


def test_next_star() -> None:
    assert next_star(0) == (1, 6000)
    assert next_star(6000) == (2, 12000)
    assert next_star(1500 * 60) is None


def test_budget_adds_up_to_the_fen() -> None:
    assert budget_adds_up(300_00, [100_00, 200_00, 0])
    assert not budget_adds_up(300_00, [100_00, 200_01, 0])
    assert not budget_adds_up(0, [100, -100, 0])


@given(st.integers(0, 10**9), st.lists(st.integers(0, 1000), min_size=1, max_size=8).filter(any))
def test_split_fen_adds_up_exactly(total: int, weights: list[int]) -> None:
    parts = split_fen(total, weights)
    assert sum(parts) == total
    assert all(p >= 0 for p in parts)
    assert all(p == 0 for p, w in zip(parts, weights, strict=True) if w == 0)


def test_split_fen_largest_remainder() -> None:
    assert split_fen(100, [1, 1, 1]) == [34, 33, 33]
    with pytest.raises(ValueError, match="weights"):
        split_fen(100, [0, 0])


def test_slots_cover_partial_half_hours() -> None:
    assert slots(datetime(2026, 12, 1, 18, 30), datetime(2026, 12, 1, 19, 30)) == [
        datetime(2026, 12, 1, 18, 30), datetime(2026, 12, 1, 19, 0),
    ]  # fmt: skip
    assert slots(datetime(2026, 12, 1, 9, 10), datetime(2026, 12, 1, 9, 40)) == [
        datetime(2026, 12, 1, 9, 0), datetime(2026, 12, 1, 9, 30),
    ]  # fmt: skip
    with pytest.raises(ValueError, match="after start"):
        slots(datetime(2026, 12, 1, 9), datetime(2026, 12, 1, 9))


@pytest.mark.parametrize(
    ("members", "agree", "against", "abstain", "passed"),
    [(9, 5, 0, 0, True), (9, 4, 0, 0, False), (9, 3, 2, 0, True), (9, 2, 2, 1, False),
     (9, 4, 1, 0, True), (10, 3, 2, 0, False), (10, 4, 1, 1, True)],
)  # fmt: skip
def test_lane_committee_quorum_and_majority(
    members: int, agree: int, against: int, abstain: int, passed: bool
) -> None:
    assert decision_passed(members, agree, against, abstain) is passed


def test_lane_committee_votes_cannot_exceed_members() -> None:
    with pytest.raises(ValueError, match="members"):
        decision_passed(3, 2, 2, 0)


@pytest.mark.parametrize(
    ("kind", "level"),
    [("centre", 0), ("party_school", 0), ("residential_station", 1), ("point", 2)],
)
def test_position_levels(kind: str, level: int) -> None:
    assert position_level(kind) == level


@pytest.mark.parametrize("kind", ["", "station", "Point"])
def test_an_unknown_position_kind_is_refused(kind: str) -> None:
    with pytest.raises(ValueError, match=f"^unknown position kind {kind!r}$"):
        position_level(kind)
    with pytest.raises(ValueError, match=f"^unknown position kind {kind!r}$"):
        hierarchy_problem("building_station", "centre", [kind])
