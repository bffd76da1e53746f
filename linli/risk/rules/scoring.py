"""Scoring samples and committees exactly (integers and ``Fraction``): inputs, results, grades."""

from __future__ import annotations

import math
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from fractions import Fraction
from types import MappingProxyType
from typing import Final, Literal

from .method import _BY_RANK, _RANK, GRADES, SUBUNIT_FACTOR, Method, ScoringError, _Compiled

#: Shared immutable unit results are cached per method; the cache is cleared at this size.
_UNIT_CACHE_LIMIT: Final = 100_000


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
