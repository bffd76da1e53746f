"""Extinguisher lifecycle, work lists, batch plans, sprinkler and station rules."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linli.fire.rules import (
    Action,
    CheckStatus,
    DueWindow,
    Extinguisher,
    ExtinguisherType,
    FireRuleError,
    KitItem,
    ScrapCondition,
    Shift,
    StationMember,
    StationRole,
    add_months,
    add_years,
    batch_limit,
    batch_plan,
    due_window,
    due_within,
    end_of_line_ok,
    inspection_due,
    kit_due,
    lifecycle,
    sprinkler_schedule,
    station_gaps,
)

D = date.fromisoformat


def ext(
    type_: str, made: str, maintained: str | None = None, id_: str = "E1", **flags: bool
) -> Extinguisher:
    return Extinguisher(
        id=id_,
        type=type_,
        manufactured=D(made),
        last_maintained=None if maintained is None else D(maintained),
        **flags,
    )


# --- calendar ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "years", "expected"),
    [
        ("2020-02-29", 1, "2021-02-28"),
        ("2020-02-29", 3, "2023-02-28"),
        ("2020-02-29", 4, "2024-02-29"),
        ("2019-03-01", 6, "2025-03-01"),
    ],
)
def test_add_years_moves_29_february_to_28_february(start: str, years: int, expected: str) -> None:
    assert add_years(D(start), years) == D(expected)


def test_add_months_clamps_to_month_end_and_crosses_years() -> None:
    assert add_months(D("2025-01-31"), 1) == D("2025-02-28")
    assert add_months(D("2024-01-31"), 1) == D("2024-02-29")
    assert add_months(D("2024-11-30"), 3) == D("2025-02-28")
    assert add_months(D("2024-12-15"), 12) == D("2025-12-15")


# --- lifecycle: every type ---------------------------------------------------


@pytest.mark.parametrize(
    ("type_", "made", "maintained", "next_maintenance", "scrap"),
    [
        # water 水基型: scrap 6 y, first 3 y, then every year
        ("water", "2020-01-15", None, "2023-01-15", "2026-01-15"),
        ("water", "2020-01-15", "2023-01-15", "2024-01-15", "2026-01-15"),
        ("water", "2020-01-15", "2024-01-20", "2025-01-20", "2026-01-15"),
        # powder 干粉 and clean agent 洁净气体: scrap 10 y, first 5 y, then every 2 y
        ("powder", "2016-06-01", None, "2021-06-01", "2026-06-01"),
        ("powder", "2016-06-01", "2021-06-01", "2023-06-01", "2026-06-01"),
        ("clean_agent", "2016-06-01", None, "2021-06-01", "2026-06-01"),
        ("clean_agent", "2016-06-01", "2022-07-10", "2024-07-10", "2026-06-01"),
        # co2 二氧化碳: scrap 12 y, first 5 y, then every 2 y
        ("co2", "2014-06-01", None, "2019-06-01", "2026-06-01"),
        ("co2", "2014-06-01", "2019-06-01", "2021-06-01", "2026-06-01"),
        ("co2", "2014-06-01", "2024-05-31", "2026-05-31", "2026-06-01"),
    ],
)
def test_first_and_later_maintenance_and_scrap_dates(
    type_: str, made: str, maintained: str | None, next_maintenance: str, scrap: str
) -> None:
    life = lifecycle(ext(type_, made, maintained), D("2024-06-01"))
    assert life.type is ExtinguisherType(type_)
    assert life.next_maintenance == D(next_maintenance)
    assert life.scrap_date == D(scrap)
    assert (life.next_due, life.next_due_kind) == (D(next_maintenance), Action.MAINTAIN)


@pytest.mark.parametrize(
    ("type_", "made", "maintained"),
    [
        ("water", "2020-01-15", "2025-01-15"),  # next would be 2026-01-15 = scrap
        ("powder", "2016-06-01", "2024-06-01"),  # next would be 2026-06-01 = scrap
        ("clean_agent", "2016-06-01", "2025-01-01"),  # next would be after scrap
        ("co2", "2014-06-01", "2024-06-01"),  # next would be 2026-06-01 = scrap
    ],
)
def test_replacement_comes_first_when_maintenance_would_fall_on_or_after_scrap(
    type_: str, made: str, maintained: str
) -> None:
    life = lifecycle(ext(type_, made, maintained), D("2025-06-01"))
    assert life.next_maintenance is None
    assert (life.next_due, life.next_due_kind) == (life.scrap_date, Action.REPLACE)
    assert life.action is Action.OK


def test_water_maintained_the_day_before_the_last_interval_still_gets_maintenance() -> None:
    life = lifecycle(ext("water", "2020-01-15", "2025-01-14"), D("2025-06-01"))
    assert life.next_maintenance == D("2026-01-14")
    assert life.scrap_date == D("2026-01-15")


def test_never_maintained_past_scrap_date_is_replaced_not_maintained() -> None:
    unit = ext("powder", "2010-01-01")
    assert lifecycle(unit, D("2019-12-31")).action is Action.MAINTAIN
    life = lifecycle(unit, D("2020-01-01"))
    assert life.action is Action.REPLACE
    assert (life.next_due, life.next_due_kind) == (D("2020-01-01"), Action.REPLACE)


def test_29_february_manufacture_and_maintenance_dates() -> None:
    powder = lifecycle(ext("powder", "2020-02-29"), D("2024-06-01"))
    assert powder.next_maintenance == D("2025-02-28")
    assert powder.scrap_date == D("2030-02-28")
    water = lifecycle(ext("water", "2020-02-29", "2024-02-29"), D("2024-06-01"))
    assert water.next_maintenance == D("2025-02-28")
    assert water.scrap_date == D("2026-02-28")
    co2 = lifecycle(ext("co2", "2012-02-29"), D("2016-01-01"))
    assert co2.scrap_date == D("2024-02-29")  # a leap year keeps the 29th


@pytest.mark.parametrize(
    ("on", "action"),
    [("2023-01-14", Action.OK), ("2023-01-15", Action.MAINTAIN), ("2023-06-01", Action.MAINTAIN)],
)
def test_maintenance_is_due_on_the_due_day_not_the_day_before(on: str, action: Action) -> None:
    assert lifecycle(ext("water", "2020-01-15"), D(on)).action is action


@pytest.mark.parametrize(
    ("on", "action"), [("2026-01-14", Action.OK), ("2026-01-15", Action.REPLACE)]
)
def test_replacement_is_due_on_the_scrap_day_not_the_day_before(on: str, action: Action) -> None:
    unit = ext("water", "2020-01-15", "2025-01-15")
    assert lifecycle(unit, D(on)).action is action


@pytest.mark.parametrize("condition", list(ScrapCondition))
def test_forced_scrapping_flags_replace_a_young_extinguisher(condition: ScrapCondition) -> None:
    flag: dict[str, Any] = {condition.value: True}
    unit = ext("powder", "2024-01-01", **flag)
    life = lifecycle(unit, D("2024-06-01"))
    assert life.action is Action.REPLACE
    assert (life.next_due, life.next_due_kind) == (D("2024-06-01"), Action.REPLACE)
    assert life.scrap_conditions == {condition}
    assert life.next_maintenance == D("2029-01-01")  # the calendar is still reported


def test_forced_scrapping_of_an_expired_unit_is_due_since_the_scrap_date() -> None:
    life = lifecycle(ext("water", "2010-01-01", was_in_fire=True), D("2024-06-01"))
    assert life.next_due == D("2016-01-01")


def test_dates_on_the_day_itself_are_accepted() -> None:
    assert lifecycle(ext("co2", "2024-06-01", "2024-06-01"), D("2024-06-01")).action is Action.OK


@pytest.mark.parametrize(
    ("unit", "field", "code"),
    [
        (ext("foam", "2020-01-01"), "type", "unknown_type"),
        (ext("powder", "2024-06-02"), "manufactured", "after_on"),
        (ext("powder", "2020-01-01", "2024-06-02"), "last_maintained", "after_on"),
        (ext("powder", "2020-01-01", "2019-12-31"), "last_maintained", "before_manufacture"),
    ],
)
def test_errors_name_the_record_and_the_field(unit: Extinguisher, field: str, code: str) -> None:
    with pytest.raises(FireRuleError) as caught:
        lifecycle(unit, D("2024-06-01"))
    assert (caught.value.record, caught.value.field, caught.value.code) == ("E1", field, code)
    assert "E1" in str(caught.value)


# --- due windows and inspections ---------------------------------------------


@pytest.mark.parametrize(
    ("offset", "window"),
    [
        (-1, DueWindow.OVERDUE),
        (0, DueWindow.SOON),
        (30, DueWindow.SOON),
        (31, DueWindow.UPCOMING),
        (90, DueWindow.UPCOMING),
        (91, DueWindow.OK),
    ],
)
def test_due_window_edges(offset: int, window: DueWindow) -> None:
    on = D("2025-03-01")
    assert due_window(on + timedelta(days=offset), on) is window


@pytest.mark.parametrize("days", [(31, 30), (-1, 90)])
def test_due_window_refuses_windows_out_of_order(days: tuple[int, int]) -> None:
    on = D("2025-03-01")
    with pytest.raises(ValueError, match=r"^windows must satisfy 0 <= soon <= upcoming$"):
        due_window(on, on, days)


def test_due_within_classifies_and_sorts_every_item() -> None:
    on = D("2025-03-01")
    items = [
        ext("water", "2022-06-01", id_="later"),  # maintenance 2025-06-01: 92 days
        ext("water", "2022-03-31", id_="soon"),  # 2025-03-31: 30 days
        ext("water", "2022-02-28", id_="overdue"),  # 2025-02-28: yesterday
        ext("water", "2022-05-30", id_="upcoming"),  # 2025-05-30: 90 days
    ]
    result = due_within(items, on)
    assert [(d.lifecycle.extinguisher_id, d.window, d.days_left) for d in result] == [
        ("overdue", DueWindow.OVERDUE, -1),
        ("soon", DueWindow.SOON, 30),
        ("upcoming", DueWindow.UPCOMING, 90),
        ("later", DueWindow.OK, 92),
    ]


def test_due_within_rejects_duplicate_ids() -> None:
    with pytest.raises(FireRuleError) as caught:
        due_within([ext("water", "2022-01-01"), ext("co2", "2022-01-01")], D("2025-01-01"))
    assert (caught.value.record, caught.value.field) == ("E1", "id")


def test_monthly_inspection_from_the_last_one_and_month_end() -> None:
    check = inspection_due(D("2025-01-31"), D("2025-02-27"))
    assert (check.next_date, check.status) == (D("2025-02-28"), CheckStatus.OK)
    assert inspection_due(D("2025-01-31"), D("2025-02-28")).status is CheckStatus.DUE
    assert inspection_due(D("2025-01-31"), D("2025-03-01")).status is CheckStatus.OVERDUE


def test_half_monthly_inspection_for_crowded_places_and_basements() -> None:
    check = inspection_due(D("2025-03-01"), D("2025-03-16"), half_monthly=True)
    assert (check.next_date, check.status) == (D("2025-03-16"), CheckStatus.DUE)
    assert inspection_due(D("2025-03-01"), D("2025-03-15"), half_monthly=True).status is (
        CheckStatus.OK
    )


def test_never_inspected_is_due_today_or_counts_from_placement() -> None:
    assert inspection_due(None, D("2025-03-01")).status is CheckStatus.DUE
    placed = inspection_due(None, D("2025-03-01"), since=D("2025-02-15"))
    assert (placed.next_date, placed.status) == (D("2025-03-15"), CheckStatus.OK)


def test_inspection_in_the_future_is_an_error() -> None:
    with pytest.raises(FireRuleError) as caught:
        inspection_due(D("2025-03-02"), D("2025-03-01"), record="P1")
    assert (caught.value.record, caught.value.field) == ("P1", "last_inspected")
    with pytest.raises(FireRuleError) as caught:
        inspection_due(None, D("2025-03-01"), since=D("2025-03-02"), record="P2")
    assert (caught.value.record, caught.value.field, caught.value.code) == (
        "P2",
        "since",
        "after_on",
    )
    assert caught.value.message == "date 2025-03-02 is after 2025-03-01"


# --- batch plan ----------------------------------------------------------------


def test_batch_limit_is_a_quarter_rounded_down_but_at_least_one() -> None:
    assert [batch_limit(n) for n in (1, 3, 4, 7, 8, 10, 100)] == [1, 1, 1, 1, 2, 2, 25]


def test_batch_plan_splits_due_items_and_lists_substitutes() -> None:
    on = D("2025-03-01")
    site = [ext("powder", "2024-01-01", id_=f"ok{i}") for i in range(5)]
    site += [
        ext("powder", "2015-01-01", id_="p-expired"),  # scrap 2025-01-01
        ext("water", "2022-02-01", id_="w-maint"),  # maintenance 2025-02-01
        ext("co2", "2020-02-15", id_="c-maint"),  # maintenance 2025-02-15
        ext("water", "2022-02-20", id_="w-maint2"),  # maintenance 2025-02-20
        ext("powder", "2020-03-20", id_="p-soon"),  # maintenance 2025-03-20: not due today
    ]
    plan = batch_plan(site, on)
    assert (plan.site_size, plan.limit) == (10, 2)
    assert [[x.extinguisher_id for x in b.items] for b in plan.batches] == [
        ["p-expired", "w-maint"],
        ["c-maint", "w-maint2"],
    ]
    assert dict(plan.batches[0].substitutes) == {
        ExtinguisherType.WATER: 1,
        ExtinguisherType.POWDER: 1,
    }
    assert dict(plan.batches[1].substitutes) == {ExtinguisherType.WATER: 1, ExtinguisherType.CO2: 1}
    ahead = batch_plan(site, on, within_days=30)
    assert [x.extinguisher_id for b in ahead.batches for x in b.items][-1] == "p-soon"


def test_batch_plan_refuses_a_negative_look_ahead() -> None:
    with pytest.raises(ValueError, match=r"^within_days must not be negative$"):
        batch_plan([ext("water", "2022-01-01")], D("2025-03-01"), within_days=-1)


def test_batch_plan_of_a_small_site_sends_one_at_a_time() -> None:
    site = [ext("water", "2015-01-01", id_=f"w{i}") for i in range(3)]
    plan = batch_plan(site, D("2025-01-01"))
    assert [len(b.items) for b in plan.batches] == [1, 1, 1]
    assert [b.number for b in plan.batches] == [1, 2, 3]


ON = D("2025-03-01")


@st.composite
def sites(draw: st.DrawFn) -> list[Extinguisher]:
    size = draw(st.integers(min_value=1, max_value=40))
    items = []
    for index in range(size):
        age = draw(st.integers(min_value=0, max_value=6000))
        made = ON - timedelta(days=age)
        since_made = draw(st.none() | st.integers(min_value=0, max_value=age))
        items.append(
            Extinguisher(
                id=f"E{index}",
                type=draw(st.sampled_from(list(ExtinguisherType))),
                manufactured=made,
                last_maintained=None if since_made is None else made + timedelta(days=since_made),
                was_in_fire=draw(st.booleans()) and draw(st.booleans()),
            )
        )
    return items


@settings(max_examples=150, database=None, deadline=None)
@given(site=sites(), within_days=st.sampled_from([0, 30, 90]))
def test_batch_plan_never_exceeds_a_quarter_and_covers_every_due_item(
    site: list[Extinguisher], within_days: int
) -> None:
    plan = batch_plan(site, ON, within_days=within_days)
    limit = max(1, len(site) // 4)
    assert plan.limit == limit
    planned = [life.extinguisher_id for b in plan.batches for life in b.items]
    horizon = ON + timedelta(days=within_days)
    due = {e.id for e in site if lifecycle(e, ON).next_due <= horizon}
    assert sorted(planned) == sorted(due)  # every due item exactly once, nothing else
    for batch in plan.batches:
        assert 1 <= len(batch.items) <= limit
        assert sum(batch.substitutes.values()) == len(batch.items)
        for kind, count in batch.substitutes.items():
            assert count == sum(1 for life in batch.items if life.type is kind)


# --- sprinklers ------------------------------------------------------------------


def test_sprinkler_checks_count_from_installation_when_never_done() -> None:
    plan = sprinkler_schedule(D("2024-01-31"), None, None, None, D("2024-02-29"))
    assert (plan.visual.next_date, plan.visual.status) == (D("2024-02-29"), CheckStatus.DUE)
    assert (plan.end_of_line.next_date, plan.end_of_line.status) == (
        D("2024-04-30"),
        CheckStatus.OK,
    )
    assert (plan.service.next_date, plan.service.status) == (D("2025-01-31"), CheckStatus.OK)
    assert plan.status is CheckStatus.DUE


def test_sprinkler_checks_count_from_the_last_one() -> None:
    plan = sprinkler_schedule(
        D("2023-05-10"), D("2025-02-01"), D("2024-11-15"), D("2024-03-01"), D("2025-03-01")
    )
    assert (plan.visual.next_date, plan.visual.status) == (D("2025-03-01"), CheckStatus.DUE)
    assert (plan.end_of_line.next_date, plan.end_of_line.status) == (
        D("2025-02-15"),
        CheckStatus.OVERDUE,
    )
    assert (plan.service.next_date, plan.service.status) == (D("2025-03-01"), CheckStatus.DUE)
    assert plan.status is CheckStatus.OVERDUE


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((D("2025-03-02"), None, None, None), "installed_on"),
        ((D("2024-01-01"), D("2023-12-31"), None, None), "last_visual"),
        ((D("2024-01-01"), None, D("2025-03-02"), None), "last_end_of_line"),
        ((D("2024-01-01"), None, None, D("2023-01-01")), "last_service"),
    ],
)
def test_sprinkler_date_errors_name_the_field(
    args: tuple[date, date | None, date | None, date | None], field: str
) -> None:
    with pytest.raises(FireRuleError) as caught:
        sprinkler_schedule(*args, D("2025-03-01"), record="长乐路339弄1号")
    assert (caught.value.record, caught.value.field) == ("长乐路339弄1号", field)


@pytest.mark.parametrize(
    ("pressure", "ok"),
    [
        (Decimal("0.03"), True),
        (Decimal("0.0300"), True),
        ("0.03", True),
        ("0.031", True),
        (1, True),
        (Decimal("0.029"), False),
        ("0.0299999", False),
        (0, False),
    ],
)
def test_end_of_line_pressure_edge_is_exact(pressure: Decimal | str | int, ok: bool) -> None:
    assert end_of_line_ok(pressure) is ok


def test_end_of_line_pressure_rejects_floats_and_nonsense() -> None:
    with pytest.raises(TypeError):
        end_of_line_ok(0.03)  # type: ignore[arg-type]
    for bad in ("abc", "-0.01", "NaN"):
        with pytest.raises(FireRuleError):
            end_of_line_ok(bad, record="D1")


# --- micro fire stations -----------------------------------------------------------


def crew(trained: int, untrained: int = 0, leader: bool = True) -> list[StationMember]:
    people = [StationMember(f"m{i}") for i in range(trained)]
    people += [StationMember(f"u{i}", trained=False) for i in range(untrained)]
    if leader:
        people.append(StationMember("lead", StationRole.LEADER))
    return people


DAY = datetime(2025, 3, 1)


def shift(id_: str, start_h: int, hours: int, members: set[str]) -> Shift:
    start = DAY + timedelta(hours=start_h)
    return Shift(id_, start, start + timedelta(hours=hours), frozenset(members))


def test_a_fully_staffed_station_has_no_gaps() -> None:
    roster = [shift("day", 8, 12, {"lead", "m0", "m1"}), shift("night", 20, 12, {"m2", "m3", "m4"})]
    gaps = station_gaps(
        crew(5), roster, period=(DAY + timedelta(hours=8), DAY + timedelta(days=1, hours=8))
    )
    assert gaps.ok
    assert (gaps.trained_members, gaps.members_short, gaps.short_shifts, gaps.uncovered) == (
        5,
        0,
        (),
        (),
    )


def test_station_gaps_report_leader_members_short_shifts_and_uncovered_hours() -> None:
    roster = [
        shift("day", 8, 12, {"m0", "m1", "u0"}),  # the untrained member does not count
        shift("night", 22, 10, {"m2", "m3", "m0"}),  # 20:00-22:00 has nobody
    ]
    gaps = station_gaps(crew(4, untrained=1, leader=False), roster)
    assert gaps.missing_leader
    assert (gaps.trained_members, gaps.members_short) == (4, 1)
    assert [(s.shift_id, s.on_duty, s.missing) for s in gaps.short_shifts] == [("day", 2, 1)]
    assert gaps.uncovered == ((DAY + timedelta(hours=20), DAY + timedelta(hours=22)),)
    assert not gaps.ok


def test_station_gaps_over_a_period_and_with_no_roster() -> None:
    period = (DAY, DAY + timedelta(days=1))
    gaps = station_gaps(crew(5), [shift("day", 8, 12, {"m0", "m1", "m2"})], period=period)
    assert gaps.uncovered == (
        (DAY, DAY + timedelta(hours=8)),
        (DAY + timedelta(hours=20), period[1]),
    )
    empty = station_gaps(crew(5), [])
    assert empty.roster_empty
    assert not empty.ok


def test_station_roster_errors_name_the_shift() -> None:
    with pytest.raises(FireRuleError) as caught:
        station_gaps(crew(5), [shift("day", 8, 12, {"m0", "ghost"})])
    assert (caught.value.record, caught.value.field) == ("day", "member_ids")
    with pytest.raises(FireRuleError) as caught:
        station_gaps(crew(5), [shift("bad", 8, 0, {"m0"})])
    assert (caught.value.record, caught.value.field) == ("bad", "end")


def test_station_member_with_an_unknown_role_is_named() -> None:
    members = [*crew(5), StationMember("m9", "chief")]
    with pytest.raises(FireRuleError) as caught:
        station_gaps(members, [])
    assert (caught.value.record, caught.value.field, caught.value.code) == (
        "m9",
        "role",
        "invalid_value",
    )
    assert caught.value.message == "unknown role 'chief'"


def test_kit_checks_due_and_overdue() -> None:
    items = [
        KitItem("radio", "对讲机", 30, D("2025-01-30")),  # due 2025-03-01
        KitItem("moto", "消防摩托车", 7, D("2025-02-20")),  # due 2025-02-27
        KitItem("hood", "防烟面罩", 90, D("2025-02-01")),
        KitItem("axe", "消防斧", 30),  # never checked
    ]
    result = kit_due(items, D("2025-03-01"))
    assert [(k.item.id, k.check.next_date, k.check.status) for k in result] == [
        ("moto", D("2025-02-27"), CheckStatus.OVERDUE),
        ("axe", D("2025-03-01"), CheckStatus.DUE),
        ("radio", D("2025-03-01"), CheckStatus.DUE),
        ("hood", D("2025-05-02"), CheckStatus.OK),
    ]
    with pytest.raises(FireRuleError) as caught:
        kit_due([KitItem("x", "x", 0)], D("2025-03-01"))
    assert caught.value.field == "interval_days"
