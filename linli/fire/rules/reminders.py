"""Weekly reminders to each responsible unit (committee, partner).

Pure (no Django, no I/O, no clock); see ``linli.fire.rules``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from .base import add_months
from .checks import (
    END_OF_LINE_EVERY_MONTHS,
    HALF_MONTH_DAYS,
    SERVICE_EVERY_MONTHS,
    VISUAL_EVERY_MONTHS,
)
from .extinguishers import SOON_DAYS, UPCOMING_DAYS, DueWindow, due_window

# ---------------------------------------------------------------------------
# Weekly reminders to each responsible unit (committee, partner)

MONTHLY_CHECK_DAYS = 28  # a monthly check: never less than 28 days apart
QUARTERLY_CHECK_DAYS = 89  # quarterly
YEARLY_CHECK_DAYS = 365  # yearly


@dataclass(frozen=True)
class DueDate:
    """One date an item falls due, with how often that check comes round.

    ``every_days`` is None for one-off lifecycle dates (maintenance, replacement). A check that
    comes round at least as often as a reminder window is always inside it, so it is reminded
    only once overdue: a monthly check would otherwise fill the 30-day list every week.
    """

    due: date
    every_days: int | None = None


@dataclass(frozen=True)
class ReminderCounts:
    """How many items of one unit are overdue, due within 30 days, due in 31 to 90 days."""

    overdue: int = 0
    soon: int = 0
    upcoming: int = 0

    def __add__(self, other: ReminderCounts) -> ReminderCounts:
        return ReminderCounts(
            self.overdue + other.overdue, self.soon + other.soon, self.upcoming + other.upcoming
        )


def reminder_window(
    due: DueDate, on: date, days: tuple[int, int] = (SOON_DAYS, UPCOMING_DAYS)
) -> DueWindow:
    """Overdue once the date has passed; else soon (0–30 days) or upcoming (31–90 days), but a
    routine check only counts in a window longer than its interval."""
    soon, upcoming = days
    window = due_window(due.due, on, days)
    if window is DueWindow.OVERDUE or due.every_days is None:
        return window
    if window is DueWindow.SOON and due.every_days <= soon:
        return DueWindow.OK
    if window is DueWindow.UPCOMING and due.every_days <= upcoming:
        return DueWindow.OK
    return window


_WINDOW_RANK = {DueWindow.OK: 0, DueWindow.UPCOMING: 1, DueWindow.SOON: 2, DueWindow.OVERDUE: 3}


def item_window(dues: Iterable[DueDate], on: date) -> DueWindow:
    """The most urgent window over all of one item's dates (OK when it has none)."""
    return max(
        (reminder_window(d, on) for d in dues), key=_WINDOW_RANK.__getitem__, default=DueWindow.OK
    )


def count_windows(windows: Iterable[DueWindow]) -> ReminderCounts:
    tally = Counter(windows)
    return ReminderCounts(
        tally[DueWindow.OVERDUE], tally[DueWindow.SOON], tally[DueWindow.UPCOMING]
    )


def extinguisher_due_dates(
    next_due: date, next_inspection: date, *, half_monthly: bool = False
) -> list[DueDate]:
    """Maintenance or replacement (one-off) and the routine inspection (monthly or 15 days)."""
    return [
        DueDate(next_due),
        DueDate(next_inspection, HALF_MONTH_DAYS if half_monthly else MONTHLY_CHECK_DAYS),
    ]


def sprinkler_due_dates(
    installed_on: date,
    last_visual: date | None,
    last_end_of_line: date | None,
    last_service: date | None,
) -> list[DueDate]:
    """The next monthly, quarterly and yearly check; a check never done counts from installation.

    Unlike ``sprinkler_schedule`` this never refuses a row: a weekly reminder must not stop
    because one record carries a date in the future (that row is simply not due).
    """
    return [
        DueDate(add_months(last_visual or installed_on, VISUAL_EVERY_MONTHS), MONTHLY_CHECK_DAYS),
        DueDate(
            add_months(last_end_of_line or installed_on, END_OF_LINE_EVERY_MONTHS),
            QUARTERLY_CHECK_DAYS,
        ),
        DueDate(add_months(last_service or installed_on, SERVICE_EVERY_MONTHS), YEARLY_CHECK_DAYS),
    ]


def kit_due_date(last_checked: date | None, interval_days: int, on: date) -> DueDate:
    """A station kit item: last check + interval; never checked means due today (``kit_due``)."""
    due = on if last_checked is None else last_checked + timedelta(days=interval_days)
    return DueDate(due, interval_days)


@dataclass(frozen=True)
class EquipmentNotice:
    """One reminder to send to a unit: ``days`` is None for the overdue notice."""

    kind: str
    count: int
    days: int | None = None


def equipment_notices(counts: ReminderCounts) -> list[EquipmentNotice]:
    """What one unit is told this week: overdue items, items due within 30 and within 90 days.

    The 90-day notice counts the items due in 31 to 90 days only, so no item is counted twice.
    """
    out = []
    if counts.overdue:
        out.append(EquipmentNotice("fire.equipment_overdue", counts.overdue))
    if counts.soon:
        out.append(EquipmentNotice("fire.equipment_due", counts.soon, SOON_DAYS))
    if counts.upcoming:
        out.append(EquipmentNotice("fire.equipment_due", counts.upcoming, UPCOMING_DAYS))
    return out


def reminder_week(on: date) -> str:
    """The ISO week of a day (``2026-W49``): the weekly reminder is sent once per unit and week."""
    year, week, _weekday = on.isocalendar()
    return f"{year}-W{week:02d}"
