"""Discrete-event simulation of a service hall (pure, standard library only).

Planners use it to check what the Erlang formulas cannot: skills per window,
hourly arrival profiles, several items with their own service times, the
green-lane ordering policy and no-shows. The model:

* arrivals are Poisson: exponential gaps at a rate that may change every
  hour (``arrivals_per_hour`` is a cycle, e.g. 9 rates for a 9-hour day,
  repeated for as many hours as simulated; time runs on between cycles, so a
  queue left at the end of one cycle carries over);
* each arrival draws an item by share, a priority class (``priority_share``
  green) and whether it will be a no-show; service times are exponential, or
  lognormal with a given coefficient of variation, with the item's mean;
* a window that frees up pulls the next ticket it has the skill for, ordered
  by the same :data:`~linli.hall.rules.Policy` the platform uses (ranked once,
  when the ticket is issued — both shipped policies are time-invariant);
* a no-show holds the window for ``no_show_minutes`` (the calls and recalls)
  and is not served;
* tickets issued during the warm-up are left out of every statistic, and so is
  window time before it; the run stops at ``hours``: tickets still waiting then
  are counted in ``waiting_at_end``, never served.

All draws come from one ``random.Random(seed)`` in arrival order, so runs are
reproducible and two policies compared with the same seed see the same
residents with the same service times.
"""

from __future__ import annotations

import heapq
import math
import random
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Final, Literal

from linli.hall.rules import (
    DEFAULT_POLICY,
    GREEN,
    NORMAL,
    Policy,
    WaitingTicket,
)

Distribution = Literal["exponential", "lognormal"]
DISTRIBUTIONS: Final = ("exponential", "lognormal")
DEFAULT_SKILL: Final = "general"


@dataclass(frozen=True, slots=True)
class ItemSpec:
    """One kind of matter (事项) as the simulator sees it; its name is the window skill."""

    name: str = DEFAULT_SKILL
    share: float = 1.0
    mean_service_minutes: float = 10.0
    distribution: Distribution = "exponential"
    cv: float = 1.0  # coefficient of variation, lognormal only

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("item name must not be empty")
        if not math.isfinite(self.share) or self.share < 0:
            raise ValueError(f"item {self.name}: share must be ≥ 0")
        if not math.isfinite(self.mean_service_minutes) or self.mean_service_minutes <= 0:
            raise ValueError(f"item {self.name}: mean_service_minutes must be > 0")
        if self.distribution not in DISTRIBUTIONS:
            raise ValueError(f"item {self.name}: distribution must be one of {DISTRIBUTIONS}")
        if not math.isfinite(self.cv) or self.cv <= 0:
            raise ValueError(f"item {self.name}: cv must be > 0")


@dataclass(frozen=True)
class HallConfig:
    """A hall to simulate. Rates per hour, times in minutes or hours as named."""

    windows: tuple[frozenset[str], ...]
    arrivals_per_hour: tuple[float, ...]
    items: tuple[ItemSpec, ...] = (ItemSpec(),)
    hours: float = 8.0
    warmup_hours: float = 0.0
    seed: int = 0
    policy: Policy = DEFAULT_POLICY
    priority_share: float = 0.0
    no_show_share: float = 0.0
    no_show_minutes: float = 1.0
    within_minutes: float = 10.0

    def __post_init__(self) -> None:
        if not self.windows or any(not skills for skills in self.windows):
            raise ValueError("need at least one window, each with at least one skill")
        if not self.arrivals_per_hour or any(
            not math.isfinite(r) or r < 0 for r in self.arrivals_per_hour
        ):
            raise ValueError("arrivals_per_hour must be finite rates ≥ 0")
        if not self.items or sum(item.share for item in self.items) <= 0:
            raise ValueError("need at least one item with a positive share")
        names = [item.name for item in self.items]
        if len(set(names)) != len(names):
            raise ValueError("item names must be unique")
        skills = frozenset().union(*self.windows)
        for item in self.items:
            if item.share > 0 and item.name not in skills:
                raise ValueError(f"no window has the skill for item {item.name!r}")
        if not math.isfinite(self.hours) or self.hours <= 0:
            raise ValueError("hours must be > 0")
        if not 0 <= self.warmup_hours < self.hours:
            raise ValueError("warmup_hours must be ≥ 0 and less than hours")
        for name in ("priority_share", "no_show_share"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise ValueError(f"{name} must be between 0 and 1")
        if not math.isfinite(self.no_show_minutes) or self.no_show_minutes < 0:
            raise ValueError("no_show_minutes must be ≥ 0")
        if not math.isfinite(self.within_minutes) or self.within_minutes < 0:
            raise ValueError("within_minutes must be ≥ 0")

    @classmethod
    def simple(
        cls,
        windows: int,
        arrivals_per_hour: float | Sequence[float],
        mean_service_minutes: float,
        *,
        hours: float = 8.0,
        warmup_hours: float = 0.0,
        seed: int = 0,
        policy: Policy = DEFAULT_POLICY,
        priority_share: float = 0.0,
        no_show_share: float = 0.0,
    ) -> HallConfig:
        """A pooled hall: ``windows`` identical windows, one exponential item (M/M/c)."""
        rates = (
            (float(arrivals_per_hour),)
            if isinstance(arrivals_per_hour, int | float)
            else tuple(float(r) for r in arrivals_per_hour)
        )
        return cls(
            windows=tuple(frozenset({DEFAULT_SKILL}) for _ in range(windows)),
            arrivals_per_hour=rates,
            items=(ItemSpec(DEFAULT_SKILL, 1.0, mean_service_minutes),),
            hours=hours,
            warmup_hours=warmup_hours,
            seed=seed,
            policy=policy,
            priority_share=priority_share,
            no_show_share=no_show_share,
        )

    @property
    def mean_service_minutes(self) -> float:
        """Share-weighted mean service time of the item mix."""
        total = sum(item.share for item in self.items)
        return sum(item.share * item.mean_service_minutes for item in self.items) / total


@dataclass(frozen=True, slots=True)
class HourStats:
    """Figures for one hour of the arrival cycle (tickets by the hour they were issued)."""

    hour: int
    arrivals: int
    served: int
    no_shows: int
    mean_wait_minutes: float | None
    p90_wait_minutes: float | None
    utilization: float | None


@dataclass(frozen=True, slots=True)
class SimulationResult:
    """What the run measured after the warm-up. Waits are for served tickets, in minutes."""

    arrivals: int
    served: int
    no_shows: int
    waiting_at_end: int
    mean_wait_minutes: float | None
    p90_wait_minutes: float | None
    max_wait_minutes: float | None
    service_level: float | None
    utilization: float
    mean_wait_by_class: dict[str, float | None] = field(default_factory=dict)
    mean_wait_by_item: dict[str, float | None] = field(default_factory=dict)
    served_by_item: dict[str, int] = field(default_factory=dict)
    per_hour: tuple[HourStats, ...] = ()


def percentile(sorted_values: Sequence[float], share: float) -> float | None:
    """Nearest-rank percentile of already sorted values (``None`` for no values)."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(share * len(sorted_values)))
    return sorted_values[rank - 1]


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def simulate(config: HallConfig) -> SimulationResult:
    """Run one replication of ``config`` and summarise it."""
    rng = random.Random(config.seed)  # noqa: S311 (a reproducible simulation, not a secret)
    expovariate = rng.expovariate
    uniform = rng.random
    lognormvariate = rng.lognormvariate
    policy = config.policy

    end = config.hours * 60.0
    warm = config.warmup_hours * 60.0
    rates = [r / 60.0 for r in config.arrivals_per_hour]  # per minute
    cycle = len(rates)
    items = config.items
    total_share = sum(item.share for item in items)
    cum_shares = list(accumulate(item.share / total_share for item in items))
    cum_shares[-1] = 1.0
    item_count = len(items)
    # Per item: (exponential rate, lognormal mu, lognormal sigma, is_lognormal)
    service_params: list[tuple[float, float, float, bool]] = []
    for item in items:
        sigma2 = math.log1p(item.cv * item.cv)
        service_params.append(
            (
                1.0 / item.mean_service_minutes,
                math.log(item.mean_service_minutes) - sigma2 / 2.0,
                math.sqrt(sigma2),
                item.distribution == "lognormal",
            )
        )
    skill_of_item = [item.name for item in items]
    priority_share = config.priority_share
    no_show_share = config.no_show_share
    no_show_minutes = config.no_show_minutes

    window_skills = [tuple(sorted(skills)) for skills in config.windows]
    n_windows = len(window_skills)
    all_skills = sorted(frozenset().union(*config.windows) | set(skill_of_item))
    # Waiting line per skill: heap of (rank, issued_at, seq, item, green, no_show, service)
    queues: dict[str, list[tuple[float, float, int, int, bool, bool, float]]] = {
        s: [] for s in all_skills
    }
    idle: dict[str, set[int]] = {s: set() for s in all_skills}
    for w, skills in enumerate(window_skills):
        for s in skills:
            idle[s].add(w)
    item_queues = [queues[s] for s in skill_of_item]
    item_idle = [idle[s] for s in skill_of_item]
    window_queues = [[queues[s] for s in skills] for skills in window_skills]
    window_idle_sets = [[idle[s] for s in skills] for skills in window_skills]

    # Statistics (tickets issued at or after the warm-up only).
    waits: list[float] = []
    hour_waits: list[list[float]] = [[] for _ in range(cycle)]
    hour_arrivals = [0] * cycle
    hour_no_shows = [0] * cycle
    hour_busy = [0.0] * cycle
    class_waits: dict[str, list[float]] = {NORMAL: [], GREEN: []}
    item_waits: list[list[float]] = [[] for _ in range(item_count)]
    no_shows = 0
    arrivals = 0

    def add_busy(start: float, stop: float) -> None:
        """Credit window time to the hours it falls in, clipped to the measured period."""
        if start < warm:
            start = warm
        if stop > end:
            stop = end
        while start < stop:
            hour = int(start // 60.0)
            boundary = (hour + 1) * 60.0
            piece_end = stop if stop < boundary else boundary
            hour_busy[hour % cycle] += piece_end - start
            start = piece_end

    def next_arrival(t: float) -> float:
        """Next Poisson arrival after ``t`` with a rate that is constant within each hour."""
        while t < end:
            hour = int(t // 60.0)
            rate = rates[hour % cycle]
            boundary = (hour + 1) * 60.0
            if rate > 0.0:
                candidate = t + expovariate(rate)
                if candidate < boundary:
                    return candidate
            t = boundary  # memoryless: restart the clock at the hour boundary
        return math.inf

    # Departure events: (time, seq, window)
    departures: list[tuple[float, int, int]] = []
    seq = 0
    t_arrival = next_arrival(0.0)

    def start_service(
        w: int, now: float, entry: tuple[float, float, int, int, bool, bool, float]
    ) -> None:
        nonlocal seq, no_shows
        _, issued, _, item, green, absent, service = entry
        counted = issued >= warm
        if absent:
            service = no_show_minutes
            if counted:
                no_shows += 1
                hour_no_shows[int(issued // 60.0) % cycle] += 1
        elif counted:
            wait = now - issued
            waits.append(wait)
            hour_waits[int(issued // 60.0) % cycle].append(wait)
            class_waits[GREEN if green else NORMAL].append(wait)
            item_waits[item].append(wait)
        stop = now + service
        add_busy(now, stop)
        seq += 1
        heapq.heappush(departures, (stop, seq, w))

    heappush = heapq.heappush
    heappop = heapq.heappop
    while True:
        t_departure = departures[0][0] if departures else math.inf
        if t_arrival <= t_departure:
            now = t_arrival
            if now >= end:
                break
            # Draw everything about this resident now, in arrival order.
            u = uniform()
            # u < 1.0 == cum_shares[-1], so the index is always a valid item.
            kind = bisect_right(cum_shares, u) if item_count > 1 else 0
            green = uniform() < priority_share
            absent = uniform() < no_show_share
            rate, log_mu, log_sigma, is_lognormal = service_params[kind]
            service = lognormvariate(log_mu, log_sigma) if is_lognormal else expovariate(rate)
            if now >= warm:
                arrivals += 1
                hour_arrivals[int(now // 60.0) % cycle] += 1
            seq += 1
            ticket = WaitingTicket(
                id=seq,
                number="",
                skill=skill_of_item[kind],
                issued_at=now,
                priority=GREEN if green else NORMAL,
            )
            entry = (policy(ticket, now), now, seq, kind, green, absent, service)
            free = item_idle[kind]
            if free:
                w = min(free)
                for pool in window_idle_sets[w]:
                    pool.discard(w)
                start_service(w, now, entry)
            else:
                heappush(item_queues[kind], entry)
            t_arrival = next_arrival(now)
        else:
            now, _, w = heappop(departures)
            if now >= end:
                break
            best: list[tuple[float, float, int, int, bool, bool, float]] | None = None
            for queue in window_queues[w]:
                if queue and (best is None or queue[0] < best[0]):
                    best = queue
            if best is None:
                for pool in window_idle_sets[w]:
                    pool.add(w)
            else:
                start_service(w, now, heappop(best))

    waiting_at_end = sum(len(q) for q in queues.values())
    measured = end - warm
    hour_capacity = [0.0] * cycle
    start = warm
    while start < end:
        hour = int(start // 60.0)
        piece_end = min(end, (hour + 1) * 60.0)
        hour_capacity[hour % cycle] += (piece_end - start) * n_windows
        start = piece_end

    per_hour: list[HourStats] = []
    for h in range(cycle):
        if hour_capacity[h] <= 0 and not hour_arrivals[h]:
            continue
        hw = sorted(hour_waits[h])
        per_hour.append(
            HourStats(
                hour=h,
                arrivals=hour_arrivals[h],
                served=len(hw),
                no_shows=hour_no_shows[h],
                mean_wait_minutes=_mean(hw),
                p90_wait_minutes=percentile(hw, 0.9),
                utilization=hour_busy[h] / hour_capacity[h] if hour_capacity[h] > 0 else None,
            )
        )

    within = config.within_minutes
    sorted_waits = sorted(waits)
    return SimulationResult(
        arrivals=arrivals,
        served=len(waits),
        no_shows=no_shows,
        waiting_at_end=waiting_at_end,
        mean_wait_minutes=_mean(waits),
        p90_wait_minutes=percentile(sorted_waits, 0.9),
        max_wait_minutes=sorted_waits[-1] if sorted_waits else None,
        service_level=(
            bisect_right(sorted_waits, within) / len(sorted_waits) if sorted_waits else None
        ),
        utilization=sum(hour_busy) / (measured * n_windows),
        mean_wait_by_class={k: _mean(v) for k, v in class_waits.items()},
        mean_wait_by_item={items[i].name: _mean(item_waits[i]) for i in range(item_count)},
        served_by_item={items[i].name: len(item_waits[i]) for i in range(item_count)},
        per_hour=tuple(per_hour),
    )
