"""When a schedule runs, in words a street admin reads at a glance (pure, no Django).

Written here rather than taken from cron-descriptor (installed with django-celery-beat) because
its Chinese output leaves weekday names in English ("在 08:30, 仅在 Monday"). Only the shapes
the platform's schedules use get words; anything else is shown as the cron expression itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUMBER = re.compile(r"^\d{1,2}$")
_DAYS = re.compile(r"^([0-7])(?:-([0-7]))?$|^([0-7](?:,[0-7])+)$")


@dataclass(frozen=True)
class When:
    """``shape`` is one of hourly, daily, weekly, weekdays_range, cron; the rest fill it."""

    shape: str
    minute: int = 0
    hour: int = 0
    days: tuple[int, ...] = ()
    expression: str = ""


def describe_cron(minute: str, hour: str, day_of_week: str) -> When:
    expression = f"{minute} {hour} * * {day_of_week}"
    if not _NUMBER.match(minute) or int(minute) > 59:
        return When("cron", expression=expression)
    m = int(minute)
    if hour == "*" and day_of_week == "*":
        return When("hourly", minute=m)
    if not _NUMBER.match(hour) or int(hour) > 23:
        return When("cron", expression=expression)
    h = int(hour)
    if day_of_week == "*":
        return When("daily", minute=m, hour=h)
    days = _DAYS.match(day_of_week)
    if days is None:
        return When("cron", expression=expression)
    if days.group(3):
        listed = tuple(sorted({int(d) % 7 for d in days.group(3).split(",")}))
        return When("weekly", minute=m, hour=h, days=listed)
    first = int(days.group(1)) % 7
    if days.group(2) is None:
        return When("weekly", minute=m, hour=h, days=(first,))
    last = int(days.group(2)) % 7
    if last == 0 and first > 0:
        last = 7  # "1-7" and "1-0" both end on Sunday
    if first >= last:
        return When("cron", expression=expression)
    return When("weekdays_range", minute=m, hour=h, days=(first, last % 7))
