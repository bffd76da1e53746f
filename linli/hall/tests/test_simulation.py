"""The hall simulator: reproducible, near Erlang C where theory applies, honest elsewhere."""

from __future__ import annotations

import math
import re

import pytest

from linli.hall.rules import Policy, erlang_c, fifo, mean_wait, priority_ageing
from linli.hall.simulation import HallConfig, ItemSpec, SimulationResult, percentile, simulate


def test_same_seed_same_result_other_seed_other_result() -> None:
    config = HallConfig.simple(3, 30.0, 5.0, hours=50, seed=11, priority_share=0.2)
    first, second = simulate(config), simulate(config)
    assert first == second
    other = simulate(HallConfig.simple(3, 30.0, 5.0, hours=50, seed=12, priority_share=0.2))
    assert other.mean_wait_minutes != first.mean_wait_minutes


def test_long_run_converges_to_erlang_c() -> None:
    """M/M/4, λ = 30/h, 5-minute service: W_q ≈ 1.07 min, ρ = 0.625."""
    result = simulate(HallConfig.simple(4, 30.0, 5.0, hours=3000, warmup_hours=10, seed=2024))
    expected = mean_wait(4, 0.5, 0.2)
    assert result.mean_wait_minutes == pytest.approx(expected, rel=0.10)
    assert result.utilization == pytest.approx(0.625, abs=0.01)
    theta = 4 * 0.2 - 0.5
    p90 = math.log(erlang_c(4, 2.5) / 0.1) / theta  # P(W > t) = C·e^(−θt) = 0.1
    assert result.p90_wait_minutes == pytest.approx(p90, rel=0.10)
    within_10 = 1 - erlang_c(4, 2.5) * math.exp(-theta * 10)
    assert result.service_level == pytest.approx(within_10, abs=0.01)
    assert result.served == result.arrivals - result.waiting_at_end - result.no_shows


def test_warm_up_is_left_out_of_the_statistics() -> None:
    # A rush in the first (warm-up) hour, nobody afterwards: the backlog is served
    # in hour two, but none of those residents count.
    rush = HallConfig(
        windows=(frozenset({"general"}),),
        arrivals_per_hour=(60.0, 0.0),
        items=(ItemSpec("general", 1.0, 2.0),),
        hours=2,
        warmup_hours=1,
        seed=5,
    )
    result = simulate(rush)
    assert result.arrivals == 0
    assert result.served == 0
    assert result.mean_wait_minutes is None
    assert result.utilization > 0.5  # the window was busy after the warm-up
    without = simulate(
        HallConfig(
            windows=rush.windows,
            arrivals_per_hour=rush.arrivals_per_hour,
            items=rush.items,
            hours=2,
            seed=5,
        )
    )
    assert without.arrivals > 10
    assert without.mean_wait_minutes is not None
    assert without.mean_wait_minutes > 0


def test_warm_up_shortens_the_counted_period() -> None:
    full = simulate(HallConfig.simple(5, 40.0, 6.0, hours=100, seed=3))
    warmed = simulate(HallConfig.simple(5, 40.0, 6.0, hours=100, warmup_hours=50, seed=3))
    assert warmed.arrivals < full.arrivals
    assert warmed.arrivals == pytest.approx(2000, rel=0.1)


def test_no_shows_reduce_served() -> None:
    base = simulate(HallConfig.simple(4, 30.0, 5.0, hours=200, seed=9))
    absent = simulate(HallConfig.simple(4, 30.0, 5.0, hours=200, seed=9, no_show_share=0.3))
    assert base.no_shows == 0
    assert absent.served < base.served
    assert absent.no_shows == pytest.approx(0.3 * absent.arrivals, rel=0.1)
    assert absent.served + absent.no_shows + absent.waiting_at_end == absent.arrivals


def test_ageing_favours_the_green_lane_fifo_does_not() -> None:
    def run(policy: Policy) -> SimulationResult:
        config = HallConfig.simple(
            10, 45.0, 12.0, hours=1500, seed=4, priority_share=0.25, policy=policy
        )
        return simulate(config)

    ageing, plain = run(priority_ageing(10)), run(fifo)
    green, normal = ageing.mean_wait_by_class["green"], ageing.mean_wait_by_class["normal"]
    assert green is not None
    assert normal is not None
    assert green < normal
    fifo_green, fifo_normal = plain.mean_wait_by_class["green"], plain.mean_wait_by_class["normal"]
    assert fifo_green == pytest.approx(fifo_normal, rel=0.15)
    # same residents, same service times: reordering does not change the overall mean much
    assert ageing.mean_wait_minutes == pytest.approx(plain.mean_wait_minutes, rel=0.1)


def test_windows_only_serve_their_skills() -> None:
    # One busy tax window next to three idle social windows: the social windows
    # never help, so tax residents queue while social ones walk straight in.
    config = HallConfig(
        windows=(frozenset({"tax"}), *(frozenset({"social"}) for _ in range(3))),
        arrivals_per_hour=(20.0,),
        items=(ItemSpec("tax", 0.5, 5.0), ItemSpec("social", 0.5, 5.0)),
        hours=500,
        seed=8,
    )
    result = simulate(config)
    tax, social = result.mean_wait_by_item["tax"], result.mean_wait_by_item["social"]
    assert tax is not None
    assert social is not None
    assert tax > 5.0
    assert social < 0.5
    assert result.served_by_item["tax"] + result.served_by_item["social"] == result.served


def test_pooling_beats_dedicated_windows_in_simulation() -> None:
    items = (ItemSpec("a", 0.7, 12.0), ItemSpec("b", 0.3, 12.0))
    pooled = HallConfig(
        windows=tuple(frozenset({"a", "b"}) for _ in range(10)),
        arrivals_per_hour=(40.0,),
        items=items,
        hours=1000,
        seed=1,
    )
    split = HallConfig(
        windows=(*(frozenset({"a"}) for _ in range(7)), *(frozenset({"b"}) for _ in range(3))),
        arrivals_per_hour=(40.0,),
        items=items,
        hours=1000,
        seed=1,
    )
    pooled_wait = simulate(pooled).mean_wait_minutes
    split_wait = simulate(split).mean_wait_minutes
    assert pooled_wait is not None
    assert split_wait is not None
    assert pooled_wait < split_wait / 2


def test_lognormal_service_with_low_variance_waits_less() -> None:
    def hall(distribution: str) -> HallConfig:
        item = ItemSpec("general", 1.0, 12.0, distribution, cv=0.5)  # type: ignore[arg-type]
        return HallConfig(
            windows=tuple(frozenset({"general"}) for _ in range(10)),
            arrivals_per_hour=(42.0,),
            items=(item,),
            hours=1500,
            seed=6,
        )

    exponential, lognormal = simulate(hall("exponential")), simulate(hall("lognormal"))
    assert lognormal.utilization == pytest.approx(0.84, abs=0.02)
    assert exponential.mean_wait_minutes is not None
    assert lognormal.mean_wait_minutes is not None
    assert lognormal.mean_wait_minutes < exponential.mean_wait_minutes


def test_hourly_profile_and_per_hour_figures() -> None:
    config = HallConfig.simple(5, [10.0, 60.0, 10.0], 6.0, hours=3 * 40, seed=21)
    result = simulate(config)
    assert [h.hour for h in result.per_hour] == [0, 1, 2]
    assert sum(h.served for h in result.per_hour) == result.served
    assert sum(h.arrivals for h in result.per_hour) == result.arrivals
    quiet, peak = result.per_hour[0], result.per_hour[1]
    assert peak.arrivals == pytest.approx(6 * quiet.arrivals, rel=0.2)
    assert peak.utilization is not None
    assert quiet.utilization is not None
    assert peak.utilization > quiet.utilization
    assert peak.mean_wait_minutes is not None
    assert quiet.mean_wait_minutes is not None
    assert peak.mean_wait_minutes > quiet.mean_wait_minutes


def test_overloaded_hall_still_runs_and_stops_at_the_horizon() -> None:
    result = simulate(HallConfig.simple(2, 60.0, 12.0, hours=8, seed=1))  # a = 12 on 2 windows
    assert result.waiting_at_end > 200
    assert result.utilization > 0.95
    assert result.served < result.arrivals


def test_zero_arrivals_is_a_quiet_day() -> None:
    result = simulate(HallConfig.simple(3, 0.0, 5.0, hours=8))
    assert (result.arrivals, result.served, result.utilization) == (0, 0, 0.0)
    assert result.mean_wait_minutes is None
    assert result.p90_wait_minutes is None


@pytest.mark.parametrize(
    "changes",
    [
        {"windows": ()},
        {"windows": (frozenset(),)},
        {"arrivals_per_hour": (-1.0,)},
        {"hours": 0},
        {"warmup_hours": 8},
        {"priority_share": 1.5},
        {"no_show_share": -0.1},
        {"items": (ItemSpec("tax"),)},  # no window has the skill
        {"items": (ItemSpec("general"), ItemSpec("general"))},
    ],
)
def test_bad_configuration_is_refused(changes: dict[str, object]) -> None:
    base: dict[str, object] = {
        "windows": (frozenset({"general"}),),
        "arrivals_per_hour": (10.0,),
        "hours": 8,
    }
    base.update(changes)
    with pytest.raises(ValueError):  # noqa: PT011
        HallConfig(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"items": ()}, "need at least one item with a positive share"),
        ({"items": (ItemSpec(share=0.0),)}, "need at least one item with a positive share"),
        ({"no_show_minutes": -1.0}, "no_show_minutes must be ≥ 0"),
        ({"no_show_minutes": math.inf}, "no_show_minutes must be ≥ 0"),
        ({"within_minutes": -0.5}, "within_minutes must be ≥ 0"),
        ({"within_minutes": math.nan}, "within_minutes must be ≥ 0"),
    ],
)
def test_bad_configuration_names_the_problem(changes: dict[str, object], message: str) -> None:
    base: dict[str, object] = {"windows": (frozenset({"general"}),), "arrivals_per_hour": (10.0,)}
    base.update(changes)
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        HallConfig(**base)  # type: ignore[arg-type]


def test_mean_service_time_is_weighted_by_the_item_shares() -> None:
    config = HallConfig(
        windows=(frozenset({"tax", "id"}),),
        arrivals_per_hour=(10.0,),
        items=(ItemSpec("tax", 3.0, 8.0), ItemSpec("id", 1.0, 4.0), ItemSpec("rare", 0.0, 60.0)),
    )
    assert config.mean_service_minutes == 7.0


def test_item_needs_a_name() -> None:
    with pytest.raises(ValueError, match=r"^item name must not be empty$"):
        ItemSpec("")


def test_item_spec_checks_its_numbers() -> None:
    for kwargs in (
        {"share": -1},
        {"mean_service_minutes": 0},
        {"cv": 0},
        {"distribution": "gamma"},
    ):
        with pytest.raises(ValueError):  # noqa: PT011
            ItemSpec("x", **kwargs)


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 11)]
    assert percentile(values, 0.9) == 9.0
    assert percentile(values, 0.5) == 5.0
    assert percentile([3.0], 0.9) == 3.0
    assert percentile([], 0.9) is None
