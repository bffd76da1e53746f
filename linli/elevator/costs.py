"""Who pays what for a retrofitted lift: subsidy, construction shares, yearly running costs.

Money is integer fen (0.01 yuan) and weights are ``Fraction``; every table is rounded once, by
largest remainders, so the flats' shares add up exactly to the amount being shared and a
household statement never disagrees with the agreement by a fen.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Literal, cast

Per = Literal["flat", "area"]

RUNNING_ITEMS = ("maintenance_contract", "inspection", "electricity", "insurance", "reserve")
"""The usual yearly running-cost items, in display order."""


class CostError(ValueError):
    """Bad cost input; ``field`` names the flat, floor, storey or setting that is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Flat:
    """One household served by the lift. ``area`` is hundredths of m² (area methods need it).

    ``exempt`` takes a flat out of the sharing altogether (for example by agreement).
    """

    flat: str
    floor: int
    area: int = 0
    exempt: bool = False


@dataclass(frozen=True)
class ByArea:
    """Civil Code art. 283 default when owners agree nothing else: by exclusive area."""


@dataclass(frozen=True)
class ByCoefficients:
    """Floor coefficient × area: higher floors pay more per m² (coefficients set by agreement)."""

    coefficients: Mapping[int, Fraction]


@dataclass(frozen=True)
class BySegments:
    """The "elevator rule": each storey's cost is shared by the flats the lift carries past it.

    ``storey_weights`` gives the relative cost of each storey from the ground floor up (equal
    when omitted); ``per`` shares a storey equally per flat or by area.
    """

    storey_weights: tuple[Fraction, ...] | None = None
    per: Per = "flat"


@dataclass(frozen=True)
class Hybrid:
    """A fixed part shared by every paying flat, the rest by the elevator rule."""

    fixed_share: Fraction
    per: Per = "flat"
    storey_weights: tuple[Fraction, ...] | None = None


Method = ByArea | ByCoefficients | BySegments | Hybrid


def _validate_flats(flats: Sequence[Flat], ground_floor: int) -> None:
    if not flats:
        raise CostError("flats", "no flats to share among")
    seen: set[str] = set()
    for flat in flats:
        if flat.flat in seen:
            raise CostError(f"flat {flat.flat}", "appears twice")
        seen.add(flat.flat)
        if flat.floor < ground_floor:
            raise CostError(f"flat {flat.flat}", f"floor {flat.floor} is below the ground floor")
        if flat.area < 0:
            raise CostError(f"flat {flat.flat}", "area must not be negative")


def _storey_costs(
    weights: tuple[Fraction, ...] | None, ground_floor: int, top_floor: int
) -> list[Fraction]:
    storeys = top_floor - ground_floor
    if weights is None:
        return [Fraction(1)] * storeys
    if len(weights) != storeys:
        raise CostError(
            "storey_weights", f"needs {storeys} values (storeys {ground_floor + 1}-{top_floor})"
        )
    if any(weight < 0 for weight in weights) or sum(weights) == 0:
        raise CostError("storey_weights", "must be non-negative and not all zero")
    return list(weights)


def _per_flat(flat: Flat, per: Per) -> Fraction:
    if per == "area":
        if flat.area <= 0:
            raise CostError(f"flat {flat.flat}", "area must be positive to share by area")
        return Fraction(flat.area)
    return Fraction(1)


def _segment_weights(
    flats: Sequence[Flat],
    paying: Sequence[Flat],
    storey_weights: tuple[Fraction, ...] | None,
    per: Per,
    ground_floor: int,
) -> dict[str, Fraction]:
    """Storey s (from floor s-1 to s) is shared by the paying flats on floor s or higher."""
    result = {flat.flat: Fraction(0) for flat in paying}
    top_floor = max(flat.floor for flat in flats)
    costs = _storey_costs(storey_weights, ground_floor, top_floor)
    total = sum(costs, Fraction(0))
    for offset, cost in enumerate(costs):
        storey = ground_floor + offset + 1
        users = {flat.flat: _per_flat(flat, per) for flat in paying if flat.floor >= storey}
        if cost == 0:
            continue
        if not users:
            raise CostError(f"storey {storey}", "no paying flat uses it; its cost has no payer")
        whole = sum(users.values(), Fraction(0))
        for key, weight in users.items():
            result[key] += cost / total * weight / whole
    return result


def weights(
    flats: Sequence[Flat],
    method: Method,
    *,
    exempt_ground_floor: bool = True,
    ground_floor: int = 1,
) -> dict[str, Fraction]:
    """Each flat's exact fraction of the amount (they sum to 1); exempt flats get 0."""
    _validate_flats(flats, ground_floor)
    paying = [
        flat
        for flat in flats
        if not flat.exempt and not (exempt_ground_floor and flat.floor == ground_floor)
    ]
    raw: dict[str, Fraction] = {flat.flat: Fraction(0) for flat in flats}
    if isinstance(method, ByArea):
        for flat in paying:
            raw[flat.flat] = _per_flat(flat, "area")
    elif isinstance(method, ByCoefficients):
        for flat in paying:
            coefficient = method.coefficients.get(flat.floor)
            if coefficient is None:
                raise CostError(f"flat {flat.flat}", f"no coefficient for floor {flat.floor}")
            if coefficient < 0:
                raise CostError(f"coefficients[{flat.floor}]", "must not be negative")
            raw[flat.flat] = coefficient * _per_flat(flat, "area")
    elif isinstance(method, BySegments):
        raw.update(_segment_weights(flats, paying, method.storey_weights, method.per, ground_floor))
    else:
        if not 0 <= method.fixed_share <= 1:
            raise CostError("fixed_share", "must be between 0 and 1")
        if not paying:
            raise CostError("flats", "no flat pays (all exempt)")
        fixed = {flat.flat: _per_flat(flat, method.per) for flat in paying}
        fixed_total = sum(fixed.values(), Fraction(0))
        variable = dict.fromkeys(fixed, Fraction(0))
        if method.fixed_share < 1:
            variable = _segment_weights(
                flats, paying, method.storey_weights, method.per, ground_floor
            )
        for key, weight in fixed.items():
            part = method.fixed_share * weight / fixed_total
            raw[key] = part + (1 - method.fixed_share) * variable[key]
    total = sum(raw.values(), Fraction(0))
    if total == 0:
        raise CostError("flats", "no flat pays (all exempt or weighted zero)")
    return {key: value / total for key, value in raw.items()}


def largest_remainder(amount: int, shares: Sequence[Fraction]) -> list[int]:
    """Split ``amount`` (fen) in proportion to ``shares`` into integers that add up exactly.

    Each part is rounded down, then the fen left over go one each to the largest remainders;
    ties go to the earlier entry, so the result is reproducible.
    """
    if amount < 0:
        raise CostError("amount", "must not be negative")
    total = sum(shares, Fraction(0))
    if total <= 0 or any(share < 0 for share in shares):
        raise CostError("shares", "must be non-negative and not all zero")
    exact = [amount * share / total for share in shares]
    parts = [math.floor(value) for value in exact]
    left = amount - sum(parts)
    order = sorted(range(len(exact)), key=lambda index: (-(exact[index] - parts[index]), index))
    for index in order[:left]:
        parts[index] += 1
    return parts


def split(
    amount: int,
    flats: Sequence[Flat],
    method: Method,
    *,
    exempt_ground_floor: bool = True,
    ground_floor: int = 1,
) -> dict[str, int]:
    """Share ``amount`` fen among the flats; the result adds up exactly to ``amount``."""
    exact = weights(
        flats, method, exempt_ground_floor=exempt_ground_floor, ground_floor=ground_floor
    )
    parts = largest_remainder(amount, list(exact.values()))
    return dict(zip(exact, parts, strict=True))


# --- subsidy ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubsidyPart:
    """One source of public money: ``fixed`` fen plus ``share`` of the cost, at most ``cap``."""

    name: str
    share: Fraction = Fraction(0)
    fixed: int = 0
    cap: int | None = None

    def amount(self, cost: int) -> int:
        """Rounded down to the fen: public money never rounds up."""
        value = self.fixed + math.floor(self.share * cost)
        return value if self.cap is None else min(value, self.cap)


@dataclass(frozen=True)
class Funding:
    """The cost of one lift, the public money against it, and what the residents pay."""

    cost: int
    subsidies: tuple[tuple[str, int], ...]
    residents: int

    @property
    def subsidy(self) -> int:
        return sum(amount for _, amount in self.subsidies)


def funding(cost: int, parts: Sequence[SubsidyPart]) -> Funding:
    """Apply subsidy parts in order (base subsidy first, then top-ups).

    Shares are of the whole cost; the total never exceeds the cost (a later part is cut to what
    is left), so the residents' part is never negative.
    """
    if cost < 0:
        raise CostError("cost", "must not be negative")
    left = cost
    granted = []
    for index, part in enumerate(parts):
        if part.share < 0 or part.fixed < 0 or (part.cap is not None and part.cap < 0):
            raise CostError(f"subsidy[{index}] {part.name}", "amounts must not be negative")
        amount = min(part.amount(cost), left)
        granted.append((part.name, amount))
        left -= amount
    return Funding(cost=cost, subsidies=tuple(granted), residents=left)


_YUAN_RE = re.compile(r"^\d+(\.\d{1,2})?$")
_SHARE_RE = re.compile(r"^(\d+)/(\d+)$|^\d+(\.\d+)?$")


def parse_yuan(value: object, where: str) -> int:
    """ "240000" or "240000.00" yuan (string or integer) as integer fen."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise CostError(where, 'must be an amount in yuan such as "240000.00"')
    text = str(value).strip()
    if not _YUAN_RE.match(text):
        raise CostError(where, f"{value!r} is not an amount in yuan with up to 2 decimals")
    return int(Decimal(text) * 100)


def parse_share(value: object, where: str) -> Fraction:
    """ "2/5" or "0.4" as an exact fraction between 0 and 1."""
    if not isinstance(value, str) or not _SHARE_RE.match(value.strip()):
        raise CostError(where, f'{value!r} is not a share such as "2/5" or "0.4"')
    text = value.strip()
    if "/" in text and text.endswith("/0"):
        raise CostError(where, f"{value!r} divides by zero")
    share = Fraction(text)
    if not 0 <= share <= 1:
        raise CostError(where, f"{value!r} must be between 0 and 1")
    return share


def load_subsidy(data: object) -> tuple[SubsidyPart, ...]:
    """Subsidy configuration as data: ``[{"name", "share"?, "fixed"?, "cap"?}, ...]``."""
    if not isinstance(data, list):
        raise CostError("subsidy", "must be a list of parts")
    parts = []
    for index, item in enumerate(data):
        where = f"subsidy[{index}]"
        if not isinstance(item, Mapping):
            raise CostError(where, "must be an object")
        raw = cast(Mapping[str, object], item)
        unknown = sorted(set(raw) - {"name", "share", "fixed", "cap"})
        if unknown:
            raise CostError(f"{where}.{unknown[0]}", "unknown field")
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            raise CostError(f"{where}.name", "must be a non-empty string")
        parts.append(
            SubsidyPart(
                name=name,
                share=parse_share(raw["share"], f"{where}.share")
                if "share" in raw
                else Fraction(0),
                fixed=parse_yuan(raw["fixed"], f"{where}.fixed") if "fixed" in raw else 0,
                cap=parse_yuan(raw["cap"], f"{where}.cap") if raw.get("cap") is not None else None,
            )
        )
    return tuple(parts)


@dataclass(frozen=True)
class ConstructionShares:
    """Funding of the lift and each flat's part of the residents' share (fen)."""

    funding: Funding
    shares: Mapping[str, int]


def construction_shares(
    cost: int,
    subsidy: Sequence[SubsidyPart],
    flats: Sequence[Flat],
    method: Method,
    *,
    exempt_ground_floor: bool = True,
    ground_floor: int = 1,
) -> ConstructionShares:
    """The residents' part after subsidies, shared among the flats to the fen."""
    money = funding(cost, subsidy)
    shares = split(
        money.residents,
        flats,
        method,
        exempt_ground_floor=exempt_ground_floor,
        ground_floor=ground_floor,
    )
    return ConstructionShares(funding=money, shares=shares)


# --- running costs ------------------------------------------------------------------------


@dataclass(frozen=True)
class RunningCostTable:
    """Yearly running costs: each item shared on its own, so every column adds up exactly."""

    items: Mapping[str, Mapping[str, int]]
    """Item -> flat -> fen."""
    totals: Mapping[str, int] = field(default_factory=dict)
    """Flat -> fen per year (the sum of that flat's items)."""

    @property
    def total(self) -> int:
        return sum(self.totals.values())


def running_cost_table(
    yearly: Mapping[str, int],
    flats: Sequence[Flat],
    method: Method,
    *,
    exempt_ground_floor: bool = True,
    ground_floor: int = 1,
) -> RunningCostTable:
    """Share each yearly item (``RUNNING_ITEMS`` or others) with one method, to the fen."""
    exact = weights(
        flats, method, exempt_ground_floor=exempt_ground_floor, ground_floor=ground_floor
    )
    items: dict[str, dict[str, int]] = {}
    totals = dict.fromkeys(exact, 0)
    for item, amount in yearly.items():
        if not item:
            raise CostError("yearly", "an item needs a name")
        if amount < 0:
            raise CostError(f"yearly.{item}", "must not be negative")
        parts = dict(zip(exact, largest_remainder(amount, list(exact.values())), strict=True))
        items[item] = parts
        for key, value in parts.items():
            totals[key] += value
    return RunningCostTable(items=items, totals=totals)


def format_yuan(fen: int) -> str:
    """Integer fen as yuan with two decimals ("21600.00")."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"
