"""Stratified random draw of a committee's assessment samples (pure, reproducible).

The method asks for a random draw that anyone can repeat from the recorded seed and frame,
so the draw uses no hidden random state: every candidate gets a SHA-256 key of
(algorithm, seed, candidate id) and each stratum takes its candidates with the smallest keys.
The result is the same whatever order the frame is given in, on any machine and any Python
version, and can be re-checked by hand with any SHA-256 tool.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType
from typing import Final

__all__ = [
    "ALGORITHM",
    "Candidate",
    "Draw",
    "SamplingError",
    "allocate",
    "committee_seed",
    "draw",
    "draw_from_record",
    "verify",
]

#: Name and version of the draw procedure; recorded in every ``Draw``.
ALGORITHM: Final = "linli-stratified-sha256/1"


class SamplingError(ValueError):
    """The frame or the draw parameters are invalid."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """One building or lane group (弄/门牌 group) that can be drawn, with its housing type."""

    id: str
    stratum: str


@dataclass(frozen=True)
class Draw:
    """A draw with everything needed to repeat and audit it.

    ``frame`` is sorted by id; ``allocation`` maps every stratum (sorted by name) to the
    number drawn from it; ``selected`` is sorted by id. ``short_frame`` is true when the frame
    had fewer candidates than ``n``: then every candidate is taken.
    """

    algorithm: str
    seed: str
    n: int
    frame: tuple[Candidate, ...]
    allocation: Mapping[str, int]
    selected: tuple[Candidate, ...]
    short_frame: bool

    @property
    def selected_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.selected)

    @property
    def frame_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.frame)

    def to_record(self) -> dict[str, object]:
        """JSON-ready audit record (stored with the assessment)."""
        return {
            "algorithm": self.algorithm,
            "seed": self.seed,
            "n": self.n,
            "frame": [{"id": c.id, "stratum": c.stratum} for c in self.frame],
            "allocation": dict(self.allocation),
            "selected": list(self.selected_ids),
            "short_frame": self.short_frame,
        }


def _key(seed: str, purpose: str, value: str) -> str:
    """Deterministic pseudo-random key; JSON encoding keeps the fields unambiguous."""
    message = json.dumps([ALGORITHM, seed, purpose, value], ensure_ascii=False)
    return hashlib.sha256(message.encode("utf-8")).hexdigest()


def committee_seed(round_seed: str, committee_id: str) -> str:
    """Per-committee seed derived from the round seed, so one seed reproduces a whole round."""
    if not round_seed or not committee_id:
        raise SamplingError("round seed and committee id must be non-empty")
    message = json.dumps(["linli-risk-committee-seed/1", round_seed, committee_id])
    return hashlib.sha256(message.encode("utf-8")).hexdigest()


def _normalise_seed(seed: str | int) -> str:
    if isinstance(seed, bool) or not isinstance(seed, str | int):
        raise SamplingError(f"seed must be a string or an integer, got {seed!r}")
    text = str(seed)
    if not text:
        raise SamplingError("seed must not be empty")
    return text


def allocate(sizes: Mapping[str, int], n: int, seed: str | int) -> dict[str, int]:
    """Allocate n samples over strata proportionally to their sizes (largest remainder).

    Each stratum first gets the whole part of its quota n*size/total; the samples left go to
    the largest fractional parts (ties: larger stratum, then the seeded key). When n is at
    least the number of strata every stratum gets one: a stratum with none takes one from
    the stratum most above its quota. When n reaches the frame size every candidate is taken.
    """
    seed_text = _normalise_seed(seed)
    if n < 1:
        raise SamplingError(f"n must be at least 1, got {n}")
    if not sizes:
        raise SamplingError("the frame is empty")
    for stratum, size in sizes.items():
        if size < 1:
            raise SamplingError(f"stratum {stratum!r} must have at least one candidate")
    total = sum(sizes.values())
    if n >= total:
        return dict(sorted(sizes.items()))
    tie = {s: _key(seed_text, "stratum", s) for s in sizes}
    quota = {s: Fraction(n * size, total) for s, size in sizes.items()}
    alloc = {s: q.numerator // q.denominator for s, q in quota.items()}
    left = n - sum(alloc.values())
    by_remainder = sorted(sizes, key=lambda s: (-(quota[s] - alloc[s]), -sizes[s], tie[s]))
    for stratum in by_remainder[:left]:
        alloc[stratum] += 1
    if n >= len(sizes):
        while True:
            empty = [s for s in sizes if alloc[s] == 0]
            if not empty:
                break
            receiver = min(empty, key=lambda s: (-quota[s], tie[s]))
            donors = [s for s in sizes if alloc[s] >= 2]
            donor = min(donors, key=lambda s: (-(alloc[s] - quota[s]), tie[s]))
            alloc[donor] -= 1
            alloc[receiver] += 1
    return dict(sorted(alloc.items()))


def _candidates(frame: Iterable[Candidate | tuple[str, str]]) -> tuple[Candidate, ...]:
    items = []
    seen: set[str] = set()
    for position, raw in enumerate(frame, 1):
        candidate = raw if isinstance(raw, Candidate) else Candidate(*raw)
        if not isinstance(candidate.id, str) or not candidate.id:
            raise SamplingError(f"frame item {position}: id must be a non-empty string")
        if not isinstance(candidate.stratum, str) or not candidate.stratum:
            raise SamplingError(f"frame item {position} ({candidate.id}): stratum is empty")
        if candidate.id in seen:
            raise SamplingError(f"frame item {position}: duplicate id {candidate.id!r}")
        seen.add(candidate.id)
        items.append(candidate)
    return tuple(sorted(items, key=lambda c: c.id))


def draw(
    frame: Iterable[Candidate | tuple[str, str]],
    n: int = 3,
    *,
    seed: str | int,
    allow_short: bool = True,
) -> Draw:
    """Draw n samples from a committee's frame, stratified by housing type.

    A frame smaller than n is not an error by default: every candidate is taken and the draw
    is flagged ``short_frame`` (the assessment then covers the whole committee). Pass
    ``allow_short=False`` to raise instead. An empty frame is always an error.
    """
    seed_text = _normalise_seed(seed)
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise SamplingError(f"n must be an integer of at least 1, got {n!r}")
    candidates = _candidates(frame)
    if not candidates:
        raise SamplingError("the frame is empty")
    short = len(candidates) < n
    if short and not allow_short:
        raise SamplingError(f"the frame has {len(candidates)} candidates, fewer than n = {n}")
    sizes: dict[str, int] = {}
    for c in candidates:
        sizes[c.stratum] = sizes.get(c.stratum, 0) + 1
    alloc = allocate(sizes, min(n, len(candidates)), seed_text)
    chosen: list[Candidate] = []
    for stratum, count in alloc.items():
        members = [c for c in candidates if c.stratum == stratum]
        members.sort(key=lambda c: _key(seed_text, "candidate", c.id))
        chosen.extend(members[:count])
    return Draw(
        algorithm=ALGORITHM,
        seed=seed_text,
        n=n,
        frame=candidates,
        allocation=MappingProxyType(alloc),
        selected=tuple(sorted(chosen, key=lambda c: c.id)),
        short_frame=short,
    )


def draw_from_record(record: Mapping[str, object]) -> Draw:
    """Repeat a draw from its audit record (``Draw.to_record``)."""
    algorithm = record.get("algorithm")
    if algorithm != ALGORITHM:
        raise SamplingError(f"unknown draw algorithm {algorithm!r}")
    frame = record.get("frame")
    n = record.get("n")
    seed = record.get("seed")
    if not isinstance(frame, list) or not isinstance(n, int) or not isinstance(seed, str):
        raise SamplingError("record needs frame (list), n (integer) and seed (string)")
    candidates = []
    for item in frame:
        if not isinstance(item, Mapping):
            raise SamplingError("frame items must be objects with id and stratum")
        candidates.append(Candidate(str(item.get("id", "")), str(item.get("stratum", ""))))
    return draw(candidates, n, seed=seed)


def verify(record: Mapping[str, object]) -> bool:
    """True when repeating the recorded draw reproduces the record exactly (audit check)."""
    repeated = draw_from_record(record).to_record()
    return all(record.get(key) == value for key, value in repeated.items())
