"""The working-day calendar used for risk deadlines (holidays and 调休 working weekends).

Data, not rules: the dates follow the State Council's holiday notice for 2026 as entered by the
safety office; check them against the published notice each year and add the next year here.
"""

from __future__ import annotations

from datetime import date, timedelta

from linli.core.workdays import WorkCalendar


def _span(start: date, days: int) -> list[date]:
    return [start + timedelta(days=i) for i in range(days)]


HOLIDAYS_2026 = [
    *_span(date(2026, 1, 1), 3),  # 元旦
    *_span(date(2026, 2, 15), 9),  # 春节
    *_span(date(2026, 4, 4), 3),  # 清明
    *_span(date(2026, 5, 1), 5),  # 劳动节
    *_span(date(2026, 6, 19), 3),  # 端午
    *_span(date(2026, 9, 25), 3),  # 中秋
    *_span(date(2026, 10, 1), 7),  # 国庆
]
WORKING_WEEKENDS_2026 = [
    date(2026, 1, 4),
    date(2026, 2, 14),
    date(2026, 2, 28),
    date(2026, 5, 9),
    date(2026, 9, 20),
    date(2026, 10, 10),
]

CALENDAR = WorkCalendar.of(HOLIDAYS_2026, WORKING_WEEKENDS_2026)
