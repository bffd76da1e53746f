"""The street's one working-day calendar: seeded from the package, overridden by the street,
read by every deadline (hall, risk, elevator), with a warning when the coming year is missing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from chinese_calendar import constants
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse

from linli.core import workcalendar
from linli.core.context import Actor
from linli.core.models import AuditRecord, CalendarDay

SYSTEM = Actor.system("test")


@pytest.fixture
def seeded(db: Any) -> None:
    workcalendar.sync_from_package(SYSTEM)  # a no-op when the migration's seed is there


def test_the_table_holds_every_package_day_since_2004(seeded: None) -> None:
    stored = dict(CalendarDay.objects.values_list("day", "kind"))
    assert {d for d, k in stored.items() if k == "holiday"} >= set(constants.holidays)
    assert {d for d, k in stored.items() if k == "workday"} >= set(constants.workdays)
    assert min(stored).year == 2004
    national = CalendarDay.objects.get(day=date(2026, 10, 1))
    assert (national.kind, national.name, national.source) == ("holiday", "国庆节", "package")
    cal = workcalendar.work_calendar()
    assert not cal.is_working_day(date(2026, 10, 7)) and cal.is_working_day(date(2026, 10, 10))


def test_sync_is_idempotent_and_keeps_the_streets_entries(seeded: None, users: Any) -> None:
    admin = Actor(users["street_admin"])
    workcalendar.set_day(admin, date(2026, 10, 8), "holiday", "街道补休")
    again = workcalendar.sync_from_package(SYSTEM)
    assert (again.added, again.changed, again.removed) == (0, 0, 0)
    assert CalendarDay.objects.get(day=date(2026, 10, 8)).source == "street"
    assert not workcalendar.work_calendar().is_working_day(date(2026, 10, 8))


def test_a_newer_package_brings_2027_spring_festival(seeded: None) -> None:
    # What a package with the 2027 notice carries (春节 6–12 Feb, 调休 Sunday 7 and Saturday 20
    # Feb, as an example notice): the sync adds it and the year stops being missing.
    assert workcalendar.coming_year_missing(date(2026, 12, 2)) == 2027
    holidays = dict(constants.holidays)
    holidays.update({date(2027, 2, d): "Spring Festival" for d in range(6, 13)})
    holidays[date(2027, 1, 1)] = "New Year's Day"
    workdays = dict(constants.workdays)
    workdays[date(2027, 2, 20)] = "Spring Festival"
    result = workcalendar.sync_from_package(SYSTEM, holidays, workdays)
    assert (result.added, result.changed, result.removed) == (9, 0, 0)
    assert CalendarDay.objects.get(day=date(2027, 2, 8)).name == "春节"
    cal = workcalendar.work_calendar()
    assert not cal.is_working_day(date(2027, 2, 8)) and cal.is_working_day(date(2027, 2, 20))
    assert workcalendar.coming_year_missing(date(2026, 12, 2)) is None
    record = AuditRecord.objects.filter(action="core.calendar.sync").latest("seq")
    assert record.details["added"] == 9
    # the official package run again (without 2027) removes the package rows it no longer has
    assert workcalendar.sync_from_package(SYSTEM).removed == 9


def test_street_override_and_clear_restore_the_package(seeded: None, users: Any) -> None:
    admin = Actor(users["street_admin"])
    workcalendar.work_calendar()  # cached in this process
    workcalendar.set_day(admin, date(2026, 10, 5), "workday", "街道值班")
    assert workcalendar.work_calendar().is_working_day(date(2026, 10, 5))  # seen at once
    assert AuditRecord.objects.filter(action="core.calendar.set").exists()
    restored = workcalendar.clear_day(admin, date(2026, 10, 5))
    assert restored is not None and (restored.kind, restored.source) == ("holiday", "package")
    assert not workcalendar.work_calendar().is_working_day(date(2026, 10, 5))
    assert AuditRecord.objects.filter(action="core.calendar.clear").exists()
    with pytest.raises(workcalendar.CalendarError) as no_override:
        workcalendar.clear_day(admin, date(2026, 10, 5))
    assert no_override.value.field == "day"
    with pytest.raises(workcalendar.CalendarError) as bad:
        workcalendar.set_day(admin, date(2026, 10, 5), "closed")
    assert bad.value.field == "kind"
    with pytest.raises(PermissionDenied):
        workcalendar.set_day(Actor(users["street_staff"]), date(2026, 10, 5), "holiday")


def test_another_process_change_is_seen_through_the_version(seeded: None) -> None:
    before = workcalendar.work_calendar()
    assert before.is_working_day(date(2026, 12, 7))
    # as another process would: write the day and move the stamp, without touching our cache
    CalendarDay.objects.create(day=date(2026, 12, 7), kind="holiday", source="street")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_calendarversion SET n = n + 1 WHERE id = 1")
    assert not workcalendar.work_calendar().is_working_day(date(2026, 12, 7))


def test_steady_state_read_is_one_query(seeded: None, django_assert_num_queries: Any) -> None:
    workcalendar.work_calendar()
    with django_assert_num_queries(1):
        workcalendar.work_calendar()


def test_calendar_page_lists_overrides_and_audits(client: Any, seeded: None, users: Any) -> None:
    url = reverse("work_calendar")
    for role in ("street_staff", "window_clerk", "system_admin"):
        client.force_login(users[role])
        assert client.get(url).status_code == 403
    client.force_login(users["street_admin"])
    page = client.get(f"{url}?year=2026").content.decode()
    assert "2026-10-01" in page and "国庆节" in page and "国务院通知" in page
    response = client.post(url, {"form": "set", "day": "2026-12-24", "kind": "holiday",
                                 "name": "街道活动日"}, follow=True)  # fmt: skip
    page = response.content.decode()
    assert "街道活动日" in page and "街道调整" in page and "撤销调整" in page
    assert CalendarDay.objects.get(day=date(2026, 12, 24)).source == "street"
    assert AuditRecord.objects.filter(action="core.calendar.set").count() == 1
    response = client.post(url, {"form": "set", "day": "not a date", "kind": "holiday"},
                           follow=True)  # fmt: skip
    assert response.status_code == 200 and "日期" in response.content.decode()
    response = client.post(url, {"form": "set", "day": "2026-12-25", "kind": "x"}, follow=True)
    assert "请选择节假日或调休上班" in response.content.decode()
    assert not CalendarDay.objects.filter(day=date(2026, 12, 25)).exists()
    client.post(url, {"form": "clear", "day": "2026-12-24"})
    assert not CalendarDay.objects.filter(day=date(2026, 12, 24)).exists()
    assert client.get(f"{url}?year=oops").status_code == 200


def test_home_warns_the_street_admin_when_next_year_is_missing(
    client: Any, seeded: None, users: Any, monkeypatch: Any
) -> None:
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2026, 11, 2))
    client.force_login(users["street_admin"])
    assert "2027 年的节假日与调休安排尚未录入" in client.get("/").content.decode()
    client.force_login(users["street_staff"])  # not theirs to fix
    assert "尚未录入" not in client.get("/").content.decode()
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2026, 10, 31))
    client.force_login(users["street_admin"])
    assert "尚未录入" not in client.get("/").content.decode()
    # the street enters the 2027 notice (元旦 marks the year as entered)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2026, 11, 2))
    workcalendar.set_day(Actor(users["street_admin"]), date(2027, 1, 1), "holiday", "元旦")
    assert "尚未录入" not in client.get("/").content.decode()


def test_calendar_sync_command(seeded: None, capsys: Any) -> None:
    call_command("calendar_sync")
    out = capsys.readouterr().out
    assert '"added": 0' in out and '"package_years": [2004, 2026]' in out
