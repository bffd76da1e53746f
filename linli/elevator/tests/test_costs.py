"""Cost sharing: the research worked table, exact sums, exemptions, subsidies, running costs."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linli.elevator.costs import (
    RUNNING_ITEMS,
    ByArea,
    ByCoefficients,
    BySegments,
    CostError,
    Flat,
    Hybrid,
    Method,
    SubsidyPart,
    construction_shares,
    format_yuan,
    funding,
    largest_remainder,
    load_subsidy,
    running_cost_table,
    split,
    weights,
)

YUAN = 100
BLOCK = [Flat(f"{floor}0{side}", floor, 5000) for floor in range(1, 7) for side in (1, 2)]
CITY_2018 = SubsidyPart("市级补贴", share=Fraction(1), cap=240_000 * YUAN)
COEFFICIENTS = ByCoefficients(
    {2: Fraction("0.6"), 3: Fraction("0.8"), 4: Fraction(1), 5: Fraction("1.2"), 6: Fraction("1.4")}
)


def per_floor(shares: dict[str, int]) -> list[int]:
    return [shares[f"{floor}01"] // YUAN for floor in range(2, 7)]


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        (COEFFICIENTS, [21_600, 28_800, 36_000, 43_200, 50_400]),
        (BySegments(), [7_200, 16_200, 28_200, 46_200, 82_200]),
        (Hybrid(Fraction(1, 2)), [21_600, 26_100, 32_100, 41_100, 59_100]),
    ],
)
def test_the_three_methods_reproduce_the_worked_table(method: Method, expected: list[int]) -> None:
    """600k lift, 240k subsidy, 360k for the residents, six floors of two flats, floor 1 exempt."""
    plan = construction_shares(600_000 * YUAN, [CITY_2018], BLOCK, method)
    assert plan.funding.subsidy == 240_000 * YUAN
    assert plan.funding.residents == 360_000 * YUAN
    assert per_floor(dict(plan.shares)) == expected
    assert plan.shares["101"] == plan.shares["102"] == 0
    assert sum(plan.shares.values()) == 360_000 * YUAN


def test_default_by_area_follows_the_exclusive_areas() -> None:
    flats = [Flat("a", 2, 6000), Flat("b", 2, 4000), Flat("c", 1, 5000)]
    assert split(1000, flats, ByArea()) == {"a": 600, "b": 400, "c": 0}
    assert split(1500, flats, ByArea(), exempt_ground_floor=False) == {"a": 600, "b": 400, "c": 500}


def test_ground_floor_exemption_can_be_switched_off() -> None:
    shares = split(120_000, BLOCK, Hybrid(Fraction(1, 2)), exempt_ground_floor=False)
    assert shares["101"] > 0  # the ground floor shares the fixed part only
    assert shares["101"] == 120_000 // 2 // 12
    segments = split(120_000, BLOCK, BySegments(), exempt_ground_floor=False)
    assert segments["101"] == 0  # the lift carries the ground floor past no storey


def test_an_exempt_flat_pays_nothing_and_the_others_cover_it() -> None:
    flats = [Flat("201", 2, 5000), Flat("202", 2, 5000, exempt=True), Flat("301", 3, 5000)]
    shares = split(10_001, flats, ByArea())
    assert shares == {"201": 5001, "202": 0, "301": 5000}


def test_rounding_to_the_fen_by_largest_remainder() -> None:
    assert largest_remainder(100, [Fraction(1)] * 3) == [34, 33, 33]
    assert largest_remainder(200, [Fraction(1)] * 3) == [67, 67, 66]
    assert largest_remainder(10, [Fraction(1), Fraction(0), Fraction(2)]) == [3, 0, 7]
    assert largest_remainder(1, [Fraction(1, 3), Fraction(2, 3)]) == [0, 1]


@pytest.mark.parametrize(
    ("amount", "shares", "field", "message"),
    [
        (-1, [Fraction(1)], "amount", "must not be negative"),
        (100, [], "shares", "must be non-negative and not all zero"),
        (100, [Fraction(0), Fraction(0)], "shares", "must be non-negative and not all zero"),
        (100, [Fraction(2), Fraction(-1)], "shares", "must be non-negative and not all zero"),
    ],
)
def test_largest_remainder_refuses_bad_input(
    amount: int, shares: list[Fraction], field: str, message: str
) -> None:
    with pytest.raises(CostError) as caught:
        largest_remainder(amount, shares)
    assert (caught.value.field, caught.value.message) == (field, message)


def test_storey_weights_make_some_storeys_dearer() -> None:
    flats = [Flat("2", 2), Flat("3", 3)]
    # two storeys, the second three times as dear: 2 pays half of the first storey only
    shares = split(8_000, flats, BySegments(storey_weights=(Fraction(1), Fraction(3))))
    assert shares == {"2": 1_000, "3": 7_000}


def test_a_free_storey_costs_nobody_anything() -> None:
    flats = [Flat("2", 2), Flat("3", 3)]
    assert split(8_000, flats, BySegments(storey_weights=(Fraction(0), Fraction(1)))) == {
        "2": 0,
        "3": 8_000,
    }
    # a free storey needs no payer: the exempt top flat leaves storey 3 unpaid, which is fine
    flats = [Flat("a", 2), Flat("b", 3, exempt=True)]
    assert split(8_000, flats, BySegments(storey_weights=(Fraction(1), Fraction(0)))) == {
        "a": 8_000,
        "b": 0,
    }


@pytest.mark.parametrize(
    "storey_weights", [(Fraction(1), Fraction(-1)), (Fraction(0), Fraction(0))]
)
def test_storey_weights_must_be_non_negative_and_not_all_zero(
    storey_weights: tuple[Fraction, ...],
) -> None:
    with pytest.raises(CostError) as caught:
        split(8_000, [Flat("2", 2), Flat("3", 3)], BySegments(storey_weights=storey_weights))
    assert (caught.value.field, caught.value.message) == (
        "storey_weights",
        "must be non-negative and not all zero",
    )


def test_segments_by_area_weight_each_storey_by_the_users_areas() -> None:
    flats = [Flat("2a", 2, 3000), Flat("2b", 2, 1000)]
    assert split(4_000, flats, BySegments(per="area")) == {"2a": 3_000, "2b": 1_000}


def test_weights_are_exact_and_sum_to_one() -> None:
    exact = weights(BLOCK, Hybrid(Fraction(1, 3)))
    assert sum(exact.values()) == 1
    assert all(isinstance(value, Fraction) for value in exact.values())


@pytest.mark.parametrize(
    ("flats", "method", "field"),
    [
        ([], ByArea(), "flats"),
        ([Flat("a", 2, 100), Flat("a", 3, 100)], ByArea(), "flat a"),
        ([Flat("a", 2, 0)], ByArea(), "flat a"),
        ([Flat("a", 2, -5)], BySegments(), "flat a"),
        ([Flat("a", 0, 100)], ByArea(), "flat a"),
        ([Flat("a", 7, 100)], COEFFICIENTS, "flat a"),
        ([Flat("a", 2, 100)], ByCoefficients({2: Fraction(-1)}), "coefficients[2]"),
        ([Flat("a", 1, 100)], ByArea(), "flats"),
        ([Flat("a", 2), Flat("b", 3, exempt=True)], BySegments(), "storey 3"),
        ([Flat("a", 3)], BySegments(storey_weights=(Fraction(1),)), "storey_weights"),
        ([Flat("a", 2)], Hybrid(Fraction(3, 2)), "fixed_share"),
        ([Flat("a", 2, exempt=True)], Hybrid(Fraction(1, 2)), "flats"),
    ],
)
def test_errors_name_the_flat_or_setting(flats: list[Flat], method: Method, field: str) -> None:
    with pytest.raises(CostError) as caught:
        split(10_000, flats, method)
    assert caught.value.field == field


def test_subsidy_cap_percentage_and_top_ups() -> None:
    parts = [
        SubsidyPart("市级", share=Fraction(2, 5), cap=280_000 * YUAN),
        SubsidyPart("区级补贴", fixed=20_000 * YUAN),
    ]
    small = funding(500_000 * YUAN, parts)
    assert small.subsidies == (("市级", 200_000 * YUAN), ("区级补贴", 20_000 * YUAN))
    assert small.residents == 280_000 * YUAN
    large = funding(800_000 * YUAN, parts)
    assert large.subsidies[0] == ("市级", 280_000 * YUAN)  # the cap binds
    assert large.residents == 500_000 * YUAN


def test_public_money_never_exceeds_the_cost_or_rounds_up() -> None:
    generous = funding(100_000, [SubsidyPart("a", fixed=80_000), SubsidyPart("b", fixed=80_000)])
    assert generous.subsidies == (("a", 80_000), ("b", 20_000))
    assert generous.residents == 0
    assert funding(101, [SubsidyPart("a", share=Fraction(1, 2))]).residents == 51


def test_funding_refuses_a_negative_cost_or_subsidy() -> None:
    with pytest.raises(CostError) as caught:
        funding(-1, [CITY_2018])
    assert (caught.value.field, caught.value.message) == ("cost", "must not be negative")
    for part in (
        SubsidyPart("区级", share=Fraction(-1, 10)),
        SubsidyPart("区级", fixed=-1),
        SubsidyPart("区级", share=Fraction(1), cap=-1),
    ):
        with pytest.raises(CostError) as caught:
            funding(100_000, [CITY_2018, part])
        assert (caught.value.field, caught.value.message) == (
            "subsidy[1] 区级",
            "amounts must not be negative",
        )


def test_subsidy_configuration_as_data() -> None:
    parts = load_subsidy(
        [
            {"name": "市级", "share": "1", "cap": "240000.00"},
            {"name": "区级", "fixed": 20000},
            {"name": "困难家庭", "share": "0.05"},
        ]
    )
    assert parts[0] == SubsidyPart("市级", Fraction(1), 0, 24_000_000)
    assert parts[1].fixed == 2_000_000
    assert parts[2].share == Fraction(1, 20)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "a"}, "subsidy"),
        ([{"share": "1"}], "subsidy[0].name"),
        ([{"name": "a", "share": "3/2"}], "subsidy[0].share"),
        ([{"name": "a", "share": "1/0"}], "subsidy[0].share"),
        ([{"name": "a", "cap": "-1"}], "subsidy[0].cap"),
        ([{"name": "a", "fixed": "12.345"}], "subsidy[0].fixed"),
        ([{"name": "a", "percent": "40"}], "subsidy[0].percent"),
    ],
)
def test_bad_subsidy_configuration_names_the_field(data: object, field: str) -> None:
    with pytest.raises(CostError) as caught:
        load_subsidy(data)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (["市级"], "subsidy[1]", "must be an object"),
        (
            [{"name": "a", "fixed": 1.5}],
            "subsidy[1].fixed",
            'must be an amount in yuan such as "240000.00"',
        ),
        (
            [{"name": "a", "cap": True}],
            "subsidy[1].cap",
            'must be an amount in yuan such as "240000.00"',
        ),
        (
            [{"name": "a", "share": 0.4}],
            "subsidy[1].share",
            '0.4 is not a share such as "2/5" or "0.4"',
        ),
        (
            [{"name": "a", "share": "40%"}],
            "subsidy[1].share",
            '\'40%\' is not a share such as "2/5" or "0.4"',
        ),
    ],
)
def test_bad_subsidy_part_names_the_part_and_the_problem(
    data: list[object], field: str, message: str
) -> None:
    with pytest.raises(CostError) as caught:
        load_subsidy([{"name": "市级", "share": "1"}, *data])
    assert (caught.value.field, caught.value.message) == (field, message)


def test_running_cost_table_every_column_and_row_adds_up() -> None:
    yearly = dict(
        zip(RUNNING_ITEMS, [12_000_00, 3_000_00, 4_567_89, 1_000_01, 2_000_00], strict=True)
    )
    table = running_cost_table(yearly, BLOCK, Hybrid(Fraction(1, 2)))
    for item, amount in yearly.items():
        assert sum(table.items[item].values()) == amount
    assert table.total == sum(yearly.values())
    for flat in table.totals:
        assert table.totals[flat] == sum(column[flat] for column in table.items.values())
    assert table.totals["101"] == 0
    with pytest.raises(CostError, match=r"yearly\.insurance"):
        running_cost_table({"insurance": -1}, BLOCK, ByArea())
    with pytest.raises(CostError) as caught:
        running_cost_table({"maintenance": 100, "": 100}, BLOCK, ByArea())
    assert (caught.value.field, caught.value.message) == ("yearly", "an item needs a name")


def test_format_yuan() -> None:
    assert format_yuan(2_160_000) == "21600.00"
    assert format_yuan(5) == "0.05"


def _flats(rows: list[tuple[int, int, bool]]) -> list[Flat]:
    """Random flats; the first is on the top floor (at least 2) and pays, so someone can."""
    top = max(2, *(floor for floor, _, _ in rows))
    rows = [(top, rows[0][1], False), *rows[1:]]
    return [Flat(f"f{i}", floor, area, exempt) for i, (floor, area, exempt) in enumerate(rows)]


flat_lists = st.lists(
    st.tuples(st.integers(1, 9), st.integers(1, 20_000), st.booleans()), min_size=1, max_size=30
).map(_flats)
methods = st.one_of(
    st.just(ByArea()),
    st.builds(
        ByCoefficients,
        st.dictionaries(st.integers(1, 9), st.fractions(0, 3), min_size=9, max_size=9).filter(
            lambda table: set(table) == set(range(1, 10)) and all(table.values())
        ),
    ),
    st.builds(BySegments, per=st.sampled_from(["flat", "area"])),
    st.builds(Hybrid, st.fractions(0, 1), per=st.sampled_from(["flat", "area"])),
)


@settings(max_examples=150, deadline=None)
@given(
    flats=flat_lists,
    method=methods,
    cost=st.integers(0, 1_000_000 * YUAN),
    share=st.fractions(0, 1),
    cap=st.one_of(st.none(), st.integers(0, 400_000 * YUAN)),
    top_up=st.integers(0, 50_000 * YUAN),
    exempt_ground_floor=st.booleans(),
)
def test_shares_always_add_up_exactly_to_the_residents_part(
    flats: list[Flat],
    method: Method,
    cost: int,
    share: Fraction,
    cap: int | None,
    top_up: int,
    exempt_ground_floor: bool,
) -> None:
    subsidy = [SubsidyPart("base", share=share, cap=cap), SubsidyPart("top-up", fixed=top_up)]
    plan = construction_shares(
        cost, subsidy, flats, method, exempt_ground_floor=exempt_ground_floor
    )
    money = plan.funding
    assert money.subsidy + money.residents == cost
    assert 0 <= money.residents <= cost
    assert sum(plan.shares.values()) == money.residents
    exact = weights(flats, method, exempt_ground_floor=exempt_ground_floor)
    for flat in flats:
        assert abs(plan.shares[flat.flat] - exact[flat.flat] * money.residents) < 1
        if flat.exempt or (exempt_ground_floor and flat.floor == 1):
            assert plan.shares[flat.flat] == 0
