"""The operations screen's rules, directly: every threshold on both sides, the order of the
items, what is left off."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from linli.dashboard import opsrules as r

TODAY = date(2026, 12, 2)
NOW = datetime(2026, 12, 2, 10, 0)


def fig(panel: r.Panel, key: str) -> r.Figure:
    return next(f for f in panel.figures if f.key == key)


def texts(panel: r.Panel) -> list[tuple[str, dict[str, str | int], str]]:
    return [(i.text.msgid, dict(i.text.params), i.level) for i in panel.items]


def test_worst_level() -> None:
    assert r.worst() == "ok"
    assert r.worst("ok", "amber") == "amber"
    assert r.worst("amber", "red", "ok") == "red"


# --- hall ---


def hall(*queues: tuple[int, int], windows_open: int = 2, windows: int = 3) -> r.HallFacts:
    return r.HallFacts(
        tuple(r.QueueFacts(f"Q{i}", f"队列{i}", n, m) for i, (n, m) in enumerate(queues)),
        windows_open,
        windows,
        serving=1,
    )


def test_an_empty_hall_is_calm() -> None:
    panel = r.hall_panel(hall())
    assert [(f.key, f.value, f.level) for f in panel.figures] == [
        ("waiting", 0, "ok"), ("longest_wait", 0, "ok"), ("windows_open", 2, "ok"),
        ("serving", 1, "ok"),
    ]  # fmt: skip
    assert fig(panel, "windows_open").total == 3
    assert panel.items == ()
    assert panel.level == "ok"


@pytest.mark.parametrize(
    ("minutes", "level"),
    [(19, "ok"), (20, "amber"), (44, "amber"), (45, "red")],
)
def test_the_longest_wait_turns_amber_then_red(minutes: int, level: str) -> None:
    panel = r.hall_panel(hall((1, minutes)))
    assert fig(panel, "longest_wait").level == level
    assert fig(panel, "longest_wait").unit == "分钟"
    assert panel.items[0].level == level


@pytest.mark.parametrize(
    ("waiting", "level"),
    [(7, "ok"), (8, "amber"), (15, "amber"), (16, "red")],
)
def test_people_per_open_window_turn_amber_then_red(waiting: int, level: str) -> None:
    assert fig(r.hall_panel(hall((waiting, 1))), "waiting").level == level


def test_people_waiting_with_no_window_open_is_red() -> None:
    panel = r.hall_panel(hall((1, 1), windows_open=0))
    assert fig(panel, "waiting").level == "red"
    assert fig(panel, "windows_open").level == "red"
    assert panel.level == "red"
    assert fig(r.hall_panel(hall(windows_open=0)), "windows_open").level == "ok"


def test_queues_longest_wait_first_and_no_more_than_six() -> None:
    queues = [(0, 0), (3, 10), (5, 10), (1, 30)] + [(1, 1)] * 5
    panel = r.hall_panel(hall(*queues))
    shown = texts(panel)
    assert len(shown) == r.QUEUES_SHOWN
    assert [p["prefix"] for _m, p, _lv in shown[:3]] == ["Q3", "Q2", "Q1"]
    assert shown[0][1] == {"prefix": "Q3", "name": "队列3", "n": 1, "m": 30}
    assert "Q0" not in [p["prefix"] for _m, p, _lv in shown]  # nobody waiting there
    assert fig(panel, "longest_wait").value == 30
    assert fig(panel, "waiting").value == 14


# --- hazards ---


def hazards(*rows: r.HazardRow, overdue: int = 0, due_today: int = 0, due_next: int = 0,
            grade_a: int = 0) -> r.HazardFacts:  # fmt: skip
    return r.HazardFacts(10, overdue, due_today, due_next, grade_a, rows)


def test_no_hazard_due_is_calm() -> None:
    panel = r.hazard_panel(hazards(), TODAY)
    assert panel.level == "ok"
    assert [f.level for f in panel.figures] == ["ok"] * 4
    assert fig(panel, "grade_a").total == 10
    assert panel.empty == "没有待整改隐患"


def test_overdue_is_red_due_soon_and_major_amber() -> None:
    assert fig(r.hazard_panel(hazards(overdue=1), TODAY), "overdue").level == "red"
    assert fig(r.hazard_panel(hazards(due_today=1), TODAY), "due_today").level == "amber"
    assert fig(r.hazard_panel(hazards(due_next=2), TODAY), "due_next").level == "amber"
    assert fig(r.hazard_panel(hazards(grade_a=1), TODAY), "grade_a").level == "amber"
    assert r.hazard_panel(hazards(due_next=2), TODAY).level == "amber"


def test_hazard_items_earliest_deadline_first_and_worded_by_their_day() -> None:
    rows = [
        r.HazardRow("乙居委", "XF01", "C", TODAY + timedelta(days=1)),
        r.HazardRow("甲居委", "XF02", "B", TODAY),
        r.HazardRow("丙居委", "XF03", "A", None),
        r.HazardRow("甲居委", "XF04", "A", TODAY - timedelta(days=3)),
    ] + [r.HazardRow("丁居委", "XF09", "D", TODAY + timedelta(days=9))] * 3
    shown = texts(r.hazard_panel(hazards(*rows), TODAY))
    assert len(shown) == r.TOP
    assert shown[:4] == [
        ("%(committee)s %(subunit)s %(grade)s级 逾期 %(days)s 天",
         {"committee": "甲居委", "subunit": "XF04", "grade": "A", "days": 3}, "red"),
        ("%(committee)s %(subunit)s %(grade)s级 今日到期",
         {"committee": "甲居委", "subunit": "XF02", "grade": "B"}, "amber"),
        ("%(committee)s %(subunit)s %(grade)s级 %(date)s 到期",
         {"committee": "乙居委", "subunit": "XF01", "grade": "C", "date": "12-03"}, "ok"),
        ("%(committee)s %(subunit)s %(grade)s级 %(date)s 到期",
         {"committee": "丁居委", "subunit": "XF09", "grade": "D", "date": "12-11"}, "ok"),
    ]  # fmt: skip
    undated = r.hazard_text(rows[2], TODAY)
    assert undated.text.msgid == "%(committee)s %(subunit)s %(grade)s级 未定期限"
    assert undated.level == "ok"


# --- equipment ---


def equipment(overdue: int = 0, total: int = 100, **kw: int) -> r.EquipmentFacts:
    worst = [r.CommitteeCount("乙居委", 2), r.CommitteeCount("甲居委", 2),
             r.CommitteeCount("丙居委", 5), r.CommitteeCount("戊居委", 0)]  # fmt: skip
    return r.EquipmentFacts(
        total, overdue, kw.get("inspection", 0), kw.get("sprinklers", 0), kw.get("faults", 0),
        worst if overdue else [],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("overdue", "total", "level"),
    [(0, 100, "ok"), (1, 100, "amber"), (9, 100, "amber"), (10, 100, "red"), (1, 0, "red")],
)
def test_overdue_extinguishers_amber_then_red_from_a_tenth(
    overdue: int, total: int, level: str
) -> None:
    panel = r.equipment_panel(equipment(overdue, total))
    assert fig(panel, "overdue").level == level
    assert fig(panel, "overdue").total == total


def test_faulty_sprinklers_are_red_late_checks_amber() -> None:
    assert fig(r.equipment_panel(equipment(faults=1)), "sprinkler_faults").level == "red"
    late = r.equipment_panel(equipment(sprinklers=2, inspection=3))
    assert fig(late, "sprinklers_overdue").level == "amber"
    assert fig(late, "inspection_due").level == "amber"
    assert late.level == "amber"
    assert r.equipment_panel(equipment()).level == "ok"


def test_committees_with_most_overdue_first() -> None:
    shown = texts(r.equipment_panel(equipment(9)))
    assert [(p["committee"], p["n"], lv) for _m, p, lv in shown] == [
        ("丙居委", 5, "amber"), ("乙居委", 2, "amber"), ("甲居委", 2, "amber"),
    ]  # fmt: skip


# --- escalations ---


def test_escalations_show_only_the_parts_the_viewer_reads() -> None:
    panel = r.escalation_panel(r.EscalationFacts(hazards_escalated=2), TODAY)
    assert [(f.key, f.value, f.level) for f in panel.figures] == [("hazards_escalated", 2, "amber")]
    assert panel.empty == ""  # no list of the back office's tickets to be empty
    calm = r.escalation_panel(r.EscalationFacts(backoffice=0, cases_overdue=0), TODAY)
    assert [(f.key, f.level) for f in calm.figures] == [
        ("backoffice", "ok"),
        ("cases_overdue", "ok"),
    ]
    assert calm.level == "ok"
    assert calm.items == ()
    assert calm.empty == "中台没有待办的排队号"


def test_a_ticket_left_with_the_back_office_from_an_earlier_day_is_red() -> None:
    tickets = (
        r.EscalatedTicket("A003", "综合受理", TODAY, 12),
        r.EscalatedTicket("A001", "综合受理", TODAY, 40),
        r.EscalatedTicket("B002", "户政", TODAY - timedelta(days=1), 900),
    )
    panel = r.escalation_panel(r.EscalationFacts(3, tickets, 1, 0), TODAY)
    assert fig(panel, "backoffice").level == "red"
    assert fig(panel, "cases_overdue").level == "red"
    assert fig(panel, "hazards_escalated").level == "ok"
    assert texts(panel) == [
        ("%(number)s %(queue)s 转中台 %(date)s，未办结",
         {"number": "B002", "queue": "户政", "date": "12-01"}, "red"),
        ("%(number)s %(queue)s 转中台 %(m)s 分钟", {"number": "A001", "queue": "综合受理", "m": 40},
         "amber"),
        ("%(number)s %(queue)s 转中台 %(m)s 分钟", {"number": "A003", "queue": "综合受理", "m": 12},
         "amber"),
    ]  # fmt: skip
    today_only = r.escalation_panel(r.EscalationFacts(1, tickets[:1]), TODAY)
    assert fig(today_only, "backoffice").level == "amber"


# --- lifts ---


def clock(pid: int, status: str, days: int, label: str = "日常维护保养") -> r.ClockRow:
    return r.ClockRow(pid, f"加梯{pid}", "甲居委", label, status, TODAY + timedelta(days=days))  # type: ignore[arg-type]


def test_no_lift_clock_due_is_calm() -> None:
    panel = r.lift_panel(r.LiftFacts((), 0, 0), TODAY)
    assert panel.level == "ok"
    assert [f.value for f in panel.figures] == [0, 0, 0, 0]


def test_lift_clocks_overdue_first_then_soonest() -> None:
    clocks = (clock(1, "due_soon", 3), clock(2, "overdue", -1), clock(2, "due_soon", 1, "使用登记"),
              clock(3, "overdue", -10))  # fmt: skip
    panel = r.lift_panel(r.LiftFacts(clocks, 1, 0), TODAY)
    assert [(f.key, f.value, f.level) for f in panel.figures] == [
        ("projects", 3, "red"), ("overdue", 2, "red"), ("due_soon", 2, "amber"),
        ("objections", 1, "amber"),
    ]  # fmt: skip
    assert texts(panel)[:3] == [
        ("%(project)s 逾期 %(days)s 天：%(clock)s",
         {"project": "加梯3", "clock": "日常维护保养", "days": 10}, "red"),
        ("%(project)s 逾期 %(days)s 天：%(clock)s",
         {"project": "加梯2", "clock": "日常维护保养", "days": 1}, "red"),
        ("%(project)s %(date)s 到期：%(clock)s",
         {"project": "加梯2", "clock": "使用登记", "date": "12-03"}, "amber"),
    ]  # fmt: skip


def test_lift_clocks_only_due_soon_are_amber() -> None:
    panel = r.lift_panel(r.LiftFacts((clock(1, "due_soon", 2),), 0, 1), TODAY)
    assert fig(panel, "projects").level == "amber"
    assert panel.level == "amber"


# --- activities ---


def event(title: str, start_h: float, hours: float = 1) -> r.EventRow:
    starts = datetime(2026, 12, 2, 0, 0) + timedelta(hours=start_h)
    return r.EventRow(title, "活动室", starts, starts + timedelta(hours=hours), 8, 20)


def test_activities_under_way_first_then_soonest() -> None:
    facts = r.ActivityFacts(
        4, 1, 30, 12, (event("书法", 14), event("合唱", 9.5), event("讲座", 11))
    )
    panel = r.activity_panel(facts, NOW)
    assert panel.level == "ok"
    assert [(f.key, f.value, f.total) for f in panel.figures] == [
        ("events", 4, None), ("ongoing", 1, None), ("signed_up", 30, None), ("attended", 12, 30),
    ]  # fmt: skip
    shown = texts(panel)
    assert [p["title"] for _m, p, _lv in shown] == ["合唱", "讲座", "书法"]
    assert shown[0][0].startswith("进行中 ")
    assert shown[0][1] == {"start": "09:30", "end": "10:30", "title": "合唱", "place": "活动室",
                           "n": 8, "capacity": 20}  # fmt: skip
    assert not shown[1][0].startswith("进行中")


# --- the screen ---


def test_the_screen_shows_the_readable_panels_in_their_fixed_order() -> None:
    everything = r.ScreenFacts(
        TODAY, NOW, hall(), hazards(), equipment(), r.EscalationFacts(backoffice=0),
        r.LiftFacts((), 0, 0), r.ActivityFacts(0, 0, 0, 0, ()),
    )  # fmt: skip
    assert [p.key for p in r.screen(everything)] == [
        "hall", "hazards", "escalations", "equipment", "lifts", "activities",
    ]  # fmt: skip
    assert r.screen(r.ScreenFacts(TODAY, NOW)) == []
    # An escalation panel with no part the viewer reads is left off.
    assert r.screen(r.ScreenFacts(TODAY, NOW, escalations=r.EscalationFacts())) == []
    only = r.screen(r.ScreenFacts(TODAY, NOW, equipment=equipment(), lifts=r.LiftFacts((), 0, 0)))
    assert [p.key for p in only] == ["equipment", "lifts"]


def test_gettext_noop_returns_the_message() -> None:
    assert r.gettext_noop("大厅排队") == "大厅排队"
