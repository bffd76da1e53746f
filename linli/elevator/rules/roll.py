"""The owner roll: units merged into counted owners, and roll rows parsed from JSON."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import cast

from .base import DEVELOPER, TallyError, Vote


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
