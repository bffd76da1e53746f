"""Loading a method version: validate JSON data field by field (``MethodError`` names the field)
and read the versions shipped in ``linli/risk/methods``."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from fractions import Fraction
from functools import lru_cache
from importlib import resources
from json import JSONDecodeError, loads
from types import MappingProxyType
from typing import Final

from .method import (
    _RANK,
    DEFAULT_METHOD_VERSION,
    GRADES,
    FindingBand,
    GradeInfo,
    Method,
    MethodError,
    RectificationRules,
    SeverityReason,
    SubUnit,
    Unit,
    ValueBand,
)

_VERSION_RE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_DECIMAL_RE: Final = re.compile(r"^[0-9]+(\.[0-9]+)?$")


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
