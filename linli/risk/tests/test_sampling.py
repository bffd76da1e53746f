"""Tests of the stratified, reproducible sample draw."""

from __future__ import annotations

import hashlib
import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linli.risk.sampling import (
    ALGORITHM,
    Candidate,
    SamplingError,
    allocate,
    committee_seed,
    draw,
    draw_from_record,
    verify,
)


def frame(**sizes: int) -> list[Candidate]:
    return [Candidate(f"{name}-{i:02d}", name) for name, size in sizes.items() for i in range(size)]


LANE = "里弄"
GARDEN = "花园住宅"
PUBLIC = "公房"
COMMERCIAL = "商品房"


def committee_frame() -> list[Candidate]:
    return (
        [Candidate(f"长乐路{i}弄", LANE) for i in range(300, 312)]
        + [Candidate(f"新乐路{i}号", GARDEN) for i in range(1, 4)]
        + [Candidate(f"襄阳北路{i}号", PUBLIC) for i in range(10, 16)]
    )


# --------------------------------------------------------------------------- allocation


@pytest.mark.parametrize(
    ("sizes", "n", "expected"),
    [
        ({"a": 30}, 3, {"a": 3}),
        ({"a": 6, "b": 3, "c": 3}, 3, {"a": 1, "b": 1, "c": 1}),
        ({"a": 10, "b": 5, "c": 1}, 5, {"a": 3, "b": 1, "c": 1}),  # largest remainder + minimum
        ({"a": 8, "b": 1, "c": 1}, 3, {"a": 1, "b": 1, "c": 1}),  # each stratum at least one
        ({"a": 20, "b": 10}, 3, {"a": 2, "b": 1}),
        ({"a": 7, "b": 3}, 4, {"a": 3, "b": 1}),  # quotas 2.8 and 1.2
        ({"a": 5, "b": 5}, 10, {"a": 5, "b": 5}),  # n reaches the frame: take all
    ],
)
def test_allocation(sizes: dict[str, int], n: int, expected: dict[str, int]) -> None:
    assert allocate(sizes, n, "seed") == expected


def test_allocation_with_more_strata_than_samples_is_seeded() -> None:
    sizes = {"a": 1, "b": 1, "c": 1, "d": 1}
    results = {tuple(allocate(sizes, 3, seed).values()) for seed in range(20)}
    assert all(sum(r) == 3 and max(r) == 1 for r in results)
    assert len(results) > 1  # ties are broken by the seed, not always the same stratum
    assert allocate(sizes, 3, "x") == allocate(dict(reversed(sizes.items())), 3, "x")


def test_allocation_errors() -> None:
    with pytest.raises(SamplingError):
        allocate({}, 3, "s")
    with pytest.raises(SamplingError):
        allocate({"a": 3}, 0, "s")
    with pytest.raises(SamplingError):
        allocate({"a": 0}, 1, "s")


@settings(max_examples=80, database=None, deadline=None)
@given(
    st.dictionaries(st.text("abcdef", min_size=1, max_size=3), st.integers(1, 40), min_size=1),
    st.integers(1, 12),
    st.text(max_size=8).filter(bool),
)
def test_allocation_properties(sizes: dict[str, int], n: int, seed: str) -> None:
    alloc = allocate(sizes, n, seed)
    total = sum(sizes.values())
    assert sum(alloc.values()) == min(n, total)
    assert all(0 <= alloc[s] <= sizes[s] for s in sizes)
    if len(sizes) <= n <= total:
        assert all(count >= 1 for count in alloc.values())
    assert allocate(dict(reversed(sizes.items())), n, seed) == alloc


# --------------------------------------------------------------------------- the draw


def test_draw_is_stratified_and_recorded() -> None:
    result = draw(committee_frame(), 3, seed="2026-R1/HN01")
    assert dict(result.allocation) == {PUBLIC: 1, GARDEN: 1, LANE: 1}
    assert sorted(c.stratum for c in result.selected) == sorted([PUBLIC, GARDEN, LANE])
    assert result.seed == "2026-R1/HN01"
    assert result.algorithm == ALGORITHM
    assert result.frame_ids == tuple(sorted(c.id for c in committee_frame()))
    assert result.selected_ids == tuple(sorted(result.selected_ids))
    assert not result.short_frame


def test_draw_does_not_depend_on_frame_order() -> None:
    candidates = committee_frame()
    first = draw(candidates, 3, seed=42)
    for i in range(5):
        shuffled = candidates[:]
        random.Random(i).shuffle(shuffled)
        assert draw(shuffled, 3, seed=42) == first
    assert draw([(c.id, c.stratum) for c in candidates], 3, seed="42") == first


def test_different_seeds_give_different_draws() -> None:
    candidates = frame(a=40)
    selections = {draw(candidates, 3, seed=s).selected_ids for s in range(10)}
    assert len(selections) > 5


def test_selection_is_smallest_sha256_keys_per_stratum() -> None:
    """The audit property: anyone can recompute the draw with a SHA-256 tool."""
    candidates = frame(a=9)
    seed = "audit"

    def key(candidate_id: str) -> str:
        message = json.dumps([ALGORITHM, seed, "candidate", candidate_id], ensure_ascii=False)
        return hashlib.sha256(message.encode("utf-8")).hexdigest()

    expected = sorted(sorted((c.id for c in candidates), key=key)[:3])
    assert list(draw(candidates, 3, seed=seed).selected_ids) == expected


def test_record_round_trip_and_verify() -> None:
    result = draw(committee_frame(), 3, seed="r")
    record = json.loads(json.dumps(result.to_record(), ensure_ascii=False))
    assert record["frame"][0] == {"id": result.frame[0].id, "stratum": result.frame[0].stratum}
    assert draw_from_record(record) == result
    assert verify(record)
    not_drawn = next(i for i in result.frame_ids if i not in result.selected_ids)
    assert not verify(dict(record, selected=[not_drawn, *record["selected"][1:]]))
    assert not verify(dict(record, allocation={LANE: 3}))
    with pytest.raises(SamplingError, match="unknown draw algorithm"):
        draw_from_record(dict(record, algorithm="v0"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"frame": "F1,F2"}, "record needs frame (list), n (integer) and seed (string)"),
        ({"n": "3"}, "record needs frame (list), n (integer) and seed (string)"),
        ({"seed": 7}, "record needs frame (list), n (integer) and seed (string)"),
        ({"frame": ["F1"]}, "frame items must be objects with id and stratum"),
    ],
)
def test_draw_from_a_malformed_record_is_refused(change: dict[str, object], message: str) -> None:
    record = json.loads(json.dumps(draw(committee_frame(), 3, seed="r").to_record()))
    with pytest.raises(SamplingError) as info:
        draw_from_record(dict(record, **change))
    assert str(info.value) == message


def test_short_frame_takes_all_and_is_flagged() -> None:
    result = draw(frame(a=1, b=1), 3, seed="s")
    assert result.short_frame
    assert result.selected_ids == ("a-00", "b-00")
    assert dict(result.allocation) == {"a": 1, "b": 1}
    with pytest.raises(SamplingError, match="fewer than n = 3"):
        draw(frame(a=2), 3, seed="s", allow_short=False)


@pytest.mark.parametrize(
    ("candidates", "n", "message"),
    [
        ([], 3, "the frame is empty"),
        ([Candidate("x", "a"), Candidate("x", "b")], 1, "duplicate id 'x'"),
        ([Candidate("", "a")], 1, "id must be a non-empty string"),
        ([Candidate("x", "")], 1, "stratum is empty"),
        ([Candidate("x", "a")], 0, "n must be an integer of at least 1"),
    ],
)
def test_draw_errors(candidates: list[Candidate], n: int, message: str) -> None:
    with pytest.raises(SamplingError, match=message):
        draw(candidates, n, seed="s")


def test_seed_must_be_text_or_integer() -> None:
    with pytest.raises(SamplingError):
        draw(frame(a=3), seed=True)
    with pytest.raises(SamplingError):
        draw(frame(a=3), seed="")


def test_committee_seed_is_derived_and_stable() -> None:
    seed = committee_seed("2026-R1", "HN01")
    assert seed == committee_seed("2026-R1", "HN01")
    assert len(seed) == 64
    assert int(seed, 16) >= 0
    assert seed != committee_seed("2026-R1", "HN02")
    assert seed != committee_seed("2026-R2", "HN01")
    assert committee_seed("a", "bc") != committee_seed("ab", "c")
    with pytest.raises(SamplingError):
        committee_seed("", "HN01")


def test_whole_round_is_reproducible_from_one_seed() -> None:
    frames = {"HN01": committee_frame(), "HN02": frame(a=5, b=7)}

    def run() -> dict[str, tuple[str, ...]]:
        return {
            cid: draw(f, 3, seed=committee_seed("2026-R1", cid)).selected_ids
            for cid, f in frames.items()
        }

    assert run() == run()
