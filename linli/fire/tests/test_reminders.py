"""The weekly equipment reminder: the pure windows, and the task end to end (notices created)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from linli.fire import rules, services, tasks
from linli.fire.models import KitItem, Station
from linli.fire.rules import DueDate, DueWindow, ReminderCounts
from linli.notices.models import Notice

from .factories import due_extinguisher, extinguisher, sprinkler, today

ON = date(2026, 12, 2)


# --------------------------------------------------------------------------- pure rules


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [
        (-1, DueWindow.OVERDUE),
        (0, DueWindow.SOON),
        (30, DueWindow.SOON),
        (31, DueWindow.UPCOMING),
        (90, DueWindow.UPCOMING),
        (91, DueWindow.OK),
    ],
)
def test_one_off_dates_fall_into_every_window(days_left: int, expected: DueWindow) -> None:
    assert rules.reminder_window(DueDate(ON + timedelta(days=days_left)), ON) is expected


@pytest.mark.parametrize(
    ("every", "days_left", "expected"),
    [
        (rules.MONTHLY_CHECK_DAYS, 10, DueWindow.OK),  # monthly: always within 30 days
        (rules.MONTHLY_CHECK_DAYS, 0, DueWindow.OK),
        (rules.MONTHLY_CHECK_DAYS, -1, DueWindow.OVERDUE),  # but overdue is overdue
        (rules.HALF_MONTH_DAYS, -3, DueWindow.OVERDUE),
        (rules.QUARTERLY_CHECK_DAYS, 20, DueWindow.SOON),  # rarer than 30 days: reminded
        (rules.QUARTERLY_CHECK_DAYS, 60, DueWindow.OK),  # but not 90 days ahead
        (rules.YEARLY_CHECK_DAYS, 60, DueWindow.UPCOMING),
        (rules.YEARLY_CHECK_DAYS, 20, DueWindow.SOON),
        (rules.YEARLY_CHECK_DAYS, 120, DueWindow.OK),
        (31, 30, DueWindow.SOON),  # an interval just over the window counts in it
        (30, 30, DueWindow.OK),
        (91, 90, DueWindow.UPCOMING),
    ],
)
def test_routine_checks_count_only_in_windows_longer_than_their_interval(
    every: int, days_left: int, expected: DueWindow
) -> None:
    due = DueDate(ON + timedelta(days=days_left), every)
    assert rules.reminder_window(due, ON) is expected


def test_an_item_takes_its_most_urgent_window() -> None:
    dues = [
        DueDate(ON + timedelta(days=60)),  # upcoming
        DueDate(ON - timedelta(days=1), rules.MONTHLY_CHECK_DAYS),  # overdue inspection
    ]
    assert rules.item_window(dues, ON) is DueWindow.OVERDUE
    assert rules.item_window(dues[:1], ON) is DueWindow.UPCOMING
    assert rules.item_window([], ON) is DueWindow.OK


def test_counts_and_the_notices_a_unit_gets() -> None:
    counts = rules.count_windows(
        [DueWindow.OVERDUE, DueWindow.SOON, DueWindow.SOON, DueWindow.OK, DueWindow.UPCOMING]
    )
    assert counts == ReminderCounts(overdue=1, soon=2, upcoming=1)
    assert counts + ReminderCounts(1, 0, 3) == ReminderCounts(2, 2, 4)
    assert rules.equipment_notices(counts) == [
        rules.EquipmentNotice("fire.equipment_overdue", 1),
        rules.EquipmentNotice("fire.equipment_due", 2, 30),
        rules.EquipmentNotice("fire.equipment_due", 1, 90),
    ]
    assert rules.equipment_notices(ReminderCounts(0, 0, 5)) == [
        rules.EquipmentNotice("fire.equipment_due", 5, 90)
    ]
    assert rules.equipment_notices(ReminderCounts()) == []


def test_due_dates_of_each_kind_of_equipment() -> None:
    assert rules.extinguisher_due_dates(ON, ON, half_monthly=True) == [
        DueDate(ON),
        DueDate(ON, rules.HALF_MONTH_DAYS),
    ]
    installed = date(2026, 1, 31)
    assert rules.sprinkler_due_dates(installed, None, None, None) == [
        DueDate(date(2026, 2, 28), rules.MONTHLY_CHECK_DAYS),  # month end clamps
        DueDate(date(2026, 4, 30), rules.QUARTERLY_CHECK_DAYS),
        DueDate(date(2027, 1, 31), rules.YEARLY_CHECK_DAYS),
    ]
    assert rules.sprinkler_due_dates(installed, ON, date(2026, 11, 1), date(2026, 6, 1))[2] == (
        DueDate(date(2027, 6, 1), rules.YEARLY_CHECK_DAYS)
    )
    assert rules.kit_due_date(None, 90, ON) == DueDate(ON, 90)  # never checked: due today
    assert rules.kit_due_date(date(2026, 11, 1), 90, ON) == DueDate(date(2027, 1, 30), 90)


def test_reminder_week_is_the_iso_week() -> None:
    assert rules.reminder_week(date(2026, 11, 30)) == "2026-W49"  # Monday
    assert rules.reminder_week(date(2026, 12, 6)) == "2026-W49"  # Sunday, same week
    assert rules.reminder_week(date(2027, 1, 1)) == "2026-W53"


# --------------------------------------------------------------------------- the task


@pytest.fixture
def registry(street: dict[str, Any], users: dict[str, Any]) -> dict[str, Any]:
    """HN01: an overdue extinguisher and an overdue sprinkler check (both the partner's work),
    an extinguisher and a kit item due within 30 days. HN02: an extinguisher due in 60 days."""
    from linli.core.models import Organisation
    from linli.fire.rules import add_years

    org = Organisation.objects.get(name="徐房物业")
    on = today()
    due_extinguisher(street, "1", "D1", assigned_to=org)
    extinguisher(street, "1", "S20", manufactured=add_years(on + timedelta(days=20), -5))
    extinguisher(street, "2", "U60", manufactured=add_years(on + timedelta(days=60), -5))
    sprinkler(street, "1", contractor=org)  # visual check 40 days ago: overdue
    station = Station.objects.create(committee=street["c1"], name="陕新微型消防站")
    KitItem.objects.create(station=station, name="消防摩托车", interval_days=90)
    return {"org": org}


def _notices(user: Any) -> dict[str, dict[str, str]]:
    return {
        n.key.rsplit(":", 1)[0]: n.params
        for n in Notice.objects.filter(user=user, channel="inbox").order_by("pk")
    }


def test_each_unit_gets_its_own_counts_once_a_week(
    registry: dict[str, Any], street: dict[str, Any], users: dict[str, Any]
) -> None:
    result = tasks.equipment_reminders.delay().get()
    c1, c2 = street["c1"].pk, street["c2"].pk

    assert result == {"committees": 2, "partners": 1, "notices": 4}
    assert _notices(users["committee_staff"]) == {
        f"fire.equipment_overdue:committee:{c1}:overdue": {
            "unit": "陕新居委", "count": "2", "url": "/fire/due/?list=overdue",
        },
        f"fire.equipment_due:committee:{c1}:30": {
            "unit": "陕新居委", "count": "2", "days": "30", "url": "/fire/due/?list=30",
        },
    }  # fmt: skip
    assert _notices(users["committee_staff_2"]) == {
        f"fire.equipment_due:committee:{c2}:90": {
            "unit": "新乐居委", "count": "1", "days": "90", "url": "/fire/due/?list=90",
        }
    }  # fmt: skip
    org = registry["org"].pk
    assert _notices(users["partner"]) == {
        f"fire.equipment_overdue:partner:{org}:overdue": {
            "unit": "徐房物业", "count": "2", "url": "/fire/due/?list=overdue",
        }
    }  # fmt: skip
    # Staff of other units (and the street) are not the responsible unit: nothing for them.
    assert not Notice.objects.filter(user=users["street_staff"]).exists()
    notice = Notice.objects.get(user=users["committee_staff"], kind="fire.equipment_overdue")
    assert notice.text == "陕新居委有2件消防设施已超期未检查、未维保或应报废，请尽快处理。"
    week = rules.reminder_week(today())
    assert notice.key == f"fire.equipment_overdue:committee:{c1}:overdue:{week}"


def test_a_second_run_in_the_same_week_sends_nothing(
    registry: dict[str, Any], users: dict[str, Any]
) -> None:
    tasks.equipment_reminders.delay()
    before = Notice.objects.count()
    tasks.equipment_reminders.delay()
    services.do_send_equipment_reminders(today() + timedelta(days=(6 - today().weekday())))
    assert Notice.objects.count() == before == 4
    # The next week is a new reminder.
    services.do_send_equipment_reminders(today() + timedelta(days=7))
    assert Notice.objects.count() > before


def test_nothing_due_means_no_notice(street: dict[str, Any], users: dict[str, Any]) -> None:
    extinguisher(street, "1", "NEW", manufactured=today() - timedelta(days=30))
    assert services.do_send_equipment_reminders()["notices"] == 0
    assert not Notice.objects.exists()


def test_the_schedule_row_runs_the_task(registry: dict[str, Any], users: dict[str, Any]) -> None:
    """What beat (or "run now" on the schedules page) sends is this task."""
    from django_celery_beat.models import PeriodicTask

    from linli.core.context import Actor
    from linli.jobs import schedules

    row = PeriodicTask.objects.get(name="linli.fire.equipment_reminders")
    assert row.enabled and row.crontab is not None and row.crontab.day_of_week == "1"
    schedules.do_run_schedule_now(Actor(users["street_admin"]), row)
    assert Notice.objects.filter(kind="fire.equipment_overdue").count() == 2
