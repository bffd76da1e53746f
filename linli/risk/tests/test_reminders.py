"""Hazard deadlines: the pure reminder rule, and the daily task (notices, escalation) end to end."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from chinese_calendar import constants
from django.utils import timezone

from linli.core.context import Actor
from linli.core.models import Organisation, User
from linli.core.workdays import PLAIN_WEEK, WorkCalendar, working_days_between
from linli.notices.models import Notice
from linli.risk import services, tasks
from linli.risk.models import Check, Finding, HazardCase, Round, Sample
from linli.risk.rectification import DeadlineReminder, deadline_reminder, reminder_horizon

WED = date(2026, 12, 9)
# The State Council's notices as the package has them (what the core calendar is seeded from).
CALENDAR = WorkCalendar.of(constants.holidays, constants.workdays)


# --------------------------------------------------------------------------- pure rules


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 12, 2), None),  # Wed: 5 working days ahead
        (date(2026, 12, 3), None),  # Thu: Fri, Mon, Tue, Wed = 4
        (date(2026, 12, 4), DeadlineReminder.DUE),  # Fri: Mon, Tue, Wed = 3 working days
        (date(2026, 12, 5), DeadlineReminder.DUE),  # the weekend catches up if Friday was missed
        (date(2026, 12, 8), DeadlineReminder.DUE),
        (WED, DeadlineReminder.TODAY),
        (date(2026, 12, 10), DeadlineReminder.OVERDUE),
        (date(2027, 3, 1), DeadlineReminder.OVERDUE),
    ],
)
def test_reminders_around_a_deadline(today: date, expected: DeadlineReminder | None) -> None:
    assert deadline_reminder(WED, today, PLAIN_WEEK) is expected


def test_no_deadline_no_reminder() -> None:
    assert deadline_reminder(None, WED) is None


def test_holidays_are_not_working_days() -> None:
    due = date(2026, 10, 9)  # Friday after the National Day week (1–7 October off)
    assert deadline_reminder(due, date(2026, 9, 29), CALENDAR) is DeadlineReminder.DUE  # 3
    assert deadline_reminder(due, date(2026, 9, 28), CALENDAR) is None  # 4 working days
    # Without the holiday calendar the same day is far too early.
    assert deadline_reminder(due, date(2026, 9, 29), PLAIN_WEEK) is None


def test_the_query_horizon_matches_the_rule() -> None:
    """Every deadline up to the horizon calls for a reminder, none after it (weekends too)."""
    start = date(2026, 9, 20)
    for offset in range(60):
        today = start + timedelta(days=offset)
        horizon = reminder_horizon(today, CALENDAR)
        for ahead in range(20):
            due = today + timedelta(days=ahead)
            assert (deadline_reminder(due, today, CALENDAR) is not None) == (due <= horizon), (
                today,
                due,
            )
    assert reminder_horizon(date(2026, 12, 1), PLAIN_WEEK) == date(2026, 12, 6)  # Tue → Sun
    assert working_days_between(date(2026, 12, 1), date(2026, 12, 6)) == 3


# --------------------------------------------------------------------------- the task


@pytest.fixture
def cases(street: dict[str, Any], users: dict[str, Any]) -> dict[str, HazardCase]:
    """Open cases in HN01 due today, in 3 working days, in 10 days, overdue (assigned to the
    partner body), and a closed overdue one; one case in HN02 due today."""
    rnd = Round.objects.create(name="2026 年度", method=services.default_version(), seed="s")
    today = timezone.localdate()
    three = reminder_horizon(today, CALENDAR)
    while deadline_reminder(three, today, CALENDAR) is not DeadlineReminder.DUE:
        three -= timedelta(days=1)
    org = Organisation.objects.get(name="徐房物业")
    specs = {
        "today": ("1", "XF01", today, "in_progress", None),
        "soon": ("1", "XF02", three, "assigned", None),
        "later": ("1", "XF03", today + timedelta(days=30), "assigned", None),
        "late": ("1", "DQ02", today - timedelta(days=2), "in_progress", org),
        "closed": ("1", "HJ01", today - timedelta(days=2), "closed", None),
        "other": ("2", "XF01", today, "graded", None),
    }
    made = {}
    for name, (key, code, due, state, organisation) in specs.items():
        sample, _ = Sample.objects.get_or_create(
            round=rnd, committee=street[f"c{key}"], label="S1",
            defaults={"building": street[f"building{key}"], "stratum": "lane", "draw_record": {}},
        )  # fmt: skip
        check = Check.objects.create(sample=sample, code=code)
        finding = Finding.objects.create(
            check_item=check, likelihood=3, severity=4, grade="C", description=f"{code} 堆物"
        )
        made[name] = HazardCase.objects.create(
            finding=finding, round=rnd, committee=street[f"c{key}"], subunit=code, grade="C",
            state=state, found_on=today - timedelta(days=15), due_on=due,
            organisation=organisation,
        )  # fmt: skip
    return made


def _kinds(user: User) -> dict[str, dict[str, str]]:
    return {
        n.key: n.params for n in Notice.objects.filter(user=user, channel="inbox").order_by("pk")
    }


def test_the_daily_task_reminds_the_unit_and_escalates_overdue_cases(
    cases: dict[str, HazardCase], users: dict[str, Any]
) -> None:
    safety = users["street_staff"]
    safety.department = "safety"
    safety.save()

    assert tasks.hazard_deadlines.delay().get() == {"due": 1, "today": 2, "overdue": 1}

    today, soon, late = cases["today"], cases["soon"], cases["late"]
    assert _kinds(users["committee_staff"]) == {
        f"risk.hazard_today:{today.pk}:{today.due_on}": {
            "hazard": "陕新居委 XF01 XF01 堆物", "url": f"/risk/cases/{today.pk}/",
        },
        f"risk.hazard_due:{soon.pk}:{soon.due_on}": {
            "hazard": "陕新居委 XF02 XF02 堆物", "due": str(soon.due_on),
            "url": f"/risk/cases/{soon.pk}/",
        },
        f"risk.hazard_overdue:{late.pk}:{late.due_on}": {
            "hazard": "陕新居委 DQ02 DQ02 堆物", "due": str(late.due_on), "days": "2",
            "url": f"/risk/cases/{late.pk}/",
        },
    }  # fmt: skip
    other = cases["other"]
    assert list(_kinds(users["committee_staff_2"])) == [
        f"risk.hazard_today:{other.pk}:{other.due_on}"
    ]
    # The overdue case is the partner's work and now the safety office supervises it.
    assert list(_kinds(users["partner"])) == [f"risk.hazard_overdue:{late.pk}:{late.due_on}"]
    assert list(_kinds(safety)) == [f"risk.hazard_overdue:{late.pk}:{late.due_on}"]
    late.refresh_from_db()
    assert (late.overdue_count, late.escalation) == (1, "street_department")
    text = Notice.objects.get(user=safety).text
    assert text == f"隐患“陕新居委 DQ02 DQ02 堆物”的整改期限{late.due_on}已过2天，已升级督办。"
    cases["closed"].refresh_from_db()
    assert cases["closed"].overdue_count == 0

    # A second run the same day creates nothing and escalates nothing again.
    before = Notice.objects.count()
    assert tasks.hazard_deadlines.delay().get()["overdue"] == 0
    assert Notice.objects.count() == before
    late.refresh_from_db()
    assert late.overdue_count == 1


def test_a_moved_deadline_is_reminded_afresh(cases: dict[str, HazardCase]) -> None:
    services.do_send_hazard_reminders()
    case = cases["today"]
    HazardCase.objects.filter(pk=case.pk).update(due_on=case.due_on + timedelta(days=1))
    before = Notice.objects.filter(kind="risk.hazard_due").count()
    services.do_send_hazard_reminders()
    assert Notice.objects.filter(kind="risk.hazard_due").count() == before + 1


def test_the_cases_page_escalation_also_tells_the_unit(
    cases: dict[str, HazardCase], users: dict[str, Any]
) -> None:
    safety = users["street_staff"]
    safety.department = "safety"
    safety.save()
    assert services.do_refresh_escalation(Actor(safety)) == 1
    late = cases["late"]
    assert (
        Notice.objects.filter(
            kind="risk.hazard_overdue", key=f"risk.hazard_overdue:{late.pk}:{late.due_on}"
        ).count()
        == 3
    )  # committee staff, partner, safety office


def test_the_schedule_row_runs_the_task(
    cases: dict[str, HazardCase], users: dict[str, Any]
) -> None:
    from django_celery_beat.models import PeriodicTask

    from linli.jobs import schedules

    schedules.do_run_schedule_now(
        Actor(users["street_admin"]), PeriodicTask.objects.get(name="linli.risk.hazard_deadlines")
    )
    assert Notice.objects.filter(kind="risk.hazard_today").count() == 2


def test_open_cases_use_the_street_calendar_beyond_the_package(
    street: dict[str, Any], users: dict[str, Any]
) -> None:
    """The old risk table stopped at 2026: a 2027 deadline on a holiday the street entered
    (清明, Monday 5 April 2027) now moves to the next working day."""
    from linli.core import workcalendar

    rnd = Round.objects.create(name="2027 年度", method=services.default_version(), seed="s")
    sample = Sample.objects.create(
        round=rnd, committee=street["c1"], label="S1", building=street["building1"],
        stratum="lane", draw_record={},
    )  # fmt: skip
    check = Check.objects.create(sample=sample, code="XF01")
    Finding.objects.create(check_item=check, likelihood=1, severity=2, grade="D", description="x")
    found = date(2027, 3, 4)  # Thursday; + 30 days = Saturday 3 April → Monday 5 April
    actor = Actor(users["street_admin"])
    (first,) = services.do_open_cases(actor, sample, today=found)
    assert first.due_on == date(2027, 4, 5)
    HazardCase.objects.all().delete()
    workcalendar.set_day(actor, date(2027, 4, 5), "holiday", "清明节")
    (second,) = services.do_open_cases(actor, sample, today=found)
    assert second.due_on == date(2027, 4, 6)
