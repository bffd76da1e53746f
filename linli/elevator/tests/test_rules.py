"""Consent tally: the worked examples of the domain doc, every boundary, and still-needed proofs."""

from __future__ import annotations

import dataclasses
import itertools
import json
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linli.elevator.rules import (
    DEVELOPER,
    Owner,
    TallyError,
    Unit,
    Vote,
    available_rulesets,
    decide,
    format_area,
    load_ruleset,
    owner_roll,
    parse_area,
    parse_units,
    ruleset,
    rulesets_in_force,
    tally,
)

A, X, B, N = Vote.AGREE, Vote.AGAINST, Vote.ABSTAIN, Vote.NONE
BUILDING = ruleset("SH-801-building")
ESTATE = ruleset("SH-801-estate")


def flats(*votes: Vote, area: int = 5000) -> list[Unit]:
    """One flat per vote, each its own owner, all of the same area (hundredths of m²)."""
    return [Unit(f"{i + 1:03d}", f"o{i + 1}", area, vote) for i, vote in enumerate(votes)]


def example_block(floor_1_2: tuple[Vote, Vote], floor_2: tuple[Vote, Vote]) -> list[Unit]:
    """The doc's stairwell: 101, 102, 201, 202, then floors 3-6 (8 flats) agreeing."""
    votes = [*floor_1_2, *floor_2, *[A] * 8]
    ids = ["101", "102", "201", "202"] + [f"{f}0{i}" for f in range(3, 7) for i in (1, 2)]
    return [Unit(unit, unit, 5000, vote) for unit, vote in zip(ids, votes, strict=True)]


# --- the worked examples ------------------------------------------------------------------


def test_example_1_passes_exactly_at_the_boundary() -> None:
    result = tally(BUILDING, example_block((X, X), (A, B)))
    assert (result.owners, result.total_area) == (12, 60000)
    assert (result.participating_owners, result.participating_area) == (12, 60000)
    assert (result.agreeing_owners, result.agreeing_area) == (9, 45000)
    assert result.quorum_met
    assert result.approval_met
    assert result.passed
    approval = {c.measure: c for c in result.checks if c.condition == "approval"}
    assert approval["owners"].minimum == 9
    assert approval["area"].minimum == 45000
    assert result.still_needed.owners == 0
    assert result.still_needed.witness == ()


def test_example_1_one_more_abstention_fails() -> None:
    result = tally(BUILDING, example_block((X, X), (B, B)))
    assert result.quorum_met
    assert not result.approval_met
    assert not result.passed
    assert result.agreeing_owners == 8
    assert result.still_needed.owners == 1


def test_example_1_the_two_against_not_responding_passes() -> None:
    result = tally(BUILDING, example_block((N, N), (A, B)))
    assert (result.participating_owners, result.participating_area) == (10, 50000)
    assert result.quorum_met
    assert result.passed
    assert result.breakdown.none.owners == 2
    assert result.breakdown.against.owners == 0


def test_example_2_fails_on_area_alone() -> None:
    areas = [7000, 7000] + [4600] * 10
    passing = [A if i >= 2 else X for i in range(12)]
    units = [
        Unit(str(i), str(i), area, vote)
        for i, (area, vote) in enumerate(zip(areas, passing, strict=True))
    ]
    result = tally(BUILDING, units)
    assert result.passed
    assert result.agreeing_area == 46000

    units[2] = dataclasses.replace(units[2], vote=X)
    result = tally(BUILDING, units)
    checks = {(c.condition, c.measure): c.met for c in result.checks}
    assert checks == {
        ("quorum", "area"): True,
        ("quorum", "owners"): True,
        ("approval", "area"): False,
        ("approval", "owners"): True,
    }
    assert (result.agreeing_owners, result.agreeing_area) == (9, 41400)
    assert not result.passed


def test_example_3_one_owner_with_two_flats_counts_once() -> None:
    units = flats(*[A] * 12)
    units[10] = dataclasses.replace(units[10], owner="X")
    units[11] = dataclasses.replace(units[11], owner="X")
    result = tally(BUILDING, units)
    assert (result.owners, result.total_area) == (11, 60000)
    minimum = {(c.condition, c.measure): c.minimum for c in result.checks}
    assert minimum[("quorum", "owners")] == 8
    assert minimum[("approval", "owners")] == 9
    owner_x = next(owner for owner in result.roll if owner.key == "X")
    assert owner_x.area == 10000
    assert owner_x.units == ("011", "012")


def test_example_4_estate_what_the_high_rise_owners_decide() -> None:
    """乌中-like estate: 600 high-rise flats of 80 m², 100 multi-storey flats of 55 m²."""
    high = [Unit(f"h{i}", f"h{i}", 8000, X, {"type": "high-rise"}) for i in range(600)]
    multi = [Unit(f"m{i}", f"m{i}", 5500, A, {"type": "multi-storey"}) for i in range(100)]
    result = tally(ESTATE, high + multi)
    assert result.still_needed.owners == 266  # more than 26,750 m² must agree
    assert result.still_needed.min_area == 2675001 - 550000
    groups = result.groups["type"]
    assert groups["high-rise"].still_needed is not None
    assert groups["high-rise"].still_needed.owners == 266
    assert groups["multi-storey"].still_needed is None  # they all agree already

    # minimum turnout: 378 high-rise take part (quorum by area holds), the rest do not respond
    high = [dataclasses.replace(u, vote=X if i < 378 else N) for i, u in enumerate(high)]
    result = tally(ESTATE, high + multi)
    quorum_area = next(c for c in result.checks if c.condition == "quorum" and c.measure == "area")
    assert quorum_area.met
    assert quorum_area.minimum == 3566667
    assert result.still_needed.owners == 155  # more than 17,870 m²
    assert result.still_needed.from_participants == 155

    high[377] = dataclasses.replace(high[377], vote=N)  # 377 take part: 35,660 m² is too little
    assert not tally(ESTATE, high + multi).quorum_met


# --- boundaries ---------------------------------------------------------------------------


def test_exactly_two_thirds_take_part_meets_the_quorum() -> None:
    assert tally(BUILDING, flats(*[A] * 8, *[N] * 4)).passed
    result = tally(BUILDING, flats(*[A] * 7, *[N] * 5))
    assert not result.quorum_met
    assert result.approval_met
    assert not result.passed


def test_quorum_by_area_needs_the_hundredth_above_two_thirds() -> None:
    # A = 100.00 m²; 2/3 is 66.666..., so 66.66 m² taking part is not enough and 66.67 is.
    for taking_part, met in ((6666, False), (6667, True)):
        units = [
            Unit("1", "a", taking_part, A),
            Unit("2", "b", 10000 - taking_part - 1, N),
            Unit("3", "c", 1, N),
        ]
        check = next(c for c in tally(BUILDING, units).checks if c.measure == "area")
        assert check.met is met


def test_estate_exactly_half_fails_and_just_over_half_passes() -> None:
    assert not tally(ESTATE, flats(*[A] * 5, *[X] * 5)).passed
    assert tally(ESTATE, flats(*[A] * 6, *[X] * 4)).passed
    # more owners than half, but exactly half of the area
    units = [Unit("1", "a", 9000, A), Unit("2", "b", 500, A), Unit("3", "c", 9500, X)]
    result = tally(ESTATE, units)
    assert not result.approval_met
    assert [c.met for c in result.checks if c.condition == "approval"] == [False, True]


def test_an_abstention_counts_as_taking_part_and_not_as_agreeing() -> None:
    with_abstention = tally(BUILDING, flats(*[A] * 8, B, B, B, B))
    assert with_abstention.participating_owners == 12
    assert not with_abstention.passed
    without = tally(BUILDING, flats(*[A] * 8, N, N, N, N))
    assert without.participating_owners == 8
    assert without.passed


def test_sh_749_counts_agreement_against_all_owners() -> None:
    rule = ruleset("SH-749")
    assert rule.quorum is None
    assert tally(rule, flats(*[A] * 8, *[N] * 4)).passed
    # abstaining or not responding makes no difference: the base is every owner
    assert not tally(rule, flats(*[A] * 7, *[N] * 5)).passed
    assert not tally(rule, flats(*[A] * 7, *[B] * 5)).passed
    # by area too: 8 small flats agreeing are not 2/3 of the area
    units = flats(*[A] * 8, area=4000) + [Unit(f"b{i}", f"b{i}", 9000, N) for i in range(4)]
    assert not tally(rule, units).passed


def test_pilot_building_rule_is_ninety_percent_by_headcount_only() -> None:
    rule = ruleset("SH-pilot-2011")
    assert rule.approval.area is None
    assert rule.manual_conditions
    assert tally(rule, flats(*[A] * 9, X)).passed
    assert not tally(rule, flats(*[A] * 8, X, N)).passed
    assert tally(rule, flats(*[A] * 18, X, N)).passed
    # area is not tested: nine small flats agreeing pass against one large flat
    units = [*flats(*([A] * 9), area=100), Unit("big", "big", 100000, X)]
    assert tally(rule, units).passed


def test_pilot_estate_rule_is_two_thirds_of_the_estate_owners() -> None:
    rule = ruleset("SH-pilot-2011-estate")
    assert rule.scope == "estate"
    assert tally(rule, flats(*[A] * 8, *[N] * 4)).passed
    assert not tally(rule, flats(*[A] * 7, *[X] * 5)).passed


# --- the owner roll -----------------------------------------------------------------------


def test_all_developer_units_count_as_one_owner() -> None:
    units = [
        *flats(A, A, A, A),
        Unit("d1", "", 6000, N, developer=True),
        Unit("d2", "", 4000, N, developer=True),
        Unit("d3", "someone", 5000, N, developer=True),
    ]
    result = tally(BUILDING, units)
    assert (result.owners, result.total_area) == (5, 35000)
    developer = next(owner for owner in result.roll if owner.developer)
    assert developer.key == DEVELOPER
    assert developer.area == 15000
    assert not result.quorum_met  # 4 of 5 owners take part, but only 200 of 350 m²
    assert result.still_needed.owners == 1
    assert result.still_needed.witness[0].developer


def test_a_unit_without_a_ballot_takes_the_owners_vote() -> None:
    units = [Unit("501", "X", 5000, A), Unit("502", "X", 5000, N), Unit("601", "Y", 5000, N)]
    roll = owner_roll(units)
    assert [(owner.key, owner.vote, owner.area) for owner in roll] == [
        ("X", A, 10000),
        ("Y", N, 5000),
    ]


def test_one_owner_voting_two_ways_is_an_error_naming_the_owner() -> None:
    units = [Unit("501", "X", 5000, A), Unit("502", "X", 5000, X)]
    with pytest.raises(TallyError, match="owner X") as caught:
        tally(BUILDING, units)
    assert caught.value.field == "owner X"
    assert "501" in str(caught.value)
    assert "502" in str(caught.value)


def test_roll_errors_name_the_unit() -> None:
    with pytest.raises(TallyError, match="unit 101: appears twice"):
        owner_roll([Unit("101", "a", 5000, A), Unit("101", "b", 5000, A)])
    with pytest.raises(TallyError, match="unit 102: area must be positive"):
        owner_roll([Unit("102", "a", 0, A)])
    with pytest.raises(TallyError, match="units: the roll is empty"):
        owner_roll([])
    with pytest.raises(TallyError, match="reserved"):
        owner_roll([Unit("103", DEVELOPER, 5000, A)])


@pytest.mark.parametrize(
    ("value", "expected"),
    [("50.00", 5000), ("50", 5000), ("0.01", 1), (50, 5000), (Decimal("46.5"), 4650)],
)
def test_parse_area_is_exact(value: object, expected: int) -> None:
    assert parse_area(value, "unit 1") == expected


@pytest.mark.parametrize("value", ["0", "0.00", "-5", "50.005", "abc", "", 50.5, True, None, 0])
def test_parse_area_rejects_non_positive_and_malformed(value: object) -> None:
    with pytest.raises(TallyError, match="unit 1"):
        parse_area(value, "unit 1")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (Decimal("50.005"), "area 50.005 has more than 2 decimals"),
        (Decimal("Infinity"), "area Infinity has more than 2 decimals"),
        (Decimal("sNaN"), "area Decimal('sNaN') is not a number"),
    ],
)
def test_parse_area_refuses_decimals_that_are_not_hundredths(value: Decimal, message: str) -> None:
    with pytest.raises(TallyError) as caught:
        parse_area(value, "unit 1")
    assert (caught.value.field, caught.value.message) == ("unit 1", message)


@pytest.mark.parametrize(
    ("rows", "field", "message"),
    [
        ({"unit": "101"}, "units", "must be a list"),
        ("101,a,50", "units", "must be a list"),
        ([], "units", "the roll is empty"),
        (
            [{"unit": "101", "owner": "a", "area": "50", "vote": "agree"}, "102"],
            "units[1]",
            "must be an object",
        ),
    ],
)
def test_parse_units_refuses_a_roll_that_is_not_a_list_of_objects(
    rows: object, field: str, message: str
) -> None:
    with pytest.raises(TallyError) as caught:
        parse_units(rows)
    assert (caught.value.field, caught.value.message) == (field, message)


def test_parse_units_reads_groups_and_developer_marks() -> None:
    units = parse_units(
        [
            {"unit": "101", "owner": "a", "area": "50.00", "vote": "agree", "group": "1F"},
            {"unit": 102, "area": "45.5", "vote": "none", "developer": True, "group": {"floor": 1}},
        ]
    )
    assert units[0].groups == {"group": "1F"}
    assert units[1] == Unit("102", DEVELOPER, 4550, N, {"floor": "1"}, developer=True)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"unit": "101", "owner": "a", "area": "50", "vote": "maybe"}, "unit 101: unknown vote"),
        ({"unit": "101", "owner": "a", "area": "-1", "vote": "agree"}, "unit 101: area"),
        ({"unit": "101", "owner": "a", "vote": "agree"}, "unit 101: area is missing"),
        ({"unit": "101", "area": "50", "vote": "agree"}, "unit 101: owner is missing"),
        ({"unit": "101", "owner": "a", "area": "5", "vote": "agree", "vot": 1}, "unknown field"),
        ({"owner": "a", "area": "50", "vote": "agree"}, r"units\[0\]\.unit"),
        ({"unit": "1", "owner": "a", "area": "5", "vote": "agree", "developer": 1}, "developer"),
        ({"unit": "1", "owner": "a", "area": "5", "vote": "agree", "group": [1]}, "group"),
    ],
)
def test_parse_units_errors_name_the_unit(row: dict[str, object], message: str) -> None:
    with pytest.raises(TallyError, match=message):
        parse_units([row])


# --- rule sets as data --------------------------------------------------------------------


def test_every_shipped_rule_set_loads_under_its_file_name() -> None:
    names = available_rulesets()
    assert set(names) >= {
        "SH-801-building",
        "SH-801-estate",
        "SH-749",
        "SH-pilot-2011",
        "SH-pilot-2011-estate",
    }
    for name in names:
        assert ruleset(name).name == name


def test_801_thresholds_are_as_published() -> None:
    assert BUILDING.quorum is not None
    assert ESTATE.quorum is not None
    assert (BUILDING.quorum.area, BUILDING.quorum.owners) == (Fraction(2, 3), Fraction(2, 3))
    assert BUILDING.approval.base == "participating"
    assert BUILDING.approval.comparator == ">="
    assert BUILDING.approval.area == BUILDING.approval.owners == Fraction(3, 4)
    assert ESTATE.approval.comparator == ">"
    assert ESTATE.approval.area == Fraction(1, 2)
    assert BUILDING.source == "沪建房管联〔2020〕801号"


def test_unknown_rule_set_name_is_an_error() -> None:
    with pytest.raises(TallyError, match="unknown rule set 'SH-999'"):
        ruleset("SH-999")
    with pytest.raises(TallyError, match="unknown rule set"):
        ruleset("../rules")


def test_rules_in_force_follow_the_effective_dates() -> None:
    assert [r.name for r in rulesets_in_force(date(2022, 5, 1), "building")] == ["SH-801-building"]
    assert [r.name for r in rulesets_in_force(date(2020, 6, 1), "building")] == ["SH-749"]
    assert rulesets_in_force(date(2020, 6, 1), "estate") == []
    assert [r.name for r in rulesets_in_force(date(2015, 1, 1), "estate")] == [
        "SH-pilot-2011-estate"
    ]


def valid_rule(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "schema": 1,
        "name": "SH-test",
        "title": "test",
        "source": "沪测〔2030〕1号",
        "scope": "building",
        "effective_from": "2030-01-01",
        "quorum": {"base": "all", "area": "2/3", "owners": "2/3", "comparator": ">="},
        "approval": {"base": "participating", "area": "4/5", "owners": "4/5", "comparator": ">="},
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not ...}


def test_legal_staff_can_add_a_version_as_data() -> None:
    rule = load_ruleset(valid_rule())
    assert rule.approval.area == Fraction(4, 5)
    assert rule.effective_to is None
    assert not tally(rule, flats(*[A] * 9, X, X, B)).passed  # 9/12 < 4/5
    assert tally(rule, flats(*[A] * 10, X, B)).passed


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"approval": ...}, "approval"),
        ({"name": "a/b"}, "name"),
        ({"schema": 2}, "schema"),
        ({"scope": "district"}, "scope"),
        ({"effective_from": "2030-13-01"}, "effective_from"),
        ({"effective_to": "2029-12-31"}, "effective_to"),
        ({"quorom": {}}, "quorom"),
        ({"quorum": {"base": "participating", "area": "2/3", "comparator": ">="}}, "quorum.base"),
        ({"quorum": None}, "quorum"),
        ({"approval": {"base": "all", "area": "3/4", "comparator": "=>"}}, "approval.comparator"),
        ({"approval": {"base": "some", "area": "3/4", "comparator": ">="}}, "approval.base"),
        ({"approval": {"base": "all", "area": "0.75", "comparator": ">="}}, "approval.area"),
        ({"approval": {"base": "all", "area": "3/0", "comparator": ">="}}, "approval.area"),
        ({"approval": {"base": "all", "owners": "5/4", "comparator": ">="}}, "approval.owners"),
        ({"approval": {"base": "all", "owners": "0", "comparator": ">="}}, "approval.owners"),
        ({"approval": {"base": "all", "owners": "1", "comparator": ">"}}, "approval.owners"),
        ({"approval": {"base": "all", "comparator": ">="}}, "approval"),
        ({"approval": {"base": "all", "area": "1/2", "comparator": ">", "x": 1}}, "approval.x"),
        ({"manual_conditions": [""]}, "manual_conditions"),
    ],
)
def test_a_bad_rule_set_names_the_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(TallyError) as caught:
        load_ruleset(valid_rule(**changes))
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": " "}, "title", "must be a non-empty string"),
        ({"source": 801}, "source", "must be a non-empty string"),
        ({"effective_from": 20300101}, "effective_from", "must be a date written YYYY-MM-DD"),
        ({"approval": "3/4"}, "approval", "must be an object"),
        ({"quorum": ["2/3"]}, "quorum", "must be an object"),
    ],
)
def test_a_bad_rule_set_names_the_field_and_the_problem(
    changes: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(TallyError) as caught:
        load_ruleset(valid_rule(**changes))
    assert (caught.value.field, caught.value.message) == (field, message)


def test_a_rule_set_must_be_an_object() -> None:
    with pytest.raises(TallyError) as caught:
        load_ruleset(["SH-test"])
    assert (caught.value.field, caught.value.message) == ("rule", "must be an object")
    with pytest.raises(TallyError) as caught:
        load_ruleset("SH-801-building", where="request.rule.")
    assert (caught.value.field, caught.value.message) == ("request.rule", "must be an object")


class _Files:
    """Stands in for ``importlib.resources`` so ``ruleset`` reads a folder of the test's."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def files(self, package: str) -> Path:
        assert package == "linli.elevator"
        return self.root


def test_a_shipped_file_that_is_not_json_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "rulesets").mkdir()
    (tmp_path / "rulesets" / "SH-cov-broken.json").write_text('{"schema": 1,', "utf-8")
    monkeypatch.setattr("linli.elevator.rules.rulesets.resources", _Files(tmp_path))
    with pytest.raises(TallyError) as caught:
        ruleset("SH-cov-broken")
    assert caught.value.field == "rulesets/SH-cov-broken.json"
    assert caught.value.message.startswith("not valid JSON: ")


def test_a_shipped_file_must_declare_its_own_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "rulesets").mkdir()
    (tmp_path / "rulesets" / "SH-cov-renamed.json").write_text(json.dumps(valid_rule()), "utf-8")
    monkeypatch.setattr("linli.elevator.rules.rulesets.resources", _Files(tmp_path))
    with pytest.raises(TallyError) as caught:
        ruleset("SH-cov-renamed")
    assert (caught.value.field, caught.value.message) == (
        "rulesets/SH-cov-renamed.json",
        "declares name 'SH-test'",
    )


# --- groups and unanimity -----------------------------------------------------------------


def test_group_breakdown_counts_owners_once_per_group_with_their_area_there() -> None:
    units = [
        Unit("101", "a", 5000, X, {"floor": "1"}),
        Unit("102", "b", 5000, N, {"floor": "1"}),
        Unit("201", "c", 5000, A, {"floor": "2"}),
        Unit("202", "c", 5000, A, {"floor": "2"}),
        Unit("301", "d", 5000, B, {"floor": "3"}),
        Unit("302", "e", 6000, A, {"floor": "3"}),
        Unit("303", "a", 4000, X, {"floor": "3"}),  # owner a holds flats on floors 1 and 3
    ]
    result = tally(BUILDING, units)
    floors = result.groups["floor"]
    assert list(floors) == ["1", "2", "3"]
    one, two, three = floors["1"].breakdown, floors["2"].breakdown, floors["3"].breakdown
    assert (one.against.owners, one.against.area, one.none.owners) == (1, 5000, 1)
    assert (two.agree.owners, two.agree.area) == (1, 10000)
    assert (three.total.owners, three.abstain.owners, three.against.area) == (3, 1, 4000)
    assert floors["2"].still_needed is None  # everyone there agrees already
    needed = floors["3"].still_needed
    assert needed is not None
    assert {owner.key for owner in needed.witness} <= {"a", "d"}


def test_distance_from_unanimity() -> None:
    result = tally(BUILDING, example_block((X, X), (A, B)))
    assert result.unanimity.owners_not_agreeing == 3
    assert result.unanimity.area_not_agreeing == 15000
    assert result.unanimity.owner_share == Fraction(3, 4)


def test_as_dict_has_no_ratio_of_nobody() -> None:
    data = tally(BUILDING, flats(N, N, N, N)).as_dict()
    ratios = data["ratios"]
    assert isinstance(ratios, dict)
    assert ratios["participating_owners"] == {"ratio": "0/1", "percent": "0.00"}
    assert ratios["agreeing_owners_of_participating"] is None
    assert ratios["agreeing_area_of_participating"] is None
    assert data["passed"] is False


def test_as_dict_carries_the_contract_fields_with_exact_strings() -> None:
    data = tally(BUILDING, example_block((X, X), (A, B))).as_dict()
    assert data["passed"] is True
    assert data["total_area"] == "600.00"
    assert data["agreeing_area"] == "450.00"
    assert data["owners"] == 12
    ratios = data["ratios"]
    assert isinstance(ratios, dict)
    assert ratios["agreeing_owners_of_participating"] == {"ratio": "3/4", "percent": "75.00"}
    assert format_area(1) == "0.01"
    assert format_area(123456) == "1234.56"


# --- what is still needed: proofs ---------------------------------------------------------

RULES = [ruleset(name) for name in available_rulesets()] + [
    load_ruleset(
        valid_rule(
            name="strict-all",
            quorum=None,
            approval={"base": "all", "area": "1/2", "owners": "1/2", "comparator": ">"},
        )
    ),
    load_ruleset(
        valid_rule(
            name="strict-quorum",
            quorum={"area": "1/2", "owners": "3/5", "comparator": ">"},
            approval={"base": "participating", "area": "2/3", "comparator": ">="},
        )
    ),
]

owner_specs = st.lists(
    st.tuples(
        st.lists(st.integers(1, 20000), min_size=1, max_size=2),  # unit areas of one owner
        st.sampled_from(list(Vote)),
    ),
    min_size=1,
    max_size=6,
)


def build(specs: list[tuple[list[int], Vote]]) -> list[Unit]:
    return [
        Unit(f"{i}-{j}", f"o{i}", area, vote if j == 0 else N)
        for i, (areas, vote) in enumerate(specs)
        for j, area in enumerate(areas)
    ]


def with_votes(roll: list[Owner], votes: tuple[Vote, ...]) -> list[Owner]:
    return [dataclasses.replace(o, vote=v) for o, v in zip(roll, votes, strict=True)]


@settings(max_examples=200, deadline=None)
@given(specs=owner_specs, rule_index=st.integers(0, len(RULES) - 1))
def test_still_needed_is_sufficient_minimal_and_its_area_is_a_lower_bound(
    specs: list[tuple[list[int], Vote]], rule_index: int
) -> None:
    rule = RULES[rule_index]
    result = tally(rule, build(specs))
    roll = list(result.roll)
    needed = result.still_needed
    assert needed.owners == len(needed.witness)
    assert needed.from_participants + needed.from_non_participants == needed.owners
    assert result.passed == (needed.owners == 0) == decide(rule, roll)

    # sufficient: the witness, agreeing, passes
    witness = {owner.key for owner in needed.witness}
    assert all(owner.vote is not A for owner in needed.witness)
    converted = [dataclasses.replace(o, vote=A) if o.key in witness else o for o in roll]
    assert decide(rule, converted)
    assert needed.witness_area == sum(o.area for o in needed.witness) >= needed.min_area

    # minimal: no assignment of votes that differs in fewer than k owners passes
    for votes in itertools.product(list(Vote), repeat=len(roll)):
        changed = sum(v is not o.vote for v, o in zip(votes, roll, strict=True))
        if changed < needed.owners:
            assert not decide(rule, with_votes(roll, votes))

    # min_area: every set of owners who, agreeing, pass adds at least that much agreeing area
    open_owners = [o for o in roll if o.vote is not A]
    for size in range(len(open_owners) + 1):
        for chosen in itertools.combinations(open_owners, size):
            keys = {o.key for o in chosen}
            trial = [dataclasses.replace(o, vote=A) if o.key in keys else o for o in roll]
            if decide(rule, trial):
                assert sum(o.area for o in chosen) >= needed.min_area


@settings(max_examples=40, deadline=None)
@given(
    areas=st.lists(st.integers(3000, 15000), min_size=20, max_size=120),
    votes=st.data(),
    rule_index=st.integers(0, len(RULES) - 1),
)
def test_the_witness_passes_on_larger_rolls(
    areas: list[int], votes: st.DataObject, rule_index: int
) -> None:
    rule = RULES[rule_index]
    chosen = votes.draw(
        st.lists(st.sampled_from(list(Vote)), min_size=len(areas), max_size=len(areas))
    )
    units = [
        Unit(str(i), str(i), area, vote)
        for i, (area, vote) in enumerate(zip(areas, chosen, strict=True))
    ]
    result = tally(rule, units)
    witness = {owner.key for owner in result.still_needed.witness}
    assert tally(
        rule, [dataclasses.replace(u, vote=A) if u.owner in witness else u for u in units]
    ).passed
    # one fewer conversion drawn greedily from the same witness does not pass
    if witness:
        smaller = set(sorted(witness)[1:])
        trial = [dataclasses.replace(u, vote=A) if u.owner in smaller else u for u in units]
        assert not tally(rule, trial).passed


def test_a_non_participant_agreeing_also_raises_participation() -> None:
    # 12 owners, 7 agree, 5 do not respond: the quorum lacks one owner; any one agreeing passes
    result = tally(BUILDING, flats(*[A] * 7, *[N] * 5))
    assert not result.quorum_met
    assert result.still_needed.owners == 1
    assert result.still_needed.from_non_participants == 1


def test_converting_an_against_vote_does_not_raise_participation() -> None:
    # 8 agree, 4 against: 8 < 9; one against voter agreeing gives 9 of 12
    result = tally(BUILDING, flats(*[A] * 8, *[X] * 4))
    needed = result.still_needed
    assert (needed.owners, needed.from_participants, needed.min_area) == (1, 1, 5000)
