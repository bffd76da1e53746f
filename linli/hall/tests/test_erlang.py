"""Erlang formulas and staffing advice against published and hand-computed values."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linli.hall.rules import (
    best_dedicated_split,
    erlang_b,
    erlang_c,
    erlang_summary,
    is_stable,
    mean_wait,
    p_wait_longer,
    pooled_vs_dedicated,
    priority_class_waits,
    service_level,
    windows_needed,
    windows_needed_per_hour,
)

PER_MIN_30 = 30 / 60  # 30 arrivals an hour, in arrivals per minute
MU_5 = 1 / 5  # 5-minute service


@pytest.mark.parametrize(
    ("c", "a", "expected"),
    [
        (0, 2.0, 1.0),
        (1, 1.0, 0.5),  # a / (1 + a)
        (2, 1.0, 0.2),  # (a²/2) / (1 + a + a²/2)
        (1, 0.0, 0.0),
        (3, 2.0, (8 / 6) / (1 + 2 + 2 + 8 / 6)),
    ],
)
def test_erlang_b_small_cases(c: int, a: float, expected: float) -> None:
    assert erlang_b(c, a) == pytest.approx(expected)


@given(st.integers(min_value=0, max_value=40), st.floats(min_value=0, max_value=60))
def test_erlang_b_matches_the_factorial_formula(c: int, a: float) -> None:
    terms = [a**k / math.factorial(k) for k in range(c + 1)]
    assert erlang_b(c, a) == pytest.approx(terms[-1] / sum(terms), rel=1e-9, abs=1e-12)


def test_erlang_b_stays_finite_for_a_large_hall() -> None:
    value = erlang_b(2000, 1900.0)
    assert 0 < value < 1


@pytest.mark.parametrize(
    ("c", "prob", "wait_minutes", "digits"),
    [(3, 0.702, 7.0, 1), (4, 0.320, 1.07, 2)],
)
def test_erlang_c_reference_values(c: int, prob: float, wait_minutes: float, digits: int) -> None:
    """λ = 30/h, 5-minute service (a = 2.5), the published worked example, to its digits."""
    assert round(erlang_c(c, 2.5), 3) == prob
    assert round(mean_wait(c, PER_MIN_30, MU_5), digits) == wait_minutes


def test_erlang_c_further_reference_values() -> None:
    assert erlang_c(5, 2.5) == pytest.approx(0.130, abs=0.001)
    assert erlang_c(6, 2.5) == pytest.approx(0.047, abs=0.001)


def test_units_only_need_to_agree() -> None:
    per_hour = mean_wait(3, 30.0, 12.0) * 60
    per_minute = mean_wait(3, PER_MIN_30, MU_5)
    assert per_hour == pytest.approx(per_minute)


def test_unstable_load_reports_instead_of_crashing() -> None:
    assert not is_stable(2, PER_MIN_30, MU_5)  # a = 2.5 on 2 windows
    assert erlang_c(2, 2.5) == 1.0
    assert mean_wait(2, PER_MIN_30, MU_5) == math.inf
    assert p_wait_longer(2, PER_MIN_30, MU_5, 10) == 1.0
    assert service_level(2, PER_MIN_30, MU_5, 10) == 0.0
    assert erlang_c(5, 5.0) == 1.0  # ρ = 1 is unstable too
    summary = erlang_summary(2, 30.0, 5.0)
    assert summary.stable is False
    assert summary.mean_wait_minutes is None


def test_full_load_lost_in_rounding_is_still_unstable() -> None:
    # 0.3 × 1.0 on 3 windows of 0.1 is exactly ρ = 1, but 3 × 0.1 > 0.3 in floating point.
    assert not is_stable(3, 0.3, 0.1)
    assert mean_wait(3, 0.3, 0.1) == math.inf
    result = pooled_vs_dedicated(1.0, 0.1, [3, 7])
    assert not result.pooled_stable
    assert not result.dedicated_stable
    assert priority_class_waits(3, [0.1, 0.2], 0.1)[1] == math.inf


def test_no_arrivals_means_no_wait() -> None:
    assert erlang_c(3, 0.0) == 0.0
    assert mean_wait(3, 0.0, MU_5) == 0.0
    assert windows_needed(0.0, MU_5, 0.8, 10) == 0
    assert mean_wait(0, 0.0, MU_5) == 0.0


def test_wait_tail_and_service_level() -> None:
    c, t = 4, 2.0
    expected = 0.3199 * math.exp(-(4 * MU_5 - PER_MIN_30) * t)
    assert p_wait_longer(c, PER_MIN_30, MU_5, t) == pytest.approx(expected, abs=1e-4)
    assert service_level(c, PER_MIN_30, MU_5, t) == pytest.approx(1 - expected, abs=1e-4)
    assert p_wait_longer(c, PER_MIN_30, MU_5, 0) == pytest.approx(erlang_c(4, 2.5))


@pytest.mark.parametrize("bad", [(-1, 1.0), (2, -0.5), (2, math.nan), (2, math.inf)])
def test_bad_arguments_raise(bad: tuple[int, float]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        erlang_c(*bad)


def test_pooling_example_from_the_domain_doc() -> None:
    """40/h, 12-minute service, 10 windows: pooled ≈ 2.5 min, split 7 + 3 ≈ 6.8 min."""
    result = pooled_vs_dedicated(40 / 60, 1 / 12, [7, 3])
    assert result.pooled_mean_wait == pytest.approx(2.5, abs=0.06)
    assert result.dedicated_mean_wait == pytest.approx(6.8, abs=0.05)
    assert result.pooled_stable
    assert result.dedicated_stable
    assert [line.share for line in result.lines] == pytest.approx([0.7, 0.3])


@pytest.mark.parametrize(("per_hour", "pooled", "split"), [(30, 0.3, 1.6), (45, 8.0, 18.4)])
def test_pooling_table_rows(per_hour: float, pooled: float, split: float) -> None:
    result = pooled_vs_dedicated(per_hour / 60, 1 / 12, [7, 3], shares=[0.7, 0.3])
    assert result.pooled_mean_wait == pytest.approx(pooled, abs=0.05)
    assert result.dedicated_mean_wait == pytest.approx(split, abs=0.05)


@given(
    st.floats(min_value=1, max_value=60),
    st.integers(min_value=1, max_value=8),
    st.integers(min_value=1, max_value=8),
)
def test_pooling_never_waits_longer(per_hour: float, first: int, second: int) -> None:
    result = pooled_vs_dedicated(per_hour / 60, 1 / 10, [first, second])
    if result.dedicated_stable:
        assert result.pooled_mean_wait <= result.dedicated_mean_wait + 1e-12


def test_a_dedicated_line_can_be_unstable_while_the_pool_copes() -> None:
    result = pooled_vs_dedicated(40 / 60, 1 / 12, [8, 2], shares=[0.5, 0.5])
    assert result.pooled_stable
    assert not result.dedicated_stable
    assert result.dedicated_mean_wait == math.inf


def test_best_dedicated_split_gives_the_busier_line_more_windows() -> None:
    split = best_dedicated_split(40 / 60, [0.7, 0.3], [1 / 12, 1 / 12], 10)
    assert split == [7, 3]
    assert sum(best_dedicated_split(1.0, [0.5, 0.5], [1 / 12, 1 / 12], 6)) == 6  # unstable anyway


@pytest.mark.parametrize(
    ("per_hour", "service", "expected"),
    [(34, 8, 6), (34, 12, 9), (50, 8, 8), (50, 12, 12), (30, 5, 4)],
)
def test_windows_needed_for_80_percent_within_10_minutes(
    per_hour: float, service: float, expected: int
) -> None:
    c = windows_needed(per_hour / 60, 1 / service, 0.8, 10)
    assert c == expected
    assert service_level(c, per_hour / 60, 1 / service, 10) >= 0.8
    assert c == 1 or service_level(c - 1, per_hour / 60, 1 / service, 10) < 0.8


def test_windows_needed_per_hour_follows_the_day() -> None:
    assert windows_needed_per_hour([0, 20, 50], 12.0) == [0, 6, 12]


def test_windows_needed_rejects_a_meaningless_target() -> None:
    for share in (0.0, 1.0, 1.5):
        with pytest.raises(ValueError, match="target_share"):
            windows_needed(0.5, 0.2, share, 10)


def test_priority_classes_match_the_doc() -> None:
    """c = 10, 12-minute service, green 10/h, normal 35/h: ≈ 1.00 and 10.03 minutes."""
    green, normal = priority_class_waits(10, [10 / 60, 35 / 60], 1 / 12)
    assert green == pytest.approx(1.00, abs=0.01)
    assert normal == pytest.approx(10.03, abs=0.01)
    fcfs = mean_wait(10, 45 / 60, 1 / 12)
    assert fcfs == pytest.approx(8.02, abs=0.01)
    # conservation: the traffic-weighted mean equals the FCFS wait
    assert (10 * green + 35 * normal) / 45 == pytest.approx(fcfs)


def test_overloaded_priority_keeps_the_top_class_finite() -> None:
    green, normal = priority_class_waits(2, [6 / 60, 30 / 60], 1 / 5)
    assert math.isfinite(green)
    assert normal == math.inf


def test_summary_in_hall_units() -> None:
    summary = erlang_summary(4, 30.0, 5.0, within_minutes=10)
    assert summary.stable
    assert summary.offered_load == pytest.approx(2.5)
    assert summary.utilization == pytest.approx(0.625)
    assert summary.p_wait == pytest.approx(0.320, abs=0.001)
    assert summary.mean_wait_minutes == pytest.approx(1.07, abs=0.01)


@pytest.mark.parametrize("mu", [0.0, -0.2, math.nan, math.inf])
def test_service_rate_must_be_positive(mu: float) -> None:
    with pytest.raises(ValueError, match=r"^service rate must be a finite number > 0, got "):
        windows_needed(0.5, mu, 0.8, 10.0)


def test_load_beyond_any_hall_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^load needs more than 10000 windows$"):
        windows_needed(20_000.0, 1.0, 0.8, 10.0)


def test_summary_needs_a_window() -> None:
    with pytest.raises(ValueError, match=r"^windows must be ≥ 1$"):
        erlang_summary(0, 30.0, 6.0)


@pytest.mark.parametrize(
    ("windows", "shares", "line_mus", "message"),
    [
        ([], None, None, "every dedicated line needs at least one window"),
        ([2, 0], None, None, "every dedicated line needs at least one window"),
        ([2, True], None, None, "every dedicated line needs at least one window"),
        ([2, 2], [1.0], None, "shares must be one non-negative number per line, not all zero"),
        ([2, 2], [1.0, -0.5], None, "shares must be one non-negative number per line"),
        ([2, 2], [0.0, 0.0], None, "shares must be one non-negative number per line"),
        ([2, 2], None, [0.2], "line_mus must give one service rate per line"),
    ],
)
def test_pooling_comparison_refuses_bad_lines(
    windows: list[int], shares: list[float] | None, line_mus: list[float] | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        pooled_vs_dedicated(0.5, 0.2, windows, shares, line_mus)


def test_spare_windows_go_where_they_cut_the_wait_most() -> None:
    lam, shares, mus = 1.0, [0.8, 0.2], [1.0, 1.0]

    def weighted_wait(split: list[int]) -> float:
        return sum(s * mean_wait(c, lam * s, m) for c, s, m in zip(split, shares, mus, strict=True))

    assert best_dedicated_split(lam, shares, mus, 2) == [1, 1]
    best = best_dedicated_split(lam, shares, mus, 3)
    assert best == [2, 1]
    assert weighted_wait(best) < weighted_wait([1, 2])
    assert best_dedicated_split(lam, shares, mus, 5) == [3, 2]


def test_lines_that_cannot_all_be_stable_split_windows_by_load() -> None:
    # loads 2.4 and 0.6 need 3 + 1 windows to be stable; with 3 the spare one goes by load
    assert best_dedicated_split(3.0, [0.8, 0.2], [1.0, 1.0], 3) == [2, 1]
    assert best_dedicated_split(3.0, [0.2, 0.8], [1.0, 1.0], 3) == [1, 2]
    # equal loads: the tie goes to the first line
    assert best_dedicated_split(3.0, [0.5, 0.5], [1.0, 1.0], 3) == [2, 1]
    assert best_dedicated_split(30.0, [0.5, 0.3, 0.2], [1.0, 1.0, 1.0], 10) == [5, 3, 2]


@pytest.mark.parametrize(
    ("shares", "mus", "total"),
    [([0.5, 0.5], [1.0], 4), ([], [], 3), ([0.5, 0.5], [1.0, 1.0], 1)],
)
def test_dedicated_split_refuses_bad_lines(
    shares: list[float], mus: list[float], total: int
) -> None:
    with pytest.raises(ValueError, match="need one share and one rate per line"):
        best_dedicated_split(1.0, shares, mus, total)


def test_priority_waits_need_a_window() -> None:
    with pytest.raises(ValueError, match=r"^need at least one window$"):
        priority_class_waits(0, [0.1], 0.2)
