"""Owners' consent to a lift retrofit: rule sets, owner roll, tally and what is still needed.

Everything here is plain data in, plain data out, so the Django layer, the ``linli elevator``
command and the tests all count a vote the same way. Areas are integer hundredths of a square
metre and ratios are ``Fraction``: a vote that passes "exactly at the boundary" must not
depend on floating-point rounding.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from itertools import accumulate
from typing import Literal, cast

Comparator = Literal[">=", ">"]
Base = Literal["all", "participating"]
Scope = Literal["building", "estate"]

SCHEMA_VERSION = 1
DEVELOPER = "(developer)"
"""Owner key under which all unsold developer units are counted as one owner."""


class TallyError(ValueError):
    """Bad rule set or owner roll; ``field`` names what is wrong (a JSON path, unit or owner)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class Vote(StrEnum):
    """An owner's one response. Against and abstain are participation; none is not."""

    AGREE = "agree"
    AGAINST = "against"
    ABSTAIN = "abstain"
    NONE = "none"

    @property
    def participates(self) -> bool:
        return self is not Vote.NONE


# --- rule sets ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Threshold:
    """Shares of area and of headcount to reach; a share of ``None`` is not tested.

    ``base`` is what the shares are taken of: all owners of the roll, or only those taking part.
    """

    base: Base
    area: Fraction | None
    owners: Fraction | None
    comparator: Comparator


@dataclass(frozen=True)
class RuleSet:
    """One versioned consent rule (a 文号 and a scope), loaded from JSON data."""

    name: str
    title: str
    source: str
    scope: Scope
    effective_from: date
    effective_to: date | None
    quorum: Threshold | None
    approval: Threshold
    manual_conditions: tuple[str, ...] = ()
    notes: str = ""

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


_RULESET_KEYS = frozenset(
    {
        "schema",
        "name",
        "title",
        "source",
        "scope",
        "effective_from",
        "effective_to",
        "quorum",
        "approval",
        "manual_conditions",
        "notes",
    }
)
_REQUIRED_RULESET_KEYS = ("schema", "name", "title", "source", "scope", "effective_from")
_THRESHOLD_KEYS = frozenset({"base", "area", "owners", "comparator"})
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_FRACTION_RE = re.compile(r"^(\d+)(?:/(\d+))?$")


def _check_keys(data: Mapping[str, object], allowed: frozenset[str], where: str) -> None:
    unknown = sorted(str(key) for key in data if key not in allowed)
    if unknown:
        raise TallyError(f"{where}{unknown[0]}", "unknown field")


def _text(data: Mapping[str, object], key: str, where: str, *, required: bool = True) -> str:
    value = data.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise TallyError(f"{where}{key}", "must be a non-empty string")
    return value


def _date(value: object, where: str) -> date:
    if not isinstance(value, str):
        raise TallyError(where, "must be a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise TallyError(where, f"{value!r} is not a date written YYYY-MM-DD") from None


def _share(value: object, where: str, comparator: Comparator) -> Fraction | None:
    if value is None:
        return None
    match = _FRACTION_RE.match(value) if isinstance(value, str) else None
    if match is None:
        raise TallyError(where, f'{value!r} is not an exact fraction such as "3/4"')
    numerator, denominator = int(match[1]), int(match[2] or 1)
    if denominator == 0:
        raise TallyError(where, f"{value!r} divides by zero")
    share = Fraction(numerator, denominator)
    if not 0 < share <= 1:
        raise TallyError(where, f"{value!r} must be more than 0 and at most 1")
    if share == 1 and comparator == ">":
        raise TallyError(where, "more than the whole can never be reached")
    return share


def _threshold(value: object, where: str, *, quorum: bool) -> Threshold:
    if not isinstance(value, Mapping):
        raise TallyError(where.rstrip("."), "must be an object")
    data = cast(Mapping[str, object], value)
    _check_keys(data, _THRESHOLD_KEYS, where)
    comparator = data.get("comparator")
    if comparator not in (">=", ">"):
        raise TallyError(f"{where}comparator", 'must be ">=" (以上) or ">" (过半数/超过)')
    base = data.get("base", "all" if quorum else None)
    if quorum and base != "all":
        raise TallyError(f"{where}base", 'a quorum is always a share of all owners: use "all"')
    if base not in ("all", "participating"):
        raise TallyError(f"{where}base", 'must be "participating" or "all"')
    area = _share(data.get("area"), f"{where}area", comparator)
    owners = _share(data.get("owners"), f"{where}owners", comparator)
    if area is None and owners is None:
        raise TallyError(where.rstrip("."), "needs an area share, an owners share or both")
    return Threshold(base, area, owners, comparator)


def load_ruleset(data: object, *, where: str = "") -> RuleSet:
    """Validate rule-set data (the parsed JSON of one file) and build a ``RuleSet``.

    Every problem raises ``TallyError`` naming the field, prefixed by ``where`` (for example
    ``"rule."`` when the rule set sits inside a tally request).
    """
    if not isinstance(data, Mapping):
        raise TallyError(where.rstrip(".") or "rule", "must be an object")
    raw = cast(Mapping[str, object], data)
    _check_keys(raw, _RULESET_KEYS, where)
    for key in (*_REQUIRED_RULESET_KEYS, "approval"):
        if key not in raw:
            raise TallyError(f"{where}{key}", "missing")
    if raw["schema"] != SCHEMA_VERSION or isinstance(raw["schema"], bool):
        raise TallyError(f"{where}schema", f"must be {SCHEMA_VERSION}")
    name = _text(raw, "name", where)
    if not _NAME_RE.match(name):
        raise TallyError(f"{where}name", "use letters, digits, '.', '_' and '-' only")
    scope = raw["scope"]
    if scope not in ("building", "estate"):
        raise TallyError(f"{where}scope", 'must be "building" or "estate"')
    effective_from = _date(raw["effective_from"], f"{where}effective_from")
    effective_to = None
    if raw.get("effective_to") is not None:
        effective_to = _date(raw["effective_to"], f"{where}effective_to")
        if effective_to < effective_from:
            raise TallyError(f"{where}effective_to", "is before effective_from")
    quorum = None
    if raw.get("quorum") is not None:
        quorum = _threshold(raw["quorum"], f"{where}quorum.", quorum=True)
    approval = _threshold(raw["approval"], f"{where}approval.", quorum=False)
    if approval.base == "participating" and quorum is None:
        raise TallyError(
            f"{where}quorum", "is required when approval is a share of the participating owners"
        )
    conditions = raw.get("manual_conditions", [])
    if not isinstance(conditions, list) or not all(
        isinstance(item, str) and item.strip() for item in conditions
    ):
        raise TallyError(f"{where}manual_conditions", "must be a list of non-empty strings")
    return RuleSet(
        name=name,
        title=_text(raw, "title", where),
        source=_text(raw, "source", where),
        scope=scope,
        effective_from=effective_from,
        effective_to=effective_to,
        quorum=quorum,
        approval=approval,
        manual_conditions=tuple(cast(list[str], conditions)),
        notes=_text(raw, "notes", where, required=False),
    )


def _ruleset_files() -> dict[str, Traversable]:
    folder = resources.files(__package__ or "linli.elevator") / "rulesets"
    return {
        entry.name.removesuffix(".json"): entry
        for entry in folder.iterdir()
        if entry.name.endswith(".json")
    }


def available_rulesets() -> tuple[str, ...]:
    """Names of the rule sets shipped as data in ``linli/elevator/rulesets/``."""
    return tuple(sorted(_ruleset_files()))


@cache
def ruleset(name: str) -> RuleSet:
    """Load a shipped rule set by name; an unknown name raises ``TallyError``."""
    files = _ruleset_files()
    if name not in files:
        known = ", ".join(sorted(files))
        raise TallyError("rule", f"unknown rule set {name!r} (known: {known})")
    try:
        data = json.loads(files[name].read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise TallyError(f"rulesets/{name}.json", f"not valid JSON: {error}") from None
    loaded = load_ruleset(data)
    if loaded.name != name:
        raise TallyError(f"rulesets/{name}.json", f"declares name {loaded.name!r}")
    return loaded


def rulesets_in_force(on: date, scope: Scope | None = None) -> list[RuleSet]:
    """Shipped rule sets in force on a date (for choosing the rule of a consultation)."""
    found = (ruleset(name) for name in available_rulesets())
    return [rule for rule in found if rule.in_force(on) and scope in (None, rule.scope)]


# --- owner roll --------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """One exclusive unit (专有部分) of the roll, with its owner's response.

    ``area`` is in hundredths of a square metre (registered, else surveyed, else contract area).
    ``groups`` maps a dimension (``"floor"``, ``"type"``, ``"building"``...) to this unit's group.
    """

    unit: str
    owner: str
    area: int
    vote: Vote
    groups: Mapping[str, str] = field(default_factory=dict)
    developer: bool = False


@dataclass(frozen=True)
class Owner:
    """One counted owner: all their units merged, one vote, the summed area."""

    key: str
    developer: bool
    units: tuple[str, ...]
    area: int
    vote: Vote


def owner_roll(units: Iterable[Unit]) -> list[Owner]:
    """Merge units into owners (SPC interpretation on condominium ownership, arts. 8-9).

    Several units of one owner make one owner with the summed area; all developer units make one
    owner. The owner votes once: units marked ``none`` take the vote given on the owner's other
    units (the ballot covers them all); two different votes raise ``TallyError``.
    """
    seen: set[str] = set()
    merged: dict[str, list[Unit]] = {}
    for unit in units:
        if unit.unit in seen:
            raise TallyError(f"unit {unit.unit}", "appears twice in the roll")
        seen.add(unit.unit)
        if unit.area <= 0:
            raise TallyError(f"unit {unit.unit}", "area must be positive")
        if not unit.developer and unit.owner == DEVELOPER:
            raise TallyError(f"unit {unit.unit}", f"owner {DEVELOPER!r} is reserved")
        merged.setdefault(_owner_key(unit), []).append(unit)
    if not merged:
        raise TallyError("units", "the roll is empty")
    return [_merge(key, owned) for key, owned in merged.items()]


def _owner_key(unit: Unit) -> str:
    return DEVELOPER if unit.developer else unit.owner


def _merge(key: str, owned: list[Unit]) -> Owner:
    vote = Vote.NONE
    voted_on = ""
    for unit in owned:
        if unit.vote is not Vote.NONE:
            if vote is not Vote.NONE and unit.vote is not vote:
                raise TallyError(
                    f"owner {key}",
                    f"votes {vote.value!r} on unit {voted_on} and {unit.vote.value!r} on unit "
                    f"{unit.unit}; an owner votes once for all their units",
                )
            vote, voted_on = unit.vote, unit.unit
    return Owner(
        key=key,
        developer=key == DEVELOPER,
        units=tuple(unit.unit for unit in owned),
        area=sum(unit.area for unit in owned),
        vote=vote,
    )


_AREA_RE = re.compile(r"^\d+(\.\d{1,2})?$")
_UNIT_KEYS = frozenset({"unit", "owner", "area", "vote", "group", "developer"})


def parse_area(value: object, where: str) -> int:
    """Parse an area given in m² ("50.00", 50, Decimal) into integer hundredths; no floats."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise TallyError(where, 'area must be a decimal string such as "50.00"')
    if isinstance(value, str):
        if not _AREA_RE.match(value.strip()):
            raise TallyError(where, f"area {value!r} is not a number of m² with up to 2 decimals")
        value = Decimal(value.strip())
    try:
        hundredths = Decimal(value) * 100
    except InvalidOperation:
        raise TallyError(where, f"area {value!r} is not a number") from None
    if not hundredths.is_finite() or hundredths != hundredths.to_integral_value():
        raise TallyError(where, f"area {value} has more than 2 decimals")
    if hundredths <= 0:
        raise TallyError(where, f"area {value} must be positive")
    return int(hundredths)


def _group_map(value: object, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, str | int) and not isinstance(value, bool):
        return {"group": str(value)}
    if isinstance(value, Mapping) and all(
        isinstance(key, str) and isinstance(item, str | int) and not isinstance(item, bool)
        for key, item in value.items()
    ):
        return {str(key): str(item) for key, item in value.items()}
    raise TallyError(where, 'group must be a string or an object such as {"floor": "3"}')


def parse_units(rows: object) -> list[Unit]:
    """Validate roll rows as given in JSON (``unit``, ``owner``, ``area``, ``vote`` ...)."""
    if not isinstance(rows, list):
        raise TallyError("units", "must be a list")
    if not rows:
        raise TallyError("units", "the roll is empty")
    units = []
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise TallyError(f"units[{index}]", "must be an object")
        data = cast(Mapping[str, object], row)
        unit_id = data.get("unit")
        if not isinstance(unit_id, str | int) or isinstance(unit_id, bool) or unit_id == "":
            raise TallyError(f"units[{index}].unit", "must be a non-empty string")
        where = f"unit {unit_id}"
        unknown = sorted(str(key) for key in data if key not in _UNIT_KEYS)
        if unknown:
            raise TallyError(where, f"unknown field {unknown[0]!r}")
        developer = data.get("developer", False)
        if not isinstance(developer, bool):
            raise TallyError(where, "developer must be true or false")
        owner = data.get("owner")
        if developer:
            owner = DEVELOPER
        elif not isinstance(owner, str | int) or isinstance(owner, bool) or owner == "":
            raise TallyError(where, "owner is missing (mark unsold developer units developer)")
        vote = data.get("vote")
        if vote not in tuple(Vote):
            choices = ", ".join(item.value for item in Vote)
            raise TallyError(where, f"unknown vote {vote!r} (use {choices})")
        if "area" not in data:
            raise TallyError(where, "area is missing")
        units.append(
            Unit(
                unit=str(unit_id),
                owner=str(owner),
                area=parse_area(data["area"], where),
                vote=Vote(cast(str, vote)),
                groups=_group_map(data.get("group"), where),
                developer=developer,
            )
        )
    return units


# --- counting ----------------------------------------------------------------------------


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


# --- what is still needed ----------------------------------------------------------------


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


# --- the tally ---------------------------------------------------------------------------


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


# --- presentation (shared by the command and the API) ------------------------------------


def format_area(hundredths: int) -> str:
    """Hundredths of m² as a decimal string with two places ("600.00")."""
    sign = "-" if hundredths < 0 else ""
    whole, cents = divmod(abs(hundredths), 100)
    return f"{sign}{whole}.{cents:02d}"


def format_ratio(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def format_percent(value: Fraction) -> str:
    """A ratio as a percentage with two decimals, for display only (decisions use fractions)."""
    return format_area(round(value * 10000))


def _ratio(part: int, whole: int) -> dict[str, str] | None:
    if whole == 0:
        return None
    value = Fraction(part, whole)
    return {"ratio": format_ratio(value), "percent": format_percent(value)}


def _count_dict(count: Count) -> dict[str, object]:
    return {"owners": count.owners, "area": format_area(count.area)}


def _breakdown_dict(breakdown: Breakdown) -> dict[str, object]:
    return {
        "owners": breakdown.total.owners,
        "area": format_area(breakdown.total.area),
        "agree": _count_dict(breakdown.agree),
        "against": _count_dict(breakdown.against),
        "abstain": _count_dict(breakdown.abstain),
        "none": _count_dict(breakdown.none),
    }


def _still_needed_dict(needed: StillNeeded | None) -> dict[str, object] | None:
    if needed is None:
        return None
    return {
        "owners": needed.owners,
        "min_area": format_area(needed.min_area),
        "from_non_participants": needed.from_non_participants,
        "from_participants": needed.from_participants,
        "witness_area": format_area(needed.witness_area),
        "witness": [
            {"owner": owner.key, "area": format_area(owner.area), "vote": owner.vote.value}
            for owner in needed.witness
        ],
    }


def _check_dict(check: Check) -> dict[str, object]:
    area = check.measure == "area"

    def show(value: int) -> str:
        return f"{format_area(value)} m²" if area else str(value)

    required = check.required / 100 if area else check.required
    verdict = "meets" if check.met else "misses"
    return {
        "condition": check.condition,
        "measure": check.measure,
        "actual": format_area(check.actual) if area else check.actual,
        "base": format_area(check.base) if area else check.base,
        "share": format_ratio(check.share),
        "comparator": check.comparator,
        "required": format_ratio(required),
        "minimum": format_area(check.minimum) if area else check.minimum,
        "met": check.met,
        "actual_share": _ratio(check.actual, check.base),
        "text": f"{check.condition} by {check.measure}: {show(check.actual)} {verdict} "
        f"{check.comparator} {format_ratio(check.share)} of {show(check.base)} "
        f"(at least {show(check.minimum)})",
    }


def _result_dict(result: TallyResult) -> dict[str, object]:
    breakdown = result.breakdown
    total, taking_part = breakdown.total, breakdown.participating
    return {
        "rule": result.rule.name,
        "source": result.rule.source,
        "scope": result.rule.scope,
        "passed": result.passed,
        "quorum_met": result.quorum_met,
        "approval_met": result.approval_met,
        "owners": total.owners,
        "total_area": format_area(total.area),
        "participating_owners": taking_part.owners,
        "participating_area": format_area(taking_part.area),
        "agreeing_owners": breakdown.agree.owners,
        "agreeing_area": format_area(breakdown.agree.area),
        "against_owners": breakdown.against.owners,
        "against_area": format_area(breakdown.against.area),
        "abstaining_owners": breakdown.abstain.owners,
        "abstaining_area": format_area(breakdown.abstain.area),
        "not_participating_owners": breakdown.none.owners,
        "not_participating_area": format_area(breakdown.none.area),
        "still_needed": _still_needed_dict(result.still_needed),
        "ratios": {
            "participating_owners": _ratio(taking_part.owners, total.owners),
            "participating_area": _ratio(taking_part.area, total.area),
            "agreeing_owners_of_participating": _ratio(breakdown.agree.owners, taking_part.owners),
            "agreeing_area_of_participating": _ratio(breakdown.agree.area, taking_part.area),
            "agreeing_owners_of_all": _ratio(breakdown.agree.owners, total.owners),
            "agreeing_area_of_all": _ratio(breakdown.agree.area, total.area),
        },
        "checks": [_check_dict(check) for check in result.checks],
        "unanimity": {
            "owners_not_agreeing": result.unanimity.owners_not_agreeing,
            "area_not_agreeing": format_area(result.unanimity.area_not_agreeing),
            "agreeing_owners_share": format_ratio(result.unanimity.owner_share),
            "agreeing_area_share": format_ratio(result.unanimity.area_share),
            "agreeing_owners_percent": format_percent(result.unanimity.owner_share),
            "agreeing_area_percent": format_percent(result.unanimity.area_share),
        },
        "manual_conditions": list(result.rule.manual_conditions),
        "groups": {
            dimension: {
                name: {
                    **_breakdown_dict(group.breakdown),
                    "still_needed": _still_needed_dict(group.still_needed),
                }
                for name, group in groups.items()
            }
            for dimension, groups in result.groups.items()
        },
    }


# --- what the owners see -----------------------------------------------------------------------

OWNER_DOCUMENTS: frozenset[str] = frozenset(
    {
        "intent_survey_result",
        "preliminary_design",
        "cost_estimate",
        "round_table_minutes",
        "retrofit_agreement",
        "cost_sharing_table",
        "result_notice",
        "planning_notice",
        "safety_review_opinion",
        "construction_drawings",
        "construction_permit",
        "installation_notice",
        "supervision_inspection_certificate",
        "use_registration_certificate",
        "completion_acceptance_record",
        "use_management_designation",
        "maintenance_contract",
        "insurance_policy",
    }
)
"""Document kinds an owner may open on the owner page. Ballots, objection replies, the working
group's record, subsidy and filing papers carry other people's details and stay with staff."""

DESIGN_DOCUMENTS: tuple[str, ...] = (
    "preliminary_design",
    "planning_notice",
    "construction_drawings",
)
"""The kinds that show the lift's design, newest stage last."""

IMAGE_SUFFIXES: frozenset[str] = frozenset({".png", ".jpg", ".jpeg"})


def is_image(name: str) -> bool:
    """A drawing the owner page can show inline (by its file suffix)."""
    dot = name.rfind(".")
    return dot >= 0 and name[dot:].lower() in IMAGE_SUFFIXES
