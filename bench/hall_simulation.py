"""Benchmark: one simulated year of a 10-window hall must run in ≤ 5 s.

250 working days × 9 opening hours (08:00–17:00, closed at night so the hall
drains every evening) at about 40 arrivals an hour (≈ 90,000 residents),
12-minute exponential service, 20 % green lane under the
priority-ageing policy, 3 % no-shows. Prints the median wall time of a few
runs. Run from the repository root: ``python -m bench.hall_simulation [runs]``.
"""

from __future__ import annotations

import statistics
import sys
import time

from linli.hall.rules import priority_ageing
from linli.hall.simulation import HallConfig, SimulationResult, simulate

DAYS = 250
OPEN_HOURS = (30.0, 45.0, 50.0, 45.0, 30.0, 35.0, 45.0, 40.0, 40.0)  # 08-17, mean 40/h
DAY_PROFILE = (0.0,) * 8 + OPEN_HOURS + (0.0,) * 7  # rate per hour of day
BUDGET_SECONDS = 5.0


def year_config(seed: int) -> HallConfig:
    return HallConfig.simple(
        10,
        DAY_PROFILE,
        12.0,
        hours=DAYS * len(DAY_PROFILE),
        warmup_hours=0.0,  # every day starts empty: nothing to warm up
        seed=seed,
        policy=priority_ageing(10.0),
        priority_share=0.2,
        no_show_share=0.03,
    )


def open_utilization(result: SimulationResult) -> float:
    busy = [h.utilization or 0.0 for h in result.per_hour if DAY_PROFILE[h.hour] > 0]
    return sum(busy) / len(busy)


def main(runs: int = 5) -> int:
    timings: list[float] = []
    for seed in range(runs):
        start = time.perf_counter()
        result = simulate(year_config(seed))
        timings.append(time.perf_counter() - start)
    median = statistics.median(timings)
    print(
        f"hall simulation, {DAYS} days x {len(OPEN_HOURS)} open hours, 10 windows: "
        f"{result.arrivals} arrivals, mean wait {result.mean_wait_minutes:.2f} min, "
        f"utilization in open hours {open_utilization(result):.3f}"
    )
    print(f"median of {runs} runs: {median:.3f} s (budget {BUDGET_SECONDS:.1f} s)")
    return 0 if median <= BUDGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5))
