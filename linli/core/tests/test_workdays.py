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


# --- the package's calendar (what core.CalendarDay is seeded from) --------------------------

from datetime import timedelta  # noqa: E402

from chinese_calendar import constants  # noqa: E402

from linli.core.workdays import missing_coming_year, roll_forward  # noqa: E402

PACKAGE = WorkCalendar.of(constants.holidays, constants.workdays)


def test_national_day_2026_from_the_package_day_by_day() -> None:
    working = [date(2026, 9, d) for d in (28, 29, 30)] + [
        date(2026, 10, d) for d in (8, 9, 10, 12, 13, 14, 15)
    ]
    span = [date(2026, 9, 26) + timedelta(days=i) for i in range(20)]  # 26 Sep – 15 Oct
    assert [d for d in span if PACKAGE.is_working_day(d)] == working
    # the 调休 Saturday and Sunday of 2026 are working days; the weekend around them is not
    assert PACKAGE.is_working_day(date(2026, 9, 20))  # Sunday
    assert PACKAGE.is_working_day(date(2026, 10, 10))  # Saturday
    assert not PACKAGE.is_working_day(date(2026, 10, 11))  # Sunday


def test_every_tiaoxiu_working_day_of_2026_is_a_weekend_day() -> None:
    tiaoxiu = sorted(d for d in constants.workdays if d.year == 2026)
    assert tiaoxiu == [date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9),
                       date(2026, 9, 20), date(2026, 10, 10)]  # fmt: skip
    assert all(d.weekday() >= 5 and PACKAGE.is_working_day(d) for d in tiaoxiu)


def test_working_days_across_national_day_2026() -> None:
    # After Wed 30 Sep: 8, 9, 10 (调休 Saturday), 12 … Oct
    assert [add_working_days(date(2026, 9, 30), n, PACKAGE) for n in range(1, 6)] == [
        date(2026, 10, 8), date(2026, 10, 9), date(2026, 10, 10), date(2026, 10, 12),
        date(2026, 10, 13),
    ]  # fmt: skip
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 12), PACKAGE) == 4
    # the old hard-coded risk table said 1–7 Oct but not the 调休 Sunday 20 Sep
    assert add_working_days(date(2026, 9, 18), 1, PACKAGE) == date(2026, 9, 20)


def test_spring_festival_2025_from_the_package() -> None:
    # 28 Jan – 4 Feb 2025 off; Sunday 26 Jan and Saturday 8 Feb worked
    assert PACKAGE.is_working_day(date(2025, 1, 26))
    assert all(not PACKAGE.is_working_day(date(2025, 1, 28) + timedelta(days=i)) for i in range(8))
    assert PACKAGE.is_working_day(date(2025, 2, 8))
    assert add_working_days(date(2025, 1, 27), 1, PACKAGE) == date(2025, 2, 5)


def test_roll_forward_moves_a_day_off_to_the_next_working_day() -> None:
    assert roll_forward(date(2026, 10, 1), PACKAGE) == date(2026, 10, 8)
    assert roll_forward(date(2026, 10, 10), PACKAGE) == date(2026, 10, 10)  # 调休 Saturday
    assert roll_forward(date(2026, 10, 11), PACKAGE) == date(2026, 10, 12)
    assert roll_forward(date(2026, 11, 28)) == date(2026, 11, 30)  # plain weekend
    assert roll_forward(date(2026, 11, 27)) == date(2026, 11, 27)
    # every day of 2004–2026 rolls onto a working day no later than the next one
    day = date(2004, 1, 1)
    while day.year <= 2026:
        rolled = roll_forward(day, PACKAGE)
        assert PACKAGE.is_working_day(rolled) and rolled >= day
        assert all(not PACKAGE.is_working_day(day + timedelta(days=i))
                   for i in range((rolled - day).days))  # fmt: skip
        day += timedelta(days=1)


@pytest.mark.parametrize(
    ("today", "covered", "missing"),
    [
        (date(2026, 10, 31), {2026}, None),  # before 1 November: no warning yet
        (date(2026, 11, 1), {2026}, 2027),  # from 1 November
        (date(2026, 12, 31), {2026}, 2027),
        (date(2026, 11, 1), {2026, 2027}, None),  # the coming year is there
        (date(2027, 1, 1), {2026}, None),  # a new year: next check from 1 Nov 2027
        (date(2027, 11, 15), {2026}, 2028),
        (date(2026, 12, 2), set(), 2027),
    ],
)
def test_missing_coming_year_warns_from_the_first_of_november(
    today: date, covered: set[int], missing: int | None
) -> None:
    assert missing_coming_year(today, covered) == missing
