from datetime import date

import pytest

from linli.core.workdays import PLAIN_WEEK, WorkCalendar, add_working_days, working_days_between

# National Day 2026: 1–7 October off, Saturday 10 October a working day (调休).
NATIONAL_DAY = WorkCalendar.of(
    holidays=[date(2026, 10, d) for d in range(1, 8)], extra_workdays=[date(2026, 10, 10)]
)


def test_plain_week_skips_the_weekend() -> None:
    friday = date(2026, 11, 27)
    assert add_working_days(friday, 1) == date(2026, 11, 30)
    assert add_working_days(friday, 0) == friday
    assert add_working_days(date(2026, 11, 23), 3) == date(2026, 11, 26)


def test_holidays_are_skipped_and_makeup_saturdays_count() -> None:
    assert add_working_days(date(2026, 9, 30), 1, NATIONAL_DAY) == date(2026, 10, 8)
    assert add_working_days(date(2026, 10, 9), 1, NATIONAL_DAY) == date(2026, 10, 10)
    assert NATIONAL_DAY.is_working_day(date(2026, 10, 10))
    assert not NATIONAL_DAY.is_working_day(date(2026, 10, 5))


def test_between_counts_working_days_and_is_antisymmetric() -> None:
    start, end = date(2026, 9, 28), date(2026, 10, 12)
    n = working_days_between(start, end, NATIONAL_DAY)
    assert n == 6  # 29, 30 Sep; 8, 9, 10 (the makeup Saturday), 12 Oct
    assert add_working_days(start, n, NATIONAL_DAY) == end
    assert working_days_between(end, start, NATIONAL_DAY) == -n


def test_negative_days_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_working_days(date(2026, 1, 1), -1, PLAIN_WEEK)
