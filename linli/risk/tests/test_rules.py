"""Tests of the scoring engine against docs/domain/risk-method.md (rules 1-10), no Django."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linli.risk.rules import (
    NA,
    Finding,
    Method,
    MethodError,
    SampleInput,
    ScoringError,
    SubunitEntry,
    adjusted_severity,
    available_methods,
    default_method,
    finding_grade,
    format_value,
    get_method,
    likelihood,
    load_method,
    round_half_up,
    score_committee,
    score_sample,
    value_grade,
)

M = default_method()
F = Finding
RANK = {"A": 3, "B": 2, "C": 1, "D": 0}
NO_BASEMENT: dict[str, SubunitEntry] = dict.fromkeys(("DX01", "DX02", "DX03", "DX04"), NA)


def raw_method() -> dict[str, Any]:
    text = (resources.files("linli.risk") / "methods" / "linli-2026.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def sample(sid: str = "S1", **entries: SubunitEntry) -> SampleInput:
    return SampleInput(sid, entries)


def unit_of(s: SampleInput, code: str) -> Any:
    return score_sample(M, s).units[code]


def mean(values: list[Fraction]) -> Fraction:
    return sum(values, Fraction(0)) / len(values)


# --------------------------------------------------------------------------- method data


def test_default_method_has_41_subunits_in_8_units() -> None:
    assert len(M.subunits) == 41
    assert [len(u.subunits) for u in M.units] == [6, 5, 8, 5, 4, 5, 4, 4]
    assert M.unit_codes == ("WY", "ZA", "XF", "DQ", "DX", "RQ", "SB", "HJ")
    assert len(set(M.subunit_codes)) == 41


def test_json_file_weights_sum_to_one_exactly() -> None:
    data = raw_method()
    weights = {u["code"]: u["weight"] for u in data["units"]}
    assert all(isinstance(w, str) for w in weights.values())
    assert sum(Fraction(w) for w in weights.values()) == 1
    assert weights == {
        "WY": "0.10",
        "ZA": "0.08",
        "XF": "0.22",
        "DQ": "0.15",
        "DX": "0.08",
        "RQ": "0.15",
        "SB": "0.12",
        "HJ": "0.10",
    }


def test_json_file_subunits_are_complete() -> None:
    data = raw_method()
    assert len(data["subunits"]) == 41
    for sub in data["subunits"]:
        assert sub["code"].startswith(sub["unit"])
        assert 1 <= sub["s0"] <= 5
        for key in ("name_zh", "name_en", "check_zh", "check_en"):
            assert sub[key].strip()
    assert M.subunit("XF02").s0 == 5
    assert M.subunit("WY03").s0 == 2
    assert M.subunit("XF07").name_zh == "电动自行车停放充电"
    assert M.unit("XF").subunits[0] == "XF01"
    for look_up in (M.unit, M.subunit):
        with pytest.raises(KeyError, match="ZZ"):
            look_up("ZZ")


def test_json_file_bands_rules_and_deadlines() -> None:
    assert [(b.grade, b.min_r) for b in M.finding_bands] == [
        ("A", 20),
        ("B", 15),
        ("C", 9),
        ("D", 1),
    ]
    assert [(b.grade, b.min) for b in M.value_bands] == [
        ("A", 60),
        ("B", 40),
        ("C", 20),
        ("D", 0),
    ]
    assert dict(M.unit_floor) == {"A": "B", "B": "C"}
    assert M.committee_major_fire_floor is False
    assert M.severity_step == 1
    assert M.severity_max == 5
    assert {r.code for r in M.severity_reasons} == {
        "brick_timber",
        "heritage",
        "single_timber_stair",
        "elderly_occupants",
    }
    rules = M.rectification
    assert dict(rules.rectify_days) == {"A": None, "B": 7, "C": 15, "D": 30}
    assert dict(rules.interim_hours) == {"A": 24, "B": 24}
    assert dict(rules.plan_days) == {"A": 7}
    assert rules.reinspection_working_days == 3
    assert rules.auto_supervision_grades == {"A"}
    assert rules.supervision_after_overdue == 2


def test_colours() -> None:
    assert [M.color(g) for g in "ABCD"] == ["red", "orange", "yellow", "blue"]
    assert M.grade_info("A").name_zh == "重大风险"


def test_get_method_and_available_methods() -> None:
    assert "linli-2026" in available_methods()
    assert get_method("linli-2026") is M
    for bad in ("linli-1999", "../linli-2026", ""):
        with pytest.raises(MethodError, match="unknown method version"):
            get_method(bad)


# --------------------------------------------------------------------------- method validation


def broken(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(raw_method())
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["units"][0].update(weight="0.11"), "units[*].weight"),
        (lambda d: d["units"][1].update(weight="-0.08"), "units[1].weight"),
        (lambda d: d["units"][1].update(weight="0"), "units[1].weight"),
        (lambda d: d["units"][1].update(weight=0.08), "units[1].weight"),
        (lambda d: d["units"][2].update(code="WY"), "units[2].code"),
        (lambda d: d["subunits"][3].update(code="WY01"), "subunits[3].code"),
        (lambda d: d["subunits"][0].update(s0=6), "subunits[0].s0"),
        (lambda d: d["subunits"][0].update(s0=0), "subunits[0].s0"),
        (lambda d: d["subunits"][0].update(s0=True), "subunits[0].s0"),
        (lambda d: d["subunits"][0].update(unit="ZZ"), "subunits[0].unit"),
        (lambda d: d["subunits"][0].pop("check_zh"), "subunits[0].check_zh"),
        (lambda d: d.update(subunits=[s for s in d["subunits"] if s["unit"] != "HJ"]), "units[7]"),
        (lambda d: d["scoring"]["value_bands"][2].update(min="45"), "scoring.value_bands[2].min"),
        (lambda d: d["scoring"]["value_bands"][3].update(min="5"), "scoring.value_bands[3].min"),
        (
            lambda d: d["scoring"]["value_bands"][0].update(grade="B"),
            "scoring.value_bands[0].grade",
        ),
        (
            lambda d: d["scoring"]["finding_bands"][1].update(min_r=21),
            "scoring.finding_bands[1].min_r",
        ),
        (lambda d: d["scoring"]["unit_floor"].update(B="A"), "scoring.unit_floor.B"),
        (lambda d: d["rectification"]["rectify_days"].pop("C"), "rectification.rectify_days.C"),
        (lambda d: d.update(version="a b"), "version"),
        (lambda d: d.pop("grades"), "grades"),
    ],
)
def test_load_method_names_the_bad_field(change: Any, field: str) -> None:
    with pytest.raises(MethodError) as info:
        load_method(broken(change))
    assert info.value.field == field
    assert str(info.value).startswith(f"{field}: ")


def _set(path: tuple[Any, ...], value: Any) -> Any:
    def change(data: dict[str, Any]) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        (_set(("units", 0), "WY"), "units[0]", "must be an object"),
        (_set(("grades",), "ABCD"), "grades", "must be a list"),
        (_set(("units",), []), "units", "must not be empty"),
        (_set(("title_zh",), "  "), "title_zh", "must be a non-empty string"),
        (
            _set(("rectification", "roll_to_working_day"), "yes"),
            "rectification.roll_to_working_day",
            "must be true or false, got 'yes'",
        ),
        (
            _set(("grades", 0, "grade"), "E"),
            "grades[0].grade",
            "must be one of A, B, C, D, got 'E'",
        ),
        (
            lambda d: d["grades"].pop(),
            "grades",
            "must list exactly the grades A, B, C, D",
        ),
        (
            _set(("grades", 0, "grade"), "B"),
            "grades[0].grade",
            "must be A (grades are listed A to D)",
        ),
        (
            lambda d: d["scoring"]["finding_bands"].pop(),
            "scoring.finding_bands",
            "must have one band per grade A, B, C, D",
        ),
        (
            _set(("scoring", "finding_bands", 1, "grade"), "C"),
            "scoring.finding_bands[1].grade",
            "must be B (bands are listed A to D)",
        ),
        (
            _set(("scoring", "finding_bands", 3, "min_r"), 2),
            "scoring.finding_bands[3].min_r",
            "must be 1 so every R has a grade",
        ),
        (
            lambda d: d["scoring"]["value_bands"].pop(),
            "scoring.value_bands",
            "must have one band per grade A, B, C, D",
        ),
        (
            _set(("scoring", "value_bands", 0, "min"), "100.5"),
            "scoring.value_bands[0].min",
            "must not exceed 100",
        ),
        (
            _set(("severity_adjustment", "reasons", 1, "code"), "brick_timber"),
            "severity_adjustment.reasons[1].code",
            "duplicate reason code 'brick_timber'",
        ),
        (
            _set(("rectification", "plan_days"), {}),
            "rectification.rectify_days.A",
            "is null, so plan_days must give a plan deadline",
        ),
        (
            _set(("rectification", "signoff_parties"), ["committee", ""]),
            "rectification.signoff_parties[1]",
            "must be a non-empty string",
        ),
    ],
)
def test_load_method_names_the_field_and_the_problem(change: Any, field: str, problem: str) -> None:
    with pytest.raises(MethodError) as info:
        load_method(broken(change))
    assert (info.value.field, info.value.problem) == (field, problem)


def test_load_method_takes_whole_numbers_as_decimals() -> None:
    data = broken(_set(("scoring", "value_bands", 1, "min"), 45))
    data["scoring"]["value_bands"][3]["min"] = 0
    method = load_method(data)
    assert [band.min for band in method.value_bands] == [60, 45, 20, 0]
    assert value_grade(method, 45) == "B"
    assert value_grade(method, Fraction(8999, 200)) == "C"


class _Files:
    """Stands in for ``importlib.resources`` so ``get_method`` reads a folder of the test's."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def files(self, package: str) -> Path:
        assert package == "linli.risk"
        return self.root


def test_get_method_refuses_a_shipped_file_that_is_not_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "methods").mkdir()
    (tmp_path / "methods" / "cov-not-json.json").write_text('{"version": ', "utf-8")
    monkeypatch.setattr("linli.risk.rules.loading.resources", _Files(tmp_path))
    with pytest.raises(MethodError) as info:
        get_method("cov-not-json")
    assert info.value.field == "method"
    assert info.value.problem.startswith("cov-not-json.json is not valid JSON: ")


def test_get_method_refuses_a_file_declaring_another_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "methods").mkdir()
    (tmp_path / "methods" / "cov-renamed.json").write_text(json.dumps(raw_method()), "utf-8")
    monkeypatch.setattr("linli.risk.rules.loading.resources", _Files(tmp_path))
    with pytest.raises(MethodError) as info:
        get_method("cov-renamed")
    assert (info.value.field, info.value.problem) == (
        "version",
        "file cov-renamed.json declares version 'linli-2026'",
    )


def test_na_marker_reads_as_na() -> None:
    assert repr(NA) == "NA"
    assert repr({"DX01": NA}) == "{'DX01': NA}"


def test_load_method_accepts_another_version() -> None:
    data = broken(lambda d: d.update(version="linli-2027"))
    data["units"][0]["weight"] = "0.12"
    data["units"][7]["weight"] = "0.08"
    method = load_method(data)
    assert method.version == "linli-2027"
    assert method.unit("WY").weight == Fraction(12, 100)


# --------------------------------------------------------------------------- rule 1: findings


@pytest.mark.parametrize(
    ("L", "S", "grade"),
    [
        (5, 5, "A"),
        (4, 5, "A"),  # R = 20, the A edge
        (4, 4, "B"),  # R = 16
        (3, 5, "B"),  # R = 15, the B edge
        (3, 4, "C"),  # R = 12
        (3, 3, "C"),  # R = 9, the C edge
        (2, 4, "D"),  # R = 8, the D edge
        (1, 1, "D"),
    ],
)
def test_finding_grade_bands(L: int, S: int, grade: str) -> None:  # noqa: N803
    assert finding_grade(M, F(L, S)) == grade


def test_major_fire_hazard_is_a_whatever_r() -> None:
    assert finding_grade(M, F(1, 1, major_fire_hazard=True)) == "A"
    assert F(2, 3).R == 6


@pytest.mark.parametrize("bad", [0, 6, -1, True, 4.0, "4", None])
def test_finding_grade_rejects_bad_l(bad: Any) -> None:
    with pytest.raises(ScoringError, match="L must be an integer 1–5"):
        finding_grade(M, F(bad, 3))


@settings(max_examples=60, database=None, deadline=None)
@given(st.integers(1, 5), st.integers(1, 5), st.integers(1, 5), st.integers(1, 5))
def test_finding_grade_is_monotone_in_l_and_s(l1: int, s1: int, l2: int, s2: int) -> None:
    low = F(min(l1, l2), min(s1, s2))
    high = F(max(l1, l2), max(s1, s2))
    assert RANK[finding_grade(M, low)] <= RANK[finding_grade(M, high)]


# --------------------------------------------------------------------------- rules 2-5


def test_worked_example_fire_unit() -> None:
    s = sample(
        XF01=[F(4, 4)],
        XF03=[F(4, 3)],
        XF04=[F(2, 4)],
        XF05=[F(2, 3)],
        XF06=[F(3, 4)],
        XF07=[F(4, 5)],
        XF08=[F(3, 3)],
    )
    result = score_sample(M, s)
    r = [result.subunits[f"XF0{i}"].value for i in range(1, 9)]  # type: ignore[union-attr]
    assert r == [64, 0, 48, 32, 24, 48, 80, 36]
    unit = result.units["XF"]
    assert unit is not None
    assert unit.value == Fraction("60.75")
    assert unit.grade == "A"
    assert unit.worst_finding == "A"
    assert format_value(unit.value) == "60.75"


def test_subunit_value_is_four_times_max_r_and_grade_is_worst_finding() -> None:
    result = score_sample(M, sample(XF01=[F(2, 2), F(3, 4), F(1, 2, major_fire_hazard=True)]))
    sub = result.subunits["XF01"]
    assert sub is not None
    assert (sub.value, sub.grade, sub.has_findings) == (48, "A", True)
    assert result.major_fire_hazard is True


def test_subunit_without_findings_is_zero_and_d() -> None:
    result = score_sample(M, sample(XF01=[]))
    for code in ("XF01", "XF02"):
        sub = result.subunits[code]
        assert sub is not None
        assert (sub.value, sub.grade, sub.has_findings) == (0, "D", False)
    assert result.value == 0
    assert result.grade == "D"


def test_na_subunit_is_left_out_of_the_mean() -> None:
    # XF with XF02 NA: 7 applicable sub-units, one with r = 48.
    unit = unit_of(sample(XF01=[F(3, 4)], XF02=NA), "XF")
    assert unit.value == Fraction(48, 2) + Fraction(48, 2 * 7)
    unit_all = unit_of(sample(XF01=[F(3, 4)]), "XF")
    assert unit_all.value == Fraction(48, 2) + Fraction(48, 2 * 8)
    assert score_sample(M, sample(XF02=NA)).subunits["XF02"] is None


def test_unit_with_all_subunits_na_is_na() -> None:
    result = score_sample(M, sample(XF01=[F(1, 1)], **NO_BASEMENT))
    assert result.units["DX"] is None
    assert all(result.subunits[c] is None for c in NO_BASEMENT)


@pytest.mark.parametrize(
    ("rs", "value", "grade"),
    [
        ((16, 16, 16, 8), 60, "A"),  # exactly 60; worst finding B
        ((16, 16, 16, 6), 59, "B"),  # just below 60
        ((12, 12, 8), 40, "B"),  # exactly 40; worst finding C
        ((12, 12, 6), 39, "C"),  # just below 40
        ((8,), 20, "C"),  # exactly 20; worst finding D
        ((6,), 15, "D"),  # below 20
    ],
)
def test_unit_band_edges(rs: tuple[int, ...], value: int, grade: str) -> None:
    # HJ has 4 sub-units: U = (4 * max r + sum r) / 8.
    ls = {16: (4, 4), 12: (3, 4), 8: (2, 4), 6: (2, 3)}
    entries: dict[str, SubunitEntry] = {f"HJ0{i}": [F(*ls[r])] for i, r in enumerate(rs, 1)}
    result = score_sample(M, SampleInput("S1", entries))
    assert [result.subunits[c].value for c in entries] == [4 * r for r in rs]  # type: ignore[union-attr]
    unit = result.units["HJ"]
    assert unit is not None
    assert unit.value == value
    assert unit.grade == unit.band_grade == grade


@pytest.mark.parametrize(
    ("value", "grade"),
    [
        (Fraction(100), "A"),
        (Fraction(60), "A"),
        (Fraction(60) - Fraction(1, 10**9), "B"),
        (Fraction(40), "B"),
        (Fraction(40) - Fraction(1, 10**9), "C"),
        (Fraction(20), "C"),
        (Fraction(20) - Fraction(1, 10**9), "D"),
        (Fraction(0), "D"),
    ],
)
def test_value_band_edges(value: Fraction, grade: str) -> None:
    assert value_grade(M, value) == grade


def test_value_below_every_band_is_the_lowest_grade() -> None:
    assert value_grade(M, -1) == "D"
    assert value_grade(M, Fraction(-1, 1000)) == "D"


def test_value_grade_refuses_floats() -> None:
    with pytest.raises(TypeError):
        value_grade(M, 60.0)  # type: ignore[arg-type]


def test_floor_a_finding_lifts_low_unit_to_b() -> None:
    unit = unit_of(sample(XF01=[F(1, 4, major_fire_hazard=True)]), "XF")
    assert unit.value == 9  # (8*16 + 16) / 16
    assert (unit.band_grade, unit.grade, unit.floored) == ("D", "B", True)


def method_with_value_bands(a: str, b: str, c: str) -> Method:
    data = copy.deepcopy(raw_method())
    data["version"] = "test-bands"
    for band, minimum in zip(data["scoring"]["value_bands"], (a, b, c, "0"), strict=True):
        band["min"] = minimum
    return load_method(data)


def test_floor_b_finding_lifts_to_c_and_a_to_b() -> None:
    method = method_with_value_bands("90", "80", "70")
    result = score_sample(method, sample(XF01=[F(3, 5)], HJ01=[F(4, 5)]))
    xf = result.units["XF"]
    hj = result.units["HJ"]
    assert xf is not None
    assert hj is not None
    assert xf.value == Fraction("33.75")
    assert (xf.band_grade, xf.grade) == ("D", "C")
    assert hj.value == 50
    assert (hj.band_grade, hj.grade) == ("D", "B")


def test_floor_never_lowers() -> None:
    # Band A (value 60) with worst finding B: the floor (C) does not lower it.
    entries: dict[str, SubunitEntry] = {
        "HJ01": [F(4, 4)],
        "HJ02": [F(4, 4)],
        "HJ03": [F(4, 4)],
        "HJ04": [F(2, 4)],
    }
    unit = unit_of(SampleInput("S1", entries), "HJ")
    assert (unit.value, unit.worst_finding, unit.grade, unit.floored) == (60, "B", "A", False)


# --------------------------------------------------------------------------- rules 6-7


def expected_sample_value(units: dict[str, Fraction | None]) -> Fraction:
    weights = {u.code: u.weight for u in M.units}
    applicable = {code: v for code, v in units.items() if v is not None}
    total = sum((weights[c] for c in applicable), Fraction(0))
    return sum((weights[c] * v for c, v in applicable.items()), Fraction(0)) / total


def test_sample_value_is_weighted_mean_of_units() -> None:
    result = score_sample(M, sample(XF07=[F(4, 5)], DQ01=[F(3, 4)], WY01=[F(2, 3)]))
    units = {code: u.value if u else None for code, u in result.units.items()}
    assert result.value == expected_sample_value(units)
    xf = Fraction(8 * 80 + 80, 16)
    dq = Fraction(5 * 48 + 48, 10)
    wy = Fraction(6 * 24 + 24, 12)
    assert result.value == Fraction("0.22") * xf + Fraction("0.15") * dq + Fraction("0.10") * wy


def test_weights_are_renormalised_over_applicable_units() -> None:
    result = score_sample(M, sample(XF07=[F(4, 5)], **NO_BASEMENT))
    xf = Fraction(8 * 80 + 80, 16)
    assert result.value == Fraction("0.22") * xf / Fraction("0.92")
    assert result.grade == "D"  # sample grade: bands only, no floor


def test_engine_value_of_exactly_12_345_rounds_half_up() -> None:
    # WY: r 60 and 12 -> U = 36; XF: r 64 and 60 -> U = 39.75; V = 3.6 + 8.745.
    result = score_sample(M, sample(WY01=[F(3, 5)], WY02=[F(1, 3)], XF01=[F(4, 4)], XF02=[F(3, 5)]))
    assert result.value == Fraction("12.345")
    assert round_half_up(result.value) == Decimal("12.35")
    assert format_value(result.value) == "12.35"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Fraction("12.345"), "12.35"),
        (Fraction("0.125"), "0.13"),
        (Fraction("0.135"), "0.14"),
        (Fraction(1, 3), "0.33"),
        (Fraction(2, 3), "0.67"),
        (Fraction(40), "40.00"),
        (0, "0.00"),
        (Fraction("-12.345"), "-12.35"),
        (Decimal("60.745"), "60.75"),
        (Fraction(60749999, 1000000), "60.75"),
        (Fraction(60744999, 1000000), "60.74"),
    ],
)
def test_round_half_up(value: Fraction | int | Decimal, text: str) -> None:
    assert format_value(value) == text
    assert str(round_half_up(value)) == text


def test_round_half_up_refuses_floats() -> None:
    with pytest.raises(TypeError):
        round_half_up(12.345)  # type: ignore[arg-type]


def three_samples() -> list[SampleInput]:
    return [
        sample("S1", XF07=[F(4, 5)], DQ01=[F(3, 4)]),
        sample("S2", XF01=[F(2, 4)], RQ02=[F(4, 4)], **NO_BASEMENT),
        sample("S3", WY02=[F(3, 3)], SB01=NA),
    ]


def test_committee_value_is_mean_of_sample_values() -> None:
    samples = three_samples()
    result = score_committee(M, samples, committee="陕新居委")
    values = [score_sample(M, s).value for s in samples]
    assert result.value == mean(values)
    assert [s.value for s in result.samples] == values
    assert result.grade == value_grade(M, result.value)
    assert result.color == M.color(result.grade)
    assert result.committee == "陕新居委"
    assert result.method == "linli-2026"


def test_committee_unit_value_is_mean_over_samples_where_it_applies() -> None:
    samples = three_samples()
    result = score_committee(M, samples)
    per_sample = [score_sample(M, s).units for s in samples]
    for code in M.unit_codes:
        values = [u[code].value for u in per_sample if u[code] is not None]  # type: ignore[union-attr]
        unit = result.units[code]
        assert unit is not None
        assert unit.value == mean(values)
    dx = result.units["DX"]
    assert dx is not None
    assert dx.value == 0


def test_committee_unit_na_in_every_sample_is_none() -> None:
    result = score_committee(M, [sample("S1", **NO_BASEMENT), sample("S2", **NO_BASEMENT)])
    assert result.units["DX"] is None


def test_committee_unit_floor_from_any_sample() -> None:
    samples = [
        sample("S1", XF01=[F(1, 4, major_fire_hazard=True)]),
        sample("S2"),
        sample("S3"),
    ]
    result = score_committee(M, samples)
    xf = result.units["XF"]
    assert xf is not None
    assert xf.value == 3  # mean of 9, 0, 0
    assert (xf.band_grade, xf.grade, xf.worst_finding) == ("D", "B", "A")
    assert result.grade == "D"  # committee grade: bands only


def test_rule_9_is_off_by_default_and_can_be_switched_on() -> None:
    samples = [sample("S1", XF02=[F(1, 5, major_fire_hazard=True)]), sample("S2")]
    off = score_committee(M, samples)
    assert (off.grade, off.major_fire_floor_applied) == ("D", False)
    on = score_committee(M, samples, major_fire_floor=True)
    assert (on.grade, on.band_grade, on.color, on.major_fire_floor_applied) == (
        "B",
        "D",
        "orange",
        True,
    )
    closed = score_committee(M, samples, major_fire_floor=True, unclosed_major_fire_hazard=False)
    assert closed.grade == "D"
    no_flag = score_committee(M, [sample("S1", XF02=[F(1, 5)])], major_fire_floor=True)
    assert no_flag.grade == "D"


def test_rule_9_from_method_data() -> None:
    data = copy.deepcopy(raw_method())
    data["version"] = "test-rule9"
    data["scoring"]["committee_major_fire_floor"]["enabled"] = True
    method = load_method(data)
    result = score_committee(method, [sample("S1", XF02=[F(1, 5, major_fire_hazard=True)])])
    assert result.grade == "B"


# --------------------------------------------------------------------------- rule 10, errors


def test_error_names_sample_subunit_and_finding() -> None:
    samples = [sample("S1"), sample("S2", XF01=[F(3, 3), F(7, 3)])]
    with pytest.raises(ScoringError) as info:
        score_committee(M, samples)
    assert str(info.value) == "sample S2, sub-unit XF01, finding 2: L must be an integer 1–5, got 7"
    assert (info.value.sample, info.value.subunit, info.value.finding) == ("S2", "XF01", 2)


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ({"XF01": [F(3, 0)]}, "sample S1, sub-unit XF01, finding 1: S must be an integer 1–5"),
        ({"XF01": [F(3, True)]}, "sample S1, sub-unit XF01, finding 1: S must be an integer 1–5"),
        ({"XX99": [F(3, 3)]}, "sample S1, sub-unit XX99: unknown sub-unit code"),
        ({"XF01": "N/A"}, "sample S1, sub-unit XF01: must be a list of findings or NA"),
        ({"XF01": [(3, 3)]}, "sample S1, sub-unit XF01, finding 1: not a Finding"),
        (dict.fromkeys(M.subunit_codes, NA), "sample S1: every unit is NA"),
    ],
)
def test_scoring_errors(entries: dict[str, Any], message: str) -> None:
    with pytest.raises(ScoringError) as info:
        score_committee(M, [SampleInput("S1", entries)])
    assert str(info.value).startswith(message)


class _NoTruth:
    """A ``major_fire_hazard`` flag that is not a yes/no value."""

    def __bool__(self) -> bool:
        raise TypeError("not a flag")


def test_finding_with_a_flag_that_is_not_true_or_false_is_an_error() -> None:
    entries: dict[str, Any] = {"XF01": [F(3, 3), F(2, 2, major_fire_hazard=_NoTruth())]}  # type: ignore[arg-type]
    with pytest.raises(ScoringError) as info:
        score_committee(M, [SampleInput("S1", entries)])
    assert str(info.value) == "sample S1, sub-unit XF01: invalid findings"
    assert (info.value.sample, info.value.subunit, info.value.finding) == ("S1", "XF01", None)


def test_unit_results_stay_right_when_the_cache_is_full(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = [
        score_sample(M, sample(f"S{lk}", XF01=[F(lk, 3)])).units["XF"] for lk in range(1, 6)
    ]
    method = load_method(raw_method())
    monkeypatch.setattr("linli.risk.rules.scoring._UNIT_CACHE_LIMIT", 2)
    for _ in range(2):
        got = [
            score_sample(method, sample(f"S{lk}", XF01=[F(lk, 3)])).units["XF"]
            for lk in range(1, 6)
        ]
        assert got == expected
        assert len(method._compiled.unit_cache) <= 2


def test_empty_sample_list_and_duplicate_ids_are_errors() -> None:
    with pytest.raises(ScoringError, match="the sample list is empty"):
        score_committee(M, [])
    with pytest.raises(ScoringError, match=r"^sample S1: duplicate sample id$"):
        score_committee(M, [sample("S1"), sample("S1")])
    with pytest.raises(ScoringError, match="sample id must be a non-empty string"):
        score_committee(M, [sample("")])


def test_string_na_is_accepted_like_na() -> None:
    result = score_sample(M, SampleInput("S1", {"XF01": "NA"}))
    assert result.subunits["XF01"] is None


# --------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("prevalence", "control", "expected"),
    [
        (Fraction(0), None, 2),
        (Fraction(1, 10) - Fraction(1, 1000), None, 2),
        (Fraction(1, 10), None, 3),
        (Fraction(3, 10) - Fraction(1, 1000), None, 3),
        (Fraction(3, 10), None, 4),
        (Fraction(6, 10), None, 4),
        (Fraction(6, 10) + Fraction(1, 1000), None, 5),
        (1, None, 5),
        (Fraction(1, 20), "none", 5),
        (Fraction(1, 20), "recurring", 5),
        (Fraction(1, 2), "partial", 4),
        (Fraction(1, 20), "partial", 3),
        (None, "not_working", 4),
        (None, "effective", 2),
    ],
)
def test_likelihood_guide(
    prevalence: Fraction | int | None, control: str | None, expected: int
) -> None:
    assert likelihood(prevalence, control) == expected


def test_likelihood_rejects_bad_input() -> None:
    with pytest.raises(TypeError):
        likelihood(0.5, None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="between 0 and 1"):
        likelihood(Fraction(3, 2), None)
    with pytest.raises(ValueError, match="unknown control state"):
        likelihood(None, "sometimes")
    with pytest.raises(ValueError, match="give a prevalence"):
        likelihood(None, None)


def test_adjusted_severity() -> None:
    assert adjusted_severity(M, "XF01", []) == 4
    assert adjusted_severity(M, "XF01", ["brick_timber"]) == 5
    assert adjusted_severity(M, "WY03", ["heritage", "elderly_occupants"]) == 3  # +1 once
    assert adjusted_severity(M, "XF02", ["single_timber_stair"]) == 5  # capped at 5
    with pytest.raises(ScoringError, match="sub-unit XF01: unknown severity reason 'wooden'"):
        adjusted_severity(M, "XF01", ["wooden"])
    with pytest.raises(ScoringError, match="sub-unit XX01: unknown sub-unit code"):
        adjusted_severity(M, "XX01", [])


def test_result_objects_are_shared_and_immutable() -> None:
    a = score_sample(M, sample("S1", XF01=[F(3, 3)]))
    b = score_sample(M, sample("S2", XF01=[F(3, 3)]))
    assert a.subunits["XF01"] is b.subunits["XF01"]
    assert a.units["XF"] == b.units["XF"]
    with pytest.raises(AttributeError):
        a.units["XF"].grade = "D"  # type: ignore[misc, union-attr]


# --------------------------------------------------------------------------- properties

finding = st.builds(Finding, st.integers(1, 5), st.integers(1, 5), st.booleans())
entry: st.SearchStrategy[SubunitEntry] = st.one_of(
    st.just(NA), st.lists(finding, min_size=0, max_size=3)
)
samples_strategy = st.lists(
    st.dictionaries(st.sampled_from(M.subunit_codes), entry, max_size=12),
    min_size=1,
    max_size=4,
)


@settings(max_examples=60, database=None, deadline=None)
@given(samples_strategy)
def test_committee_value_lies_between_sample_values(raw: list[dict[str, SubunitEntry]]) -> None:
    samples = [SampleInput(f"S{i}", entries) for i, entries in enumerate(raw, 1)]
    result = score_committee(M, samples)
    values = [s.value for s in result.samples]
    assert min(values) <= result.value <= max(values)
    assert result.value == mean(values)
    assert 0 <= result.value <= 100
    for s in result.samples:
        assert s.grade == value_grade(M, s.value)
        for unit in s.units.values():
            if unit is not None:
                assert RANK[unit.grade] >= RANK[unit.band_grade]


@settings(max_examples=40, database=None, deadline=None)
@given(st.dictionaries(st.sampled_from(M.subunit_codes), entry, max_size=12))
def test_scoring_ignores_entry_order(entries: dict[str, SubunitEntry]) -> None:
    forward = score_sample(M, SampleInput("S1", entries))
    backward = score_sample(M, SampleInput("S1", dict(reversed(list(entries.items())))))
    assert forward == backward
    assert forward.units == backward.units
    assert forward.subunits == backward.subunits


@settings(max_examples=60, database=None, deadline=None)
@given(st.sampled_from(M.subunit_codes), st.integers(1, 5), st.integers(1, 5), st.integers(0, 4))
def test_raising_l_or_s_never_lowers_unit_grade(code: str, lk: int, sv: int, extra: int) -> None:
    low = unit_of(sample(**{code: [F(lk, sv)]}), code[:2])
    high_l = unit_of(sample(**{code: [F(min(5, lk + extra), sv)]}), code[:2])
    high_s = unit_of(sample(**{code: [F(lk, min(5, sv + extra))]}), code[:2])
    assert low.value <= high_l.value
    assert low.value <= high_s.value
    assert RANK[low.grade] <= RANK[high_l.grade]
    assert RANK[low.grade] <= RANK[high_s.grade]
