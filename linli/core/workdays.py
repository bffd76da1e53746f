"""Working-day arithmetic over a holiday calendar (pure, no Django).

Chinese public holidays move weekends around (调休): some weekdays are days
off and some Saturdays or Sundays are working days. A ``WorkCalendar``
therefore carries both sets; everything else is Monday to Friday.
Deadlines "in working days" (hall cases, risk re-inspection) use this module.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta


@dataclass(frozen=True)
class WorkCalendar:
    """Days off beyond weekends, and weekend days that are working days."""

    holidays: frozenset[date] = field(default_factory=frozenset)
    extra_workdays: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def of(cls, holidays: Iterable[date] = (), extra_workdays: Iterable[date] = ()) -> WorkCalendar:
        return cls(frozenset(holidays), frozenset(extra_workdays))

    def is_working_day(self, day: date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5


PLAIN_WEEK = WorkCalendar()


def add_working_days(start: date, days: int, calendar: WorkCalendar = PLAIN_WEEK) -> date:
    """Return the date ``days`` working days after ``start``.

    ``start`` itself is not counted (a case accepted on Monday with a limit of
    one working day is due on Tuesday). ``days == 0`` returns ``start``.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if calendar.is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: date, end: date, calendar: WorkCalendar = PLAIN_WEEK) -> int:
    """Count working days in the half-open interval (start, end]; negative if end < start."""
    if end < start:
        return -working_days_between(end, start, calendar)
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if calendar.is_working_day(current):
            count += 1
    return count


def roll_forward(day: date, calendar: WorkCalendar = PLAIN_WEEK) -> date:
    """Civil Code art. 203: a period whose last day is a day off ends on the next working day."""
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


# From this day of the year on, the coming year must be in the calendar (the State Council
# publishes its holiday notice in October or November).
WARN_FROM_MONTH, WARN_FROM_DAY = 11, 1


def missing_coming_year(today: date, covered_years: Iterable[int]) -> int | None:
    """The coming year when ``today`` is on or after 1 November and that year is not covered.

    ``covered_years`` are the years whose holidays are known (from the package or entered by
    the street). Before 1 November, or when the coming year is there, nothing is missing.
    """
    if (today.month, today.day) < (WARN_FROM_MONTH, WARN_FROM_DAY):
        return None
    coming = today.year + 1
    return None if coming in set(covered_years) else coming
