"""Versioned consent rule sets (a 文号 and a scope), validated from JSON and shipped as data."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import cast

from .base import SCHEMA_VERSION, Base, Comparator, Scope, TallyError


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
    folder = resources.files("linli.elevator") / "rulesets"
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
