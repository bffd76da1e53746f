"""Station reach, charging capacity and the suggested risk findings."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from linli.fire.rules import (
    DEFAULT_SPEED_M_PER_MIN,
    ChargingGap,
    Extinguisher,
    FireRuleError,
    Location,
    Sprinkler,
    buildings_out_of_reach,
    charging_gap,
    haversine_m,
    prevalence_likelihood,
    risk_facts,
    station_reach,
)

D = date.fromisoformat
LON, LAT = 121.4470, 31.2140  # around 湖南街道
METRES_PER_DEGREE = 6_371_008.8 * math.pi / 180


def north(id_: str, metres: float) -> Location:
    """A place ``metres`` due north of the reference point."""
    return Location(id_, LON, LAT + metres / METRES_PER_DEGREE)


# --- distance and reach ---------------------------------------------------------


def test_haversine_matches_known_distances() -> None:
    assert haversine_m(0, 0, 0, 1) == pytest.approx(METRES_PER_DEGREE, abs=0.01)
    assert haversine_m(LON, LAT, LON, LAT) == 0
    # one degree of longitude at 60° latitude is about half a degree at the equator
    assert haversine_m(0, 60, 1, 60) == pytest.approx(METRES_PER_DEGREE / 2, rel=1e-3)


def test_default_speed_reaches_600_metres_in_3_minutes() -> None:
    assert DEFAULT_SPEED_M_PER_MIN * 3 == 600
    station = Location("S1", LON, LAT)
    near, edge, far = north("near", 300), north("edge", 600), north("far", 602)
    reach = {r.building_id: r for r in station_reach([station], [near, edge, far])}
    assert reach["near"].minutes == Decimal("1.50")
    assert reach["near"].in_reach
    assert reach["edge"].distance_m == Decimal("600.0")
    assert reach["edge"].minutes == Decimal("3.00")
    assert reach["edge"].in_reach
    assert reach["far"].minutes == Decimal("3.01")
    assert not reach["far"].in_reach


def test_exactly_three_minutes_is_in_reach_and_a_hundredth_more_is_not() -> None:
    station, building = Location("S1", LON, LAT), north("B1", 987.65)
    (probe,) = station_reach([station], [building])
    assert probe.distance_m is not None
    (exact,) = station_reach([station], [building], speed_m_per_min=probe.distance_m / 3)
    assert (exact.minutes, exact.in_reach) == (Decimal("3.00"), True)
    slower = probe.distance_m / Decimal("3.01")
    (beyond,) = station_reach([station], [building], speed_m_per_min=slower)
    assert (beyond.minutes, beyond.in_reach) == (Decimal("3.01"), False)
    (five,) = station_reach([station], [building], speed_m_per_min=slower, minutes=5)
    assert five.in_reach
    assert five.limit_minutes == 5


def test_nearest_station_wins_and_out_of_reach_lists_only_the_far() -> None:
    stations = [Location("S-far", LON, LAT + 0.05), Location("S-near", LON, LAT)]
    buildings = [north("B1", 100), north("B2", 2000)]
    reach = station_reach(stations, buildings, speed_m_per_min=250)
    assert [(r.building_id, r.station_id) for r in reach] == [("B1", "S-near"), ("B2", "S-near")]
    assert reach[0].minutes == Decimal("0.40")
    out = buildings_out_of_reach(stations, buildings, speed_m_per_min=250)
    assert [(r.building_id, r.minutes) for r in out] == [("B2", Decimal("8.00"))]


def test_without_stations_every_building_is_out_of_reach() -> None:
    (reach,) = buildings_out_of_reach([], [north("B1", 0)])
    assert (reach.station_id, reach.distance_m, reach.minutes, reach.in_reach) == (
        None,
        None,
        None,
        False,
    )


def test_bad_coordinates_and_speed_are_refused() -> None:
    with pytest.raises(FireRuleError) as caught:
        station_reach([Location("S1", LON, 91.0)], [])
    assert (caught.value.record, caught.value.field) == ("S1", "lat")
    with pytest.raises(FireRuleError) as caught:
        station_reach([], [Location("B1", float("nan"), LAT)])
    assert (caught.value.record, caught.value.field) == ("B1", "lon")
    with pytest.raises(ValueError, match="speed"):
        station_reach([], [], speed_m_per_min=0)
    for minutes in (-1, Decimal("NaN"), Decimal("Infinity")):
        with pytest.raises(ValueError, match=r"^minutes must not be negative$"):
            station_reach([], [], minutes=minutes)


# --- charging capacity ------------------------------------------------------------


def test_charging_gap_per_committee() -> None:
    gaps = charging_gap({"东湖": 60, "湖南": 10, "永嘉": 0}, {"东湖": 30, "湖南": 12, "复兴": 5})
    assert gaps == [
        ChargingGap("东湖", 60, 30, 60, 30, Decimal("0.50")),
        ChargingGap("复兴", 0, 5, 0, 0, None),
        ChargingGap("永嘉", 0, 0, 0, 0, None),
        ChargingGap("湖南", 10, 12, 10, 0, Decimal("1.20")),
    ]


def test_charging_target_ratio_rounds_the_need_up() -> None:
    (gap,) = charging_gap({"A": 7}, {"A": 3}, bays_per_ebike=Decimal("0.5"))
    assert (gap.needed, gap.shortfall, gap.ratio) == (4, 1, Decimal("0.43"))


def test_charging_counts_must_be_counts() -> None:
    with pytest.raises(FireRuleError) as caught:
        charging_gap({"A": -1}, {})
    assert (caught.value.record, caught.value.field) == ("A", "ebikes_estimated")


@pytest.mark.parametrize("target", [-1, Decimal("-0.5"), Decimal("Infinity"), Decimal("NaN")])
def test_charging_target_must_be_a_non_negative_number(target: Decimal | int) -> None:
    with pytest.raises(ValueError, match=r"^bays_per_ebike must not be negative$"):
        charging_gap({"A": 7}, {"A": 3}, bays_per_ebike=target)


# --- risk facts -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("defective", "checked", "likelihood"),
    [
        (0, 10, None),
        (9, 100, 2),
        (1, 10, 3),
        (29, 100, 3),
        (3, 10, 4),
        (6, 10, 4),
        (61, 100, 5),
        (5, 5, 5),
    ],
)
def test_prevalence_likelihood_bands(defective: int, checked: int, likelihood: int | None) -> None:
    assert prevalence_likelihood(defective, checked) == likelihood


def test_prevalence_needs_checked_points() -> None:
    with pytest.raises(ValueError, match="checked"):
        prevalence_likelihood(1, 0)


ON = D("2025-03-01")


def test_expired_and_overdue_extinguishers_become_one_xf03_fact() -> None:
    units = [Extinguisher(f"E{i}", "powder", D("2024-01-01")) for i in range(8)]
    units.append(Extinguisher("X-old", "water", D("2019-01-01"), D("2024-01-01")))  # scrapped
    units.append(Extinguisher("X-late", "co2", D("2019-06-01")))  # maintenance 2024-06-01
    (fact,) = risk_facts(ON, extinguishers=units)
    assert (fact.subunit, fact.likelihood, fact.defective, fact.checked) == ("XF03", 3, 2, 10)
    assert fact.share == Fraction(1, 5)
    assert fact.evidence == ("X-late", "X-old")
    assert "共 10 具" in fact.description
    assert "需报废更换 1 具" in fact.description
    assert "逾期未送修 1 具" in fact.description
    assert "20%" in fact.description


def door(
    id_: str,
    end_of_line: str = "2025-01-10",
    pressure: str | None = None,
    faults: tuple[str, ...] = (),
) -> Sprinkler:
    """A door number whose visual check and service are recent."""
    return Sprinkler(
        id_,
        installed_on=D("2024-01-01"),
        last_visual=D("2025-02-20"),
        last_end_of_line=D(end_of_line),
        last_service=D("2024-06-01"),
        last_pressure_mpa=None if pressure is None else Decimal(pressure),
        faults=faults,
    )


def test_sprinkler_faults_low_pressure_and_overdue_checks_become_xf04() -> None:
    doors = [
        door("1号"),
        door("2号", faults=("喷头被涂漆",)),
        door("3号", pressure="0.02"),
        door("4号", end_of_line="2024-10-01"),  # test due 2025-01-01
        door("5号", pressure="0.03"),
    ]
    (fact,) = risk_facts(ON, sprinklers=doors)
    assert (fact.subunit, fact.defective, fact.checked, fact.likelihood) == ("XF04", 3, 5, 4)
    assert fact.evidence == ("2号", "3号", "4号")
    assert "有故障 1 个" in fact.description
    assert "检查逾期 1 个" in fact.description


def test_charging_shortfall_and_distant_buildings_become_xf07_and_wy05() -> None:
    gaps = charging_gap({"东湖": 60, "湖南": 10}, {"东湖": 30, "湖南": 12})
    station = Location("S1", LON, LAT)
    buildings = [north(f"B{i}", 100 * i) for i in range(1, 11)]  # 700 m and more are out
    reach = station_reach([station], buildings)
    xf07, wy05 = risk_facts(ON, charging=gaps, reach=reach)
    assert (xf07.subunit, xf07.evidence, xf07.defective, xf07.checked) == (
        "XF07",
        ("东湖",),
        30,
        60,
    )
    assert xf07.likelihood == 4
    assert "缺口 30 个" in xf07.description
    assert (wy05.subunit, wy05.defective, wy05.checked, wy05.likelihood) == ("WY05", 4, 10, 4)
    assert wy05.evidence == ("B10", "B7", "B8", "B9")
    assert "3 分钟" in wy05.description


def test_a_clean_registry_suggests_nothing() -> None:
    units = [Extinguisher("E1", "powder", D("2024-01-01"))]
    reach = station_reach([Location("S1", LON, LAT)], [north("B1", 10)])
    gaps = charging_gap({"A": 5}, {"A": 5})
    assert risk_facts(ON, extinguishers=units, charging=gaps, reach=reach) == []


def test_decimal_coordinates_from_the_database_are_accepted() -> None:
    station = Location("S1", Decimal("121.4470"), Decimal("31.2140"))
    (reach,) = station_reach([station], [Location("B1", LON, LAT)])
    assert (reach.distance_m, reach.in_reach) == (Decimal("0.0"), True)
