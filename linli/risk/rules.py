"""Scoring engine for the 三色预警 safety-risk method (pure Python, no Django).

The method (units, weights, bands, deadlines) is data: a street publishes a new method
version as JSON instead of changing code, and every assessment records the version it was
scored with. This module validates such data and scores committees exactly. Grades are
decided on band edges (60, 40, 20), where a float would flip results, so everything is
computed with integers and ``fractions.Fraction``; values are rounded only for reports.

The hot path keeps sub-unit values as integers (r = 4 x max R) and unit values as integer
numerators over one common denominator; ``Fraction`` objects are built for sample and
committee values, and for unit and sub-unit results only when a caller reads them.
"""

from __future__ import annotations

import math
import re
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from functools import lru_cache
from importlib import resources
from json import JSONDecodeError, loads
from types import MappingProxyType
from typing import Final, Literal

__all__ = [
    "CONTROL_LIKELIHOOD",
    "GRADES",
    "NA",
    "CommitteeResult",
    "Finding",
    "FindingBand",
    "GradeInfo",
    "Method",
    "MethodError",
    "NAType",
    "RectificationRules",
    "RiskError",
    "SampleInput",
    "SampleResult",
    "ScoringError",
    "SeverityReason",
    "SubUnit",
    "SubunitResult",
    "Unit",
    "UnitResult",
    "ValueBand",
    "adjusted_severity",
    "available_methods",
    "default_method",
    "finding_grade",
    "format_value",
    "get_method",
    "likelihood",
    "load_method",
    "round_half_up",
    "score_committee",
    "score_sample",
    "value_grade",
]

#: Grades, worst first. Internally a grade is a rank: D=0, C=1, B=2, A=3, so ``max`` is "worst".
GRADES: Final = ("A", "B", "C", "D")
_RANK: Final = MappingProxyType({"A": 3, "B": 2, "C": 1, "D": 0})
_BY_RANK: Final = ("D", "C", "B", "A")

#: Sub-unit value per unit of R (r = 4 x max R maps R = 25 to 100). Part of the formula.
SUBUNIT_FACTOR: Final = 4

DEFAULT_METHOD_VERSION: Final = "linli-2026"
_VERSION_RE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_DECIMAL_RE: Final = re.compile(r"^[0-9]+(\.[0-9]+)?$")
#: Shared immutable unit results are cached per method; the cache is cleared at this size.
_UNIT_CACHE_LIMIT: Final = 100_000


# --------------------------------------------------------------------------- errors


class RiskError(ValueError):
    """Base class of every error this package raises on bad input or bad method data."""


class MethodError(RiskError):
    """Method data is invalid or unknown; ``field`` names the offending field path."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}")


class ScoringError(RiskError):
    """Scoring input is invalid; the message names sample, sub-unit and finding (1-based)."""

    def __init__(
        self,
        problem: str,
        *,
        sample: object = None,
        subunit: str | None = None,
        finding: int | None = None,
    ) -> None:
        self.sample = sample
        self.subunit = subunit
        self.finding = finding
        self.problem = problem
        parts = []
        if sample is not None:
            parts.append(f"sample {sample}")
        if subunit is not None:
            parts.append(f"sub-unit {subunit}")
        if finding is not None:
            parts.append(f"finding {finding}")
        where = ", ".join(parts) if parts else "samples"
        super().__init__(f"{where}: {problem}")


# --------------------------------------------------------------------------- the method


@dataclass(frozen=True, slots=True)
class GradeInfo:
    """Display data of one grade (colour and names); the grade letters themselves are fixed."""

    grade: str
    color: str
    color_zh: str
    name_zh: str
    name_en: str


@dataclass(frozen=True, slots=True)
class Unit:
    """An assessment unit (评估单元) with its weight and its sub-unit codes in method order."""

    code: str
    name_zh: str
    name_en: str
    weight: Fraction
    subunits: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SubUnit:
    """An assessment sub-unit (评估子单元): what the inspector checks and the default severity."""

    code: str
    unit: str
    name_zh: str
    name_en: str
    check_zh: str
    check_en: str
    s0: int


@dataclass(frozen=True, slots=True)
class FindingBand:
    """A finding whose R is at least ``min_r`` (and below the next band) gets ``grade``."""

    grade: str
    min_r: int


@dataclass(frozen=True, slots=True)
class ValueBand:
    """A unit, sample or committee value at least ``min`` (0-100) gets ``grade``."""

    grade: str
    min: Fraction


@dataclass(frozen=True, slots=True)
class SeverityReason:
    """A reason that lets the inspector raise a sub-unit's default severity."""

    code: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class RectificationRules:
    """Deadlines, escalation and sign-off rules for hazard cases (used by rectification.py)."""

    on_the_spot_days: int
    rectify_days: Mapping[str, int | None]
    interim_hours: Mapping[str, int]
    plan_days: Mapping[str, int]
    roll_to_working_day: bool
    reinspection_working_days: int
    auto_supervision_grades: frozenset[str]
    supervision_after_overdue: int
    signoff_grades: frozenset[str]
    signoff_parties: tuple[str, ...]
    repeat_window_months: int


@dataclass(frozen=True, slots=True)
class _Compiled:
    """Integer tables derived from a method once, so scoring never touches Fractions per item."""

    codes: tuple[str, ...]
    sub_index: Mapping[str, int]
    sub_unit: tuple[int, ...]
    unit_codes: tuple[str, ...]
    unit_sizes: tuple[int, ...]
    r_grade: tuple[int, ...]
    major_rank: int
    den: int
    mult: tuple[int, ...]
    t_a: int
    t_b: int
    t_c: int
    weights: tuple[int, ...]
    weight_den: int
    floor: tuple[int, ...]
    colors: tuple[str, ...]
    zero_sub: array[int]
    none_sub: array[int]
    none_unit: array[int]
    sub_cache: list[SubunitResult | None]
    unit_cache: dict[tuple[int, int, int, int], UnitResult]


@dataclass(frozen=True)
class Method:
    """A validated, immutable method version. Build it with ``load_method``."""

    version: str
    title_zh: str
    title_en: str
    grades: tuple[GradeInfo, ...]
    units: tuple[Unit, ...]
    subunits: tuple[SubUnit, ...]
    finding_bands: tuple[FindingBand, ...]
    value_bands: tuple[ValueBand, ...]
    major_fire_hazard_grade: str
    unit_floor: Mapping[str, str]
    committee_major_fire_floor: bool
    committee_major_fire_min_grade: str
    severity_step: int
    severity_max: int
    severity_reasons: tuple[SeverityReason, ...]
    rectification: RectificationRules
    _compiled: _Compiled = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_compiled", _compile(self))

    @property
    def unit_codes(self) -> tuple[str, ...]:
        return self._compiled.unit_codes

    @property
    def subunit_codes(self) -> tuple[str, ...]:
        return self._compiled.codes

    def unit(self, code: str) -> Unit:
        for unit in self.units:
            if unit.code == code:
                return unit
        raise KeyError(code)

    def subunit(self, code: str) -> SubUnit:
        index = self._compiled.sub_index.get(code)
        if index is None:
            raise KeyError(code)
        return self.subunits[index]

    def grade_info(self, grade: str) -> GradeInfo:
        return self.grades[GRADES.index(grade)]

    def color(self, grade: str) -> str:
        """Colour name of a grade (A red, B orange, C yellow, D blue by default)."""
        return self._compiled.colors[_RANK[grade]]


def _compile(method: Method) -> _Compiled:
    codes = tuple(s.code for s in method.subunits)
    unit_codes = tuple(u.code for u in method.units)
    unit_pos = {code: i for i, code in enumerate(unit_codes)}
    sizes = [0] * len(unit_codes)
    sub_unit = []
    for sub in method.subunits:
        u = unit_pos[sub.unit]
        sizes[u] += 1
        sub_unit.append(u)
    r_grade = [0] * 26
    for r in range(1, 26):
        for band in method.finding_bands:  # ordered A..D, minima decreasing
            if r >= band.min_r:
                r_grade[r] = _RANK[band.grade]
                break
    # Unit value U = (n*max + sum) / (2n); n is 1..max size. One denominator fits all n and
    # all band minima, so band comparisons are integer comparisons.
    max_size = max(sizes) if sizes else 1
    band_den = math.lcm(*(b.min.denominator for b in method.value_bands))
    den = 2 * math.lcm(*range(1, max_size + 1)) * band_den
    mult = (0, *(den // (2 * n) for n in range(1, max_size + 1)))
    minima = {b.grade: b.min for b in method.value_bands}
    weight_den = math.lcm(*(u.weight.denominator for u in method.units)) if method.units else 1
    weights = tuple(int(u.weight * weight_den) for u in method.units)
    floor = [0, 0, 0, 0, 0]  # indexed by worst finding rank + 1 (0 = no findings)
    for source, target in method.unit_floor.items():
        floor[_RANK[source] + 1] = _RANK[target]
    colors = tuple(method.grade_info(g).color for g in _BY_RANK) if method.grades else ("",) * 4
    return _Compiled(
        codes=codes,
        sub_index=MappingProxyType({code: i for i, code in enumerate(codes)}),
        sub_unit=tuple(sub_unit),
        unit_codes=unit_codes,
        unit_sizes=tuple(sizes),
        r_grade=tuple(r_grade),
        major_rank=_RANK[method.major_fire_hazard_grade],
        den=den,
        mult=mult,
        t_a=int(minima["A"] * den),
        t_b=int(minima["B"] * den),
        t_c=int(minima["C"] * den),
        weights=weights,
        weight_den=weight_den,
        floor=tuple(floor),
        colors=colors,
        zero_sub=array("b", bytes(len(codes))),
        none_sub=array("b", [-1] * len(codes)),
        none_unit=array("b", [-1] * len(unit_codes)),
        sub_cache=[None] * (len(codes) * 26 * 5),
        unit_cache={},
    )


# --------------------------------------------------------------------------- loading


def _obj(value: object, path: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise MethodError(path, "must be an object")
    return value


def _seq(value: object, path: str, *, non_empty: bool = True) -> Sequence[object]:
    if not isinstance(value, list | tuple):
        raise MethodError(path, "must be a list")
    if non_empty and not value:
        raise MethodError(path, "must not be empty")
    return value


def _get(data: Mapping[str, object], key: str, path: str) -> object:
    if key not in data:
        raise MethodError(_join(path, key), "is missing")
    return data[key]


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _text(data: Mapping[str, object], key: str, path: str) -> str:
    value = _get(data, key, path)
    if not isinstance(value, str) or not value.strip():
        raise MethodError(_join(path, key), "must be a non-empty string")
    return value


def _int(value: object, path: str, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise MethodError(path, f"must be an integer, got {value!r}")
    if value < low or (high is not None and value > high):
        limit = f"{low}–{high}" if high is not None else f"at least {low}"
        raise MethodError(path, f"must be {limit}, got {value}")
    return value


def _bool(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        raise MethodError(path, f"must be true or false, got {value!r}")
    return value


def _decimal(value: object, path: str) -> Fraction:
    """Parse a decimal string such as "0.22" (or an integer) exactly; floats are refused."""
    if isinstance(value, bool | float):
        raise MethodError(path, f'must be a decimal string such as "0.22", got {value!r}')
    if isinstance(value, int):
        return Fraction(value)
    if not isinstance(value, str) or not _DECIMAL_RE.match(value):
        raise MethodError(path, f'must be a decimal string such as "0.22", got {value!r}')
    return Fraction(value)


def _grade(value: object, path: str) -> str:
    if not isinstance(value, str) or value not in _RANK:
        raise MethodError(path, f"must be one of A, B, C, D, got {value!r}")
    return value


def _grade_keyed(value: object, path: str) -> dict[str, object]:
    mapping = _obj(value, path)
    for key in mapping:
        _grade(key, f"{path}.{key}")
    return dict(mapping)


def load_method(data: Mapping[str, object]) -> Method:
    """Validate method data (as parsed from JSON) and build a ``Method``.

    Raises ``MethodError`` naming the first bad field, e.g. ``units[2].weight``.
    """
    root = _obj(data, "method")
    version = _text(root, "version", "")
    if not _VERSION_RE.match(version):
        raise MethodError("version", f"must be letters, digits, '.', '_' or '-', got {version!r}")
    title_zh = _text(root, "title_zh", "")
    title_en = _text(root, "title_en", "")

    grades_raw = _seq(_get(root, "grades", ""), "grades")
    if len(grades_raw) != len(GRADES):
        raise MethodError("grades", "must list exactly the grades A, B, C, D")
    grades = []
    for i, raw in enumerate(grades_raw):
        path = f"grades[{i}]"
        item = _obj(raw, path)
        letter = _grade(_get(item, "grade", path), f"{path}.grade")
        if letter != GRADES[i]:
            raise MethodError(f"{path}.grade", f"must be {GRADES[i]} (grades are listed A to D)")
        grades.append(
            GradeInfo(
                letter,
                _text(item, "color", path),
                _text(item, "color_zh", path),
                _text(item, "name_zh", path),
                _text(item, "name_en", path),
            )
        )

    units_raw = _seq(_get(root, "units", ""), "units")
    unit_rows: list[tuple[str, str, str, Fraction]] = []
    seen_units: set[str] = set()
    for i, raw in enumerate(units_raw):
        path = f"units[{i}]"
        item = _obj(raw, path)
        code = _text(item, "code", path)
        if code in seen_units:
            raise MethodError(f"{path}.code", f"duplicate unit code {code!r}")
        seen_units.add(code)
        weight = _decimal(_get(item, "weight", path), f"{path}.weight")
        if weight <= 0:
            raise MethodError(f"{path}.weight", f"must be positive, got {item['weight']!r}")
        unit_rows.append((code, _text(item, "name_zh", path), _text(item, "name_en", path), weight))
    total = sum((row[3] for row in unit_rows), Fraction(0))
    if total != 1:
        raise MethodError("units[*].weight", f"weights must sum to exactly 1, they sum to {total}")

    subs_raw = _seq(_get(root, "subunits", ""), "subunits")
    subunits: list[SubUnit] = []
    seen_subs: set[str] = set()
    for i, raw in enumerate(subs_raw):
        path = f"subunits[{i}]"
        item = _obj(raw, path)
        code = _text(item, "code", path)
        if code in seen_subs:
            raise MethodError(f"{path}.code", f"duplicate sub-unit code {code!r}")
        seen_subs.add(code)
        unit = _text(item, "unit", path)
        if unit not in seen_units:
            raise MethodError(f"{path}.unit", f"unknown unit code {unit!r}")
        subunits.append(
            SubUnit(
                code=code,
                unit=unit,
                name_zh=_text(item, "name_zh", path),
                name_en=_text(item, "name_en", path),
                check_zh=_text(item, "check_zh", path),
                check_en=_text(item, "check_en", path),
                s0=_int(_get(item, "s0", path), f"{path}.s0", 1, 5),
            )
        )
    units = []
    for i, (code, name_zh, name_en, weight) in enumerate(unit_rows):
        members = tuple(s.code for s in subunits if s.unit == code)
        if not members:
            raise MethodError(f"units[{i}]", f"unit {code} has no sub-units")
        units.append(Unit(code, name_zh, name_en, weight, members))
    # Keep sub-units grouped in unit order so reports list them the way the method does.
    order = {u.code: i for i, u in enumerate(units)}
    subunits.sort(key=lambda s: order[s.unit])

    scoring = _obj(_get(root, "scoring", ""), "scoring")
    finding_bands = []
    raw_bands = _seq(_get(scoring, "finding_bands", "scoring"), "scoring.finding_bands")
    if len(raw_bands) != len(GRADES):
        raise MethodError("scoring.finding_bands", "must have one band per grade A, B, C, D")
    previous: int | None = None
    for i, raw in enumerate(raw_bands):
        path = f"scoring.finding_bands[{i}]"
        item = _obj(raw, path)
        letter = _grade(_get(item, "grade", path), f"{path}.grade")
        if letter != GRADES[i]:
            raise MethodError(f"{path}.grade", f"must be {GRADES[i]} (bands are listed A to D)")
        min_r = _int(_get(item, "min_r", path), f"{path}.min_r", 1, 25)
        if previous is not None and min_r >= previous:
            raise MethodError(f"{path}.min_r", "band minima must decrease from A to D")
        previous = min_r
        finding_bands.append(FindingBand(letter, min_r))
    if finding_bands[-1].min_r != 1:
        raise MethodError("scoring.finding_bands[3].min_r", "must be 1 so every R has a grade")

    value_bands = []
    raw_bands = _seq(_get(scoring, "value_bands", "scoring"), "scoring.value_bands")
    if len(raw_bands) != len(GRADES):
        raise MethodError("scoring.value_bands", "must have one band per grade A, B, C, D")
    previous_min: Fraction | None = None
    for i, raw in enumerate(raw_bands):
        path = f"scoring.value_bands[{i}]"
        item = _obj(raw, path)
        letter = _grade(_get(item, "grade", path), f"{path}.grade")
        if letter != GRADES[i]:
            raise MethodError(f"{path}.grade", f"must be {GRADES[i]} (bands are listed A to D)")
        minimum = _decimal(_get(item, "min", path), f"{path}.min")
        if minimum > 100:
            raise MethodError(f"{path}.min", "must not exceed 100")
        if previous_min is not None and minimum >= previous_min:
            raise MethodError(f"{path}.min", "band minima must decrease from A to D")
        previous_min = minimum
        value_bands.append(ValueBand(letter, minimum))
    if value_bands[-1].min != 0:
        raise MethodError("scoring.value_bands[3].min", "must be 0 so every value has a grade")

    major_grade = _grade(
        _get(scoring, "major_fire_hazard_grade", "scoring"), "scoring.major_fire_hazard_grade"
    )
    floor_raw = _grade_keyed(_get(scoring, "unit_floor", "scoring"), "scoring.unit_floor")
    unit_floor = {}
    for source, target in floor_raw.items():
        path = f"scoring.unit_floor.{source}"
        target_grade = _grade(target, path)
        if _RANK[target_grade] > _RANK[source]:
            raise MethodError(path, "a floor may not be worse than the finding grade it follows")
        unit_floor[source] = target_grade
    rule9 = _obj(
        _get(scoring, "committee_major_fire_floor", "scoring"), "scoring.committee_major_fire_floor"
    )
    rule9_on = _bool(
        _get(rule9, "enabled", "scoring.committee_major_fire_floor"),
        "scoring.committee_major_fire_floor.enabled",
    )
    rule9_grade = _grade(
        _get(rule9, "min_grade", "scoring.committee_major_fire_floor"),
        "scoring.committee_major_fire_floor.min_grade",
    )

    severity = _obj(_get(root, "severity_adjustment", ""), "severity_adjustment")
    step = _int(_get(severity, "step", "severity_adjustment"), "severity_adjustment.step", 0, 4)
    s_max = _int(_get(severity, "max", "severity_adjustment"), "severity_adjustment.max", 1, 5)
    reasons = []
    seen_reasons: set[str] = set()
    raw_reasons = _seq(
        _get(severity, "reasons", "severity_adjustment"),
        "severity_adjustment.reasons",
        non_empty=False,
    )
    for i, raw in enumerate(raw_reasons):
        path = f"severity_adjustment.reasons[{i}]"
        item = _obj(raw, path)
        code = _text(item, "code", path)
        if code in seen_reasons:
            raise MethodError(f"{path}.code", f"duplicate reason code {code!r}")
        seen_reasons.add(code)
        reasons.append(
            SeverityReason(code, _text(item, "name_zh", path), _text(item, "name_en", path))
        )

    rectification = _load_rectification(_obj(_get(root, "rectification", ""), "rectification"))

    return Method(
        version=version,
        title_zh=title_zh,
        title_en=title_en,
        grades=tuple(grades),
        units=tuple(units),
        subunits=tuple(subunits),
        finding_bands=tuple(finding_bands),
        value_bands=tuple(value_bands),
        major_fire_hazard_grade=major_grade,
        unit_floor=MappingProxyType(unit_floor),
        committee_major_fire_floor=rule9_on,
        committee_major_fire_min_grade=rule9_grade,
        severity_step=step,
        severity_max=s_max,
        severity_reasons=tuple(reasons),
        rectification=rectification,
    )


def _load_rectification(data: Mapping[str, object]) -> RectificationRules:
    p = "rectification"
    rectify_raw = _grade_keyed(_get(data, "rectify_days", p), f"{p}.rectify_days")
    rectify: dict[str, int | None] = {}
    for grade in GRADES:
        path = f"{p}.rectify_days.{grade}"
        if grade not in rectify_raw:
            raise MethodError(path, "is missing (use null when the plan sets the deadline)")
        value = rectify_raw[grade]
        rectify[grade] = None if value is None else _int(value, path, 0)
    interim = {
        g: _int(v, f"{p}.interim_hours.{g}", 1)
        for g, v in _grade_keyed(_get(data, "interim_hours", p), f"{p}.interim_hours").items()
    }
    plan = {
        g: _int(v, f"{p}.plan_days.{g}", 0)
        for g, v in _grade_keyed(_get(data, "plan_days", p), f"{p}.plan_days").items()
    }
    for grade, days in rectify.items():
        if days is None and grade not in plan:
            raise MethodError(
                f"{p}.rectify_days.{grade}", "is null, so plan_days must give a plan deadline"
            )
    auto = _seq(
        _get(data, "auto_supervision_grades", p), f"{p}.auto_supervision_grades", non_empty=False
    )
    signoff = _seq(_get(data, "signoff_grades", p), f"{p}.signoff_grades", non_empty=False)
    parties = _seq(_get(data, "signoff_parties", p), f"{p}.signoff_parties", non_empty=False)
    for i, party in enumerate(parties):
        if not isinstance(party, str) or not party:
            raise MethodError(f"{p}.signoff_parties[{i}]", "must be a non-empty string")
    return RectificationRules(
        on_the_spot_days=_int(_get(data, "on_the_spot_days", p), f"{p}.on_the_spot_days", 0),
        rectify_days=MappingProxyType(rectify),
        interim_hours=MappingProxyType(interim),
        plan_days=MappingProxyType(plan),
        roll_to_working_day=_bool(_get(data, "roll_to_working_day", p), f"{p}.roll_to_working_day"),
        reinspection_working_days=_int(
            _get(data, "reinspection_working_days", p), f"{p}.reinspection_working_days", 0
        ),
        auto_supervision_grades=frozenset(
            _grade(g, f"{p}.auto_supervision_grades[{i}]") for i, g in enumerate(auto)
        ),
        supervision_after_overdue=_int(
            _get(data, "supervision_after_overdue", p), f"{p}.supervision_after_overdue", 1
        ),
        signoff_grades=frozenset(
            _grade(g, f"{p}.signoff_grades[{i}]") for i, g in enumerate(signoff)
        ),
        signoff_parties=tuple(str(x) for x in parties),
        repeat_window_months=_int(
            _get(data, "repeat_window_months", p), f"{p}.repeat_window_months", 1
        ),
    )


def available_methods() -> tuple[str, ...]:
    """Method versions shipped in ``linli/risk/methods`` (file name without ``.json``)."""
    folder = resources.files("linli.risk") / "methods"
    names = (entry.name for entry in folder.iterdir() if entry.name.endswith(".json"))
    return tuple(sorted(name.removesuffix(".json") for name in names))


@lru_cache(maxsize=16)
def get_method(version: str) -> Method:
    """Load a shipped method version; an unknown version is a ``MethodError`` (rule 10)."""
    if not isinstance(version, str) or not _VERSION_RE.match(version):
        raise MethodError("method", f"unknown method version {version!r}")
    entry = resources.files("linli.risk") / "methods" / f"{version}.json"
    if not entry.is_file():
        raise MethodError("method", f"unknown method version {version!r}")
    try:
        data = loads(entry.read_text(encoding="utf-8"))
    except JSONDecodeError as exc:
        raise MethodError("method", f"{version}.json is not valid JSON: {exc}") from exc
    method = load_method(_obj(data, "method"))
    if method.version != version:
        raise MethodError("version", f"file {version}.json declares version {method.version!r}")
    return method


def default_method() -> Method:
    """The default method ``linli-2026`` shipped with the package."""
    return get_method(DEFAULT_METHOD_VERSION)


# --------------------------------------------------------------------------- inputs


class NAType(Enum):
    """Type of the ``NA`` marker: a sub-unit that does not apply (no lift, no basement...)."""

    NA = "NA"

    def __repr__(self) -> str:
        return "NA"


NA: Final = NAType.NA


@dataclass(frozen=True, slots=True)
class Finding:
    """One finding: likelihood L and severity S (integers 1-5), optionally a GB 35181 element."""

    L: int
    S: int
    major_fire_hazard: bool = False

    @property
    def R(self) -> int:  # noqa: N802 (the method's R = L × S)
        return self.L * self.S


#: What a sub-unit entry of a sample may be. The string "NA" is accepted like ``NA``.
SubunitEntry = Sequence[Finding] | NAType | Literal["NA"]


@dataclass(frozen=True, slots=True)
class SampleInput:
    """One sample: sub-unit code -> findings or NA; a code left out has no findings."""

    id: str
    subunits: Mapping[str, SubunitEntry]


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class SubunitResult:
    """Sub-unit value r = 4 x max R (an integer) and the grade of its worst finding (D if none)."""

    code: str
    value: int
    grade: str
    has_findings: bool


@dataclass(frozen=True, slots=True)
class UnitResult:
    """Unit value and grade; ``grade`` is the band grade raised by the unit floor."""

    code: str
    value: Fraction
    grade: str
    band_grade: str
    worst_finding: str | None

    @property
    def floored(self) -> bool:
        """True when the floor (worst finding) raised the grade above the band grade."""
        return self.grade != self.band_grade


def _band_ratio(c: _Compiled, num: int, count: int) -> int:
    """Band rank of num / (den * count) without division: compare with threshold * count."""
    if num >= c.t_a * count:
        return 3
    if num >= c.t_b * count:
        return 2
    if num >= c.t_c * count:
        return 1
    return 0


def _unit_result(c: _Compiled, u: int, num: int, count: int, worst: int) -> UnitResult:
    """Unit result for value num / (den * count); results are immutable, so they are shared."""
    key = (u, num, count, worst)
    cached = c.unit_cache.get(key)
    if cached is not None:
        return cached
    band = _band_ratio(c, num, count)
    final = max(band, c.floor[worst + 1])
    result = UnitResult(
        code=c.unit_codes[u],
        value=Fraction(num, c.den * count),
        grade=_BY_RANK[final],
        band_grade=_BY_RANK[band],
        worst_finding=_BY_RANK[worst] if worst >= 0 else None,
    )
    if len(c.unit_cache) >= _UNIT_CACHE_LIMIT:
        c.unit_cache.clear()
    c.unit_cache[key] = result
    return result


def _subunit_result(c: _Compiled, i: int, r: int, g: int) -> SubunitResult:
    slot = (i * 26 + r // SUBUNIT_FACTOR) * 5 + g + 1
    cached = c.sub_cache[slot]
    if cached is None:
        cached = SubunitResult(c.codes[i], r, _BY_RANK[max(g, 0)], g >= 0)
        c.sub_cache[slot] = cached
    return cached


@dataclass(frozen=True, slots=True)
class SampleResult:
    """Sample value V (weighted mean of applicable units) and its grade (bands, no floor).

    ``units`` and ``subunits`` are built from compact integer arrays on first access, so
    scoring a whole round does not allocate 49 objects per sample nobody reads.
    """

    id: str
    value: Fraction
    grade: str
    major_fire_hazard: bool
    _c: _Compiled = field(repr=False, compare=False)
    _r: array[int] = field(repr=False, compare=False)
    _g: array[int] = field(repr=False, compare=False)
    _nums: tuple[int, ...] = field(repr=False, compare=False)
    _worst: array[int] = field(repr=False, compare=False)
    _wsum: int = field(repr=False, compare=False)
    _units: Mapping[str, UnitResult | None] | None = field(default=None, repr=False, compare=False)
    _subunits: Mapping[str, SubunitResult | None] | None = field(
        default=None, repr=False, compare=False
    )

    @property
    def units(self) -> Mapping[str, UnitResult | None]:
        """Unit code -> result, in method order; ``None`` when every sub-unit is NA."""
        if self._units is None:
            c = self._c
            nums = self._nums
            worst = self._worst
            out = {
                code: None if nums[u] < 0 else _unit_result(c, u, nums[u], 1, worst[u])
                for u, code in enumerate(c.unit_codes)
            }
            object.__setattr__(self, "_units", MappingProxyType(out))
        assert self._units is not None
        return self._units

    @property
    def subunits(self) -> Mapping[str, SubunitResult | None]:
        """Sub-unit code -> result, in method order; ``None`` when NA."""
        if self._subunits is None:
            c = self._c
            g = self._g
            out = {
                code: None if r < 0 else _subunit_result(c, i, r, g[i])
                for i, (code, r) in enumerate(zip(c.codes, self._r, strict=True))
            }
            object.__setattr__(self, "_subunits", MappingProxyType(out))
        assert self._subunits is not None
        return self._subunits


@dataclass(frozen=True, slots=True)
class CommitteeResult:
    """Committee value (mean of sample values), grade and colour, unit table and samples.

    ``band_grade`` is the grade from the bands alone; ``grade`` also applies the optional
    rule 9 (``major_fire_floor_applied`` says whether it raised the grade).
    """

    method: str
    committee: str
    value: Fraction
    grade: str
    band_grade: str
    color: str
    major_fire_floor_applied: bool
    samples: tuple[SampleResult, ...]
    _c: _Compiled = field(repr=False, compare=False)
    _sums: tuple[int, ...] = field(repr=False, compare=False)
    _counts: tuple[int, ...] = field(repr=False, compare=False)
    _worst: tuple[int, ...] = field(repr=False, compare=False)
    _units: Mapping[str, UnitResult | None] | None = field(default=None, repr=False, compare=False)

    @property
    def units(self) -> Mapping[str, UnitResult | None]:
        """Committee unit values: mean of U over the samples where the unit applies, graded
        by the bands plus the floor of the worst finding of that unit in any sample.
        ``None`` when the unit is NA in every sample."""
        if self._units is None:
            c = self._c
            out = {
                code: None
                if self._counts[u] == 0
                else _unit_result(c, u, self._sums[u], self._counts[u], self._worst[u])
                for u, code in enumerate(c.unit_codes)
            }
            object.__setattr__(self, "_units", MappingProxyType(out))
        assert self._units is not None
        return self._units


# --------------------------------------------------------------------------- scoring


def finding_grade(method: Method, finding: Finding) -> str:
    """Grade of one finding from R = L x S; a major fire hazard element is graded A."""
    _check_finding(finding, None, None, None)
    c = method._compiled
    if finding.major_fire_hazard:
        return _BY_RANK[c.major_rank]
    return _BY_RANK[c.r_grade[finding.L * finding.S]]


def value_grade(method: Method, value: Fraction | int) -> str:
    """Band grade of a 0-100 value (unit, sample or committee) by exact comparison."""
    if isinstance(value, float):
        raise TypeError("values must be Fraction or int, never float")
    for band in method.value_bands:
        if value >= band.min:
            return band.grade
    return GRADES[-1]


def _check_finding(f: object, sample: object, code: str | None, index: int | None) -> None:
    if not isinstance(f, Finding):
        raise ScoringError("not a Finding", sample=sample, subunit=code, finding=index)
    for name, v in (("L", f.L), ("S", f.S)):
        if type(v) is not int or not 1 <= v <= 5:
            raise ScoringError(
                f"{name} must be an integer 1–5, got {v!r}",
                sample=sample,
                subunit=code,
                finding=index,
            )


def _entry_error(sample: object, code: str, entry: object) -> ScoringError:
    """Find the first bad finding in an entry (slow path, taken only on error)."""
    if isinstance(entry, str) or not isinstance(entry, Sequence):
        return ScoringError("must be a list of findings or NA", sample=sample, subunit=code)
    for index, f in enumerate(entry, 1):
        try:
            _check_finding(f, sample, code, index)
        except ScoringError as exc:
            return exc
    return ScoringError("invalid findings", sample=sample, subunit=code)


class _BadFindingError(Exception):
    """Internal signal from the hot loop; converted to a precise ``ScoringError``."""


def _score_sample(c: _Compiled, sample: SampleInput, sid: str) -> SampleResult:
    """Score one sample with integers only. This is the hot path of a city round."""
    n_units = len(c.unit_codes)
    r = array("b", c.zero_sub)
    g = array("b", c.none_sub)
    na = [0] * n_units
    sums = [0] * n_units
    maxes = [0] * n_units
    worst = array("b", c.none_unit)
    sub_index = c.sub_index
    sub_unit = c.sub_unit
    r_grade = c.r_grade
    major_rank = c.major_rank
    major = False
    for code, entry in sample.subunits.items():
        i = sub_index.get(code)
        if i is None:
            raise ScoringError("unknown sub-unit code", sample=sid, subunit=str(code))
        u = sub_unit[i]
        if entry is NA or entry == "NA":
            r[i] = -1
            na[u] += 1
            continue
        max_r = 0
        grade = -1
        try:
            for f in entry:
                lk = f.L
                sv = f.S
                if type(lk) is not int or type(sv) is not int or not (0 < lk < 6 and 0 < sv < 6):
                    raise _BadFindingError
                rr = lk * sv
                if rr > max_r:
                    max_r = rr
                if f.major_fire_hazard:
                    major = True
                    fg = major_rank
                else:
                    fg = r_grade[rr]
                if fg > grade:
                    grade = fg
        except (AttributeError, TypeError, _BadFindingError):
            raise _entry_error(sid, code, entry) from None
        value = SUBUNIT_FACTOR * max_r
        r[i] = value
        g[i] = grade
        sums[u] += value
        if value > maxes[u]:
            maxes[u] = value
        if grade > worst[u]:
            worst[u] = grade
    # U = (n*max + sum) / (2n) = (n*max + sum) * mult[n] / den, an integer numerator.
    sizes = c.unit_sizes
    mult = c.mult
    weights = c.weights
    nums = [-1] * n_units
    vnum = 0
    wsum = 0
    for u in range(n_units):
        n = sizes[u] - na[u]
        if n:
            num = (n * maxes[u] + sums[u]) * mult[n]
            nums[u] = num
            w = weights[u]
            vnum += w * num
            wsum += w
    if wsum == 0:
        raise ScoringError("every unit is NA", sample=sid)
    return SampleResult(
        sid,
        Fraction(vnum, c.den * wsum),
        _BY_RANK[_band_ratio(c, vnum, wsum)],
        major,
        c,
        r,
        g,
        tuple(nums),
        worst,
        wsum,
    )


def _check_id(sample: SampleInput) -> str:
    sid = sample.id
    if type(sid) is not str or not sid:
        raise ScoringError(f"sample id must be a non-empty string, got {sid!r}")
    return sid


def score_sample(method: Method, sample: SampleInput) -> SampleResult:
    """Score one sample (rules 1-6)."""
    return _score_sample(method._compiled, sample, _check_id(sample))


def score_committee(
    method: Method,
    samples: Sequence[SampleInput],
    *,
    committee: str = "",
    major_fire_floor: bool | None = None,
    unclosed_major_fire_hazard: bool | None = None,
) -> CommitteeResult:
    """Score a committee from its samples (rules 1-10).

    ``major_fire_floor`` switches the optional rule 9 on or off (``None``: the method's
    setting). ``unclosed_major_fire_hazard`` says whether a major fire hazard is still open;
    ``None`` means "any finding flagged major_fire_hazard in the samples", which is right at
    assessment time; the platform passes the case state when it re-grades later.
    """
    c = method._compiled
    if not samples:
        raise ScoringError("the sample list is empty")
    n_units = len(c.unit_codes)
    sums = [0] * n_units
    counts = [0] * n_units
    worst = [-1] * n_units
    seen: set[str] = set()
    results = []
    for sample in samples:
        sid = _check_id(sample)
        if sid in seen:
            raise ScoringError("duplicate sample id", sample=sid)
        seen.add(sid)
        result = _score_sample(c, sample, sid)
        nums = result._nums
        sample_worst = result._worst
        for u in range(n_units):
            num = nums[u]
            if num >= 0:
                sums[u] += num
                counts[u] += 1
            if sample_worst[u] > worst[u]:
                worst[u] = sample_worst[u]
        results.append(result)
    # Committee value = mean of V_i = vnum_i / (den * wsum_i), as one integer numerator.
    k = len(results)
    common = math.lcm(*(s._wsum for s in results))
    cnum = sum(s.value.numerator * (c.den * common // s.value.denominator) for s in results)
    scale = k * common
    band = _band_ratio(c, cnum, scale)
    rule9 = method.committee_major_fire_floor if major_fire_floor is None else major_fire_floor
    if unclosed_major_fire_hazard is None:
        unclosed = any(s.major_fire_hazard for s in results)
    else:
        unclosed = unclosed_major_fire_hazard
    final = band
    if rule9 and unclosed:
        final = max(band, _RANK[method.committee_major_fire_min_grade])
    return CommitteeResult(
        method.version,
        committee,
        Fraction(cnum, c.den * scale),
        _BY_RANK[final],
        _BY_RANK[band],
        c.colors[final],
        final != band,
        tuple(results),
        c,
        tuple(sums),
        tuple(counts),
        tuple(worst),
    )


# --------------------------------------------------------------------------- helpers

#: L from the control state (L guide): effective 2, partly 3, not working 4, none/recurring 5.
CONTROL_LIKELIHOOD: Final = MappingProxyType(
    {"effective": 2, "partial": 3, "not_working": 4, "none": 5, "recurring": 5}
)


def likelihood(prevalence: Fraction | int | None, control: str | None) -> int:
    """L per the method's guide: the higher of the prevalence base and the control base.

    Prevalence is the share of checked points found defective (0..1): below 10 % gives 2,
    10 % up to 30 % gives 3, 30 % to 60 % inclusive gives 4, above 60 % gives 5. Pass
    ``None`` for a binary item (control base only) or when no control state was judged.
    """
    bases = []
    if prevalence is not None:
        if isinstance(prevalence, float) or not isinstance(prevalence, Fraction | int):
            raise TypeError("prevalence must be a Fraction or int, never float")
        if not 0 <= prevalence <= 1:
            raise ValueError(f"prevalence must be between 0 and 1, got {prevalence}")
        if prevalence < Fraction(1, 10):
            bases.append(2)
        elif prevalence < Fraction(3, 10):
            bases.append(3)
        elif prevalence <= Fraction(6, 10):
            bases.append(4)
        else:
            bases.append(5)
    if control is not None:
        if control not in CONTROL_LIKELIHOOD:
            known = ", ".join(CONTROL_LIKELIHOOD)
            raise ValueError(f"unknown control state {control!r} (known: {known})")
        bases.append(CONTROL_LIKELIHOOD[control])
    if not bases:
        raise ValueError("give a prevalence, a control state or both")
    return max(bases)


def adjusted_severity(method: Method, code: str, reasons: Iterable[str] = ()) -> int:
    """S0 of a sub-unit, raised once by the method's step (capped) when any reason applies."""
    try:
        s0 = method.subunit(code).s0
    except KeyError:
        raise ScoringError("unknown sub-unit code", subunit=code) from None
    known = {r.code for r in method.severity_reasons}
    given = list(reasons)
    for reason in given:
        if reason not in known:
            raise ScoringError(f"unknown severity reason {reason!r}", subunit=code)
    if not given:
        return s0
    return max(s0, min(s0 + method.severity_step, method.severity_max))


def round_half_up(value: Fraction | int | Decimal, places: int = 2) -> Decimal:
    """Round exactly, half away from zero (12.345 -> 12.35), keeping trailing zeros."""
    if isinstance(value, float):
        raise TypeError("values must be Fraction, int or Decimal, never float")
    scaled = Fraction(value) * 10**places
    n, d = scaled.numerator, scaled.denominator
    magnitude = (2 * abs(n) + d) // (2 * d)
    return Decimal(-magnitude if n < 0 else magnitude).scaleb(-places)


def format_value(value: Fraction | int | Decimal) -> str:
    """Report text of a value: half-up to exactly 2 decimals, e.g. "60.75", "40.00"."""
    return str(round_half_up(value, 2))
