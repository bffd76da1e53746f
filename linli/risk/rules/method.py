"""The method as data: grades, units, sub-units, bands and deadlines (immutable), its errors,
and the integer tables compiled from it once so scoring never touches a Fraction per item."""

from __future__ import annotations

import math
from array import array
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from .scoring import SubunitResult, UnitResult


#: Grades, worst first. Internally a grade is a rank: D=0, C=1, B=2, A=3, so ``max`` is "worst".
GRADES: Final = ("A", "B", "C", "D")
_RANK: Final = MappingProxyType({"A": 3, "B": 2, "C": 1, "D": 0})
_BY_RANK: Final = ("D", "C", "B", "A")

#: Sub-unit value per unit of R (r = 4 x max R maps R = 25 to 100). Part of the formula.
SUBUNIT_FACTOR: Final = 4

DEFAULT_METHOD_VERSION: Final = "linli-2026"


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
