"""Schedules in words: every shape the platform uses, and the cron fallback."""

from __future__ import annotations

import pytest

from linli.jobs.rules import When, describe_cron


@pytest.mark.parametrize(
    ("cron", "expected"),
    [
        (("5", "*", "*"), When("hourly", minute=5)),
        (("0", "8", "*"), When("daily", minute=0, hour=8)),
        (("30", "8", "1"), When("weekly", minute=30, hour=8, days=(1,))),
        (("30", "8", "7"), When("weekly", minute=30, hour=8, days=(0,))),
        (("0", "9", "1,3,5"), When("weekly", minute=0, hour=9, days=(1, 3, 5))),
        (("30", "7", "1-5"), When("weekdays_range", minute=30, hour=7, days=(1, 5))),
        (("0", "10", "1-7"), When("weekdays_range", minute=0, hour=10, days=(1, 0))),
        (("*/15", "*", "*"), When("cron", expression="*/15 * * * *")),
        (("0", "8-18", "*"), When("cron", expression="0 8-18 * * *")),
        (("0", "8", "5-1"), When("cron", expression="0 8 * * 5-1")),
        (("60", "8", "*"), When("cron", expression="60 8 * * *")),
        (("0", "24", "*"), When("cron", expression="0 24 * * *")),
        (("0", "8", "mon"), When("cron", expression="0 8 * * mon")),
    ],
)
def test_describe_cron(cron: tuple[str, str, str], expected: When) -> None:
    assert describe_cron(*cron) == expected
