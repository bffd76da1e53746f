"""Staff forms for the network, spaces, menus and series: rules, services and pages."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from linli.community import rules, services
from linli.community.models import Event, MenuItem, Position, Series, Space, SpaceSlot
from linli.core.context import Actor
from linli.core.errors import DomainError
from linli.core.models import AuditRecord

from .conftest import at

# --- pure rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "parent", "children", "problem"),
    [
        ("centre", None, [], None),
        ("centre", "centre", [], "anchor_has_parent"),
        ("residential_station", None, [], "needs_parent"),
        ("residential_station", "culture", ["point"], None),
        ("residential_station", "building_station", [], "parent_not_above"),
        ("point", "residential_station", [], None),
        ("point", "party_school", [], None),
        ("point", "point", [], "parent_not_above"),
        ("point", "centre", ["point"], "child_not_below"),
        ("building_station", "centre", ["residential_station"], "child_not_below"),
    ],
)
def test_hierarchy_rule(kind: str, parent: str | None, children: list[str], problem: str) -> None:
    assert rules.hierarchy_problem(kind, parent, children) == problem


def test_weekdays_and_duties_parse_exactly() -> None:
    assert rules.parse_weekdays("5, 1,3，1") == [1, 3, 5]
    for bad in ("", "0", "8", "mon", "1,,x"):
        with pytest.raises(ValueError, match="weekday"):
            rules.parse_weekdays(bad)
    assert rules.split_duties("接待、政策咨询, 活动组织，接待") == ["接待", "政策咨询", "活动组织"]
    assert rules.rotating_partner(["a", "b", "c"], 7) == "b"
    assert rules.rotating_partner([], 7) == ""


# --- services --------------------------------------------------------------------------------


def _position_data(**over: Any) -> dict[str, Any]:
    data = {
        "kind": "point", "name": "武康大楼党群服务点", "address": "淮海中路1842号",
        "parent_id": None, "committee_id": None, "map_x": 30, "map_y": 60,
        "hours": "工作日 9:00–17:00", "contact": "李老师", "contact_phone": "021-6431 0000",
        "description": "", "sort": 5,
    }  # fmt: skip
    data.update(over)
    return data


def _audits(action: str) -> int:
    return AuditRecord.objects.filter(action=action).count()


def test_position_is_created_and_edited_with_audit(net: dict[str, Any]) -> None:
    point = services.do_save_position(
        net["actor"], None, _position_data(parent_id=net["station"].pk)
    )
    assert point.parent == net["station"] and point.map_x == 30
    assert _audits("community.position.create") == 1
    services.do_save_position(
        net["actor"], point, _position_data(parent_id=net["station"].pk, hours="全天")
    )
    point.refresh_from_db()
    assert point.hours == "全天"
    record = AuditRecord.objects.filter(action="community.position.update").get()
    assert record.details["changed"] == ["hours"]


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"parent_id": None}, "parent"),  # a point needs a parent
        ({"kind": "centre", "parent_id": "station"}, "parent"),  # an anchor has none
        ({"map_x": 101, "parent_id": "station"}, "map_x"),
        ({"name": " ", "parent_id": "station"}, "name"),
        ({"name": "社区党群服务中心", "kind": "culture"}, "name"),  # duplicate
        ({"contact_phone": "call me", "parent_id": "station"}, "contact_phone"),
    ],
)
def test_position_errors_name_the_field(
    net: dict[str, Any], over: dict[str, Any], field: str
) -> None:
    if over.get("parent_id") == "station":
        over["parent_id"] = net["station"].pk
    before = Position.objects.count()
    with pytest.raises(DomainError) as exc:
        services.do_save_position(net["actor"], None, _position_data(**over))
    assert exc.value.field == field
    assert Position.objects.count() == before


def test_station_with_points_cannot_become_a_point(net: dict[str, Any]) -> None:
    services.do_save_position(net["actor"], None, _position_data(parent_id=net["station"].pk))
    station = net["station"]
    with pytest.raises(DomainError) as exc:
        services.do_save_position(
            net["actor"], station,
            _position_data(kind="point", name=station.name, parent_id=net["centre"].pk),
        )  # fmt: skip
    assert exc.value.field == "kind"


def test_committee_staff_edit_only_their_committee(
    net: dict[str, Any], users: dict[str, Any], street: dict[str, Any]
) -> None:
    mine = Actor(users["committee_staff"], "t")
    point = services.do_save_position(
        mine, None, _position_data(parent_id=net["station"].pk, committee_id=street["c2"].pk)
    )
    assert point.committee_id == street["c1"].pk  # forced to their own committee
    with pytest.raises(PermissionDenied):
        services.do_save_position(
            mine, net["centre"], _position_data(kind="centre", name="社区党群服务中心")
        )
    other = Actor(users["committee_staff_2"], "t")
    with pytest.raises(PermissionDenied):
        services.do_save_space(other, net["station"], None, name="活动室", capacity=20)
    reader = Actor(users["street_staff"], "t")
    with pytest.raises(PermissionDenied):
        services.do_save_menu_item(reader, net["centre"], None, {})


def test_staff_member_has_several_duties(net: dict[str, Any]) -> None:
    member = services.do_save_position_staff(
        net["actor"], net["centre"], None, name="张敏", duties="接待，政策咨询、活动组织"
    )
    assert member.duty_list == ["接待", "政策咨询", "活动组织"]
    with pytest.raises(DomainError) as exc:
        services.do_save_position_staff(
            net["actor"], net["centre"], member, name="张敏", duties="、"
        )
    assert exc.value.field == "duties"
    services.do_remove_position_staff(net["actor"], member)
    assert not net["centre"].staff.exists()
    assert _audits("community.position_staff.remove") == 1


def test_space_cannot_shrink_below_a_coming_event(net: dict[str, Any], event: Event) -> None:
    hall = net["hall"]
    with pytest.raises(DomainError) as exc:
        services.do_save_space(net["actor"], net["centre"], hall, name=hall.name, capacity=2)
    assert exc.value.field == "capacity"
    services.do_save_space(
        net["actor"], net["centre"], hall, name=hall.name, capacity=3, equipment="投影、音响"
    )
    hall.refresh_from_db()
    assert (hall.capacity, hall.equipment) == (3, "投影、音响")
    with pytest.raises(DomainError) as dup:
        services.do_save_space(net["actor"], net["centre"], None, name="会议室", capacity=5)
    assert dup.value.field == "name"


def test_menu_item_in_three_families(net: dict[str, Any]) -> None:
    data = {
        "family": "civilisation", "title": "文明实践志愿服务", "audience": "居民",
        "capacity": 30, "duration_minutes": 90, "mode": "appointment", "lead_days": 2,
        "provider": "", "description": "", "active": True,
    }  # fmt: skip
    item = services.do_save_menu_item(net["actor"], net["centre"], None, data)
    assert item.get_family_display() == "文明实践"
    for bad, field in (
        ({"family": "sports"}, "family"),
        ({"duration_minutes": 10}, "duration_minutes"),
        ({"mode": "fax"}, "mode"),
        ({"title": "精品党课"}, "title"),
    ):
        with pytest.raises(DomainError) as exc:
            services.do_save_menu_item(net["actor"], net["centre"], None, {**data, **bad})
        assert exc.value.field == field
    assert MenuItem.objects.filter(position=net["centre"]).count() == 2


def _series_data(net: dict[str, Any], **over: Any) -> dict[str, Any]:
    data = {
        "title": "晚间一小时", "space": net["hall"], "weekdays": "1,2,3,4,5",
        "start_time": time(18, 30), "end_time": time(19, 30), "capacity": 40,
        "reserved_offline": 5, "release_hours": 4,
        "partners": "徐汇区图书馆、衡复风貌馆、永乐股份", "audience": "居民、游客",
    }  # fmt: skip
    data.update(over)
    return data


def test_series_errors_name_the_field(net: dict[str, Any]) -> None:
    for over, field in (
        ({"weekdays": "8"}, "weekdays"),
        ({"end_time": time(18, 0)}, "end_time"),
        ({"capacity": 61}, "capacity"),
        ({"reserved_offline": 41}, "reserved_offline"),
    ):
        with pytest.raises(DomainError) as exc:
            services.do_save_series(net["actor"], None, _series_data(net, **over))
        assert exc.value.field == field
    assert not Series.objects.exists()


def test_committee_staff_cannot_define_series(net: dict[str, Any], users: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        services.do_save_series(Actor(users["committee_staff"], "t"), None, _series_data(net))


def test_series_change_spares_events_with_signups_and_never_double_books(
    net: dict[str, Any],
) -> None:
    actor = net["actor"]
    series = services.do_save_series(actor, None, _series_data(net, weekdays="1,2,3,4,5,6,7"))
    today = timezone.localdate()
    created, _skipped = services.do_schedule_series(
        actor, series, today + timedelta(days=1), today + timedelta(days=4)
    )
    assert created == 4
    events = list(Event.objects.filter(series=series).order_by("starts_at"))
    signed, moved, blocked, dropped = events
    services.do_sign_up(Actor(None, "t"), signed.pk, "王阿姨", "13900000001")
    # Another event already holds the hall 19:30–20:00 on the third day.
    services.do_create_event(
        actor, title="合唱排练", space=net["hall"], starts_at=at(3, 19, 30), ends_at=at(3, 20),
        capacity=20,
    )  # fmt: skip
    fourth = timezone.localtime(dropped.starts_at).isoweekday()
    weekdays = ",".join(str(d) for d in range(1, 8) if d != fourth)
    series = services.do_save_series(
        actor, series,
        _series_data(net, weekdays=weekdays, start_time=time(19), end_time=time(20),
                     capacity=30),
    )  # fmt: skip
    report = services.do_update_series_events(actor, series)
    assert report.updated == 1 and report.cancelled == 1
    assert report.kept_signups == [timezone.localtime(signed.starts_at).date()]
    assert report.conflicts == [timezone.localtime(blocked.starts_at).date()]
    for e in events:
        e.refresh_from_db()
    assert timezone.localtime(signed.starts_at).time() == time(18, 30) and signed.capacity == 40
    assert timezone.localtime(moved.starts_at).time() == time(19) and moved.capacity == 30
    assert timezone.localtime(blocked.starts_at).time() == time(18, 30)
    assert dropped.status == Event.Status.CANCELLED and not dropped.slots.exists()
    assert SpaceSlot.objects.filter(event=moved).count() == 2
    # Scheduling the same days again adds nothing: each day still has its series event.
    created, skipped = services.do_schedule_series(
        actor, series, today + timedelta(days=1), today + timedelta(days=3)
    )
    assert created == 0 and skipped == 3


# --- pages -----------------------------------------------------------------------------------


def test_pages_need_community_manage(
    client: Client, net: dict[str, Any], users: dict[str, Any]
) -> None:
    client.force_login(users["street_staff"])
    for url in (
        reverse("community:network_manage"),
        reverse("community:position_new"),
        reverse("community:position_manage", args=[net["centre"].pk]),
        reverse("community:series_new"),
    ):
        assert client.get(url).status_code == 403
    client.force_login(users["committee_staff_2"])
    assert (
        client.get(reverse("community:position_manage", args=[net["station"].pk])).status_code
        == 403
    )
    assert client.get(reverse("community:series_new")).status_code == 403
    client.force_login(users["committee_staff"])
    assert (
        client.get(reverse("community:position_manage", args=[net["station"].pk])).status_code
        == 200
    )


def test_position_form_shows_field_errors_and_saves(client: Client, net: dict[str, Any]) -> None:
    client.force_login(net["dangqun"])
    url = reverse("community:position_new")
    post = {"kind": "point", "name": "武康大楼党群服务点", "address": "淮海中路1842号",
            "map_x": 30, "map_y": 60, "sort": 0}  # fmt: skip
    page = client.post(url, post)
    assert page.status_code == 200
    assert "服务站和服务点须选择上级阵地。" in page.content.decode()
    response = client.post(url, {**post, "parent": net["station"].pk})
    point = Position.objects.get(name="武康大楼党群服务点")
    assert response.status_code == 302
    assert response["Location"] == reverse("community:position_manage", args=[point.pk])


def test_manage_page_adds_and_edits_staff_spaces_and_menu(
    client: Client, net: dict[str, Any]
) -> None:
    client.force_login(net["dangqun"])
    url = reverse("community:position_manage", args=[net["centre"].pk])

    def post(name: str, data: dict[str, Any]) -> Any:
        return client.post(reverse(f"community:position_{name}", args=[net["centre"].pk]), data)

    post("staff_save", {"staff-name": "张敏", "staff-duties": "接待、党课"})
    post("space_save", {"space-name": "阅览室", "space-capacity": 30,
                        "space-equipment": "书架", "space-bookable": "on"})  # fmt: skip
    room = Space.objects.get(name="阅览室")
    page = client.get(url + f"?edit=space-{room.pk}").content.decode()
    assert 'value="阅览室"' in page
    post("space_save", {"space": room.pk, "space-name": "阅览室",
                        "space-capacity": 25, "space-equipment": "书架"})  # fmt: skip
    room.refresh_from_db()
    assert (room.capacity, room.bookable) == (25, False)
    bad = post("menu_save", {"menu-family": "culture", "menu-title": "精品党课",
                             "menu-audience": "居民", "menu-capacity": 10,
                             "menu-duration_minutes": 60, "menu-mode": "walk_in",
                             "menu-lead_days": 3})  # fmt: skip
    assert "本阵地已有同名服务项目。" in bad.content.decode()
    text = client.get(url).content.decode()
    assert "张敏" in text and "党课" in text and "阅览室" in text


def test_series_form_edit_reports_days_kept(client: Client, net: dict[str, Any]) -> None:
    client.force_login(net["dangqun"])
    post = {"title": "晚间一小时", "space": net["hall"].pk, "weekdays": ["1", "2", "3", "4", "5"],
            "start_time": "18:30", "end_time": "19:30", "capacity": 40,
            "reserved_offline": 5, "release_hours": 4, "partners": "徐汇区图书馆"}  # fmt: skip
    assert client.post(reverse("community:series_new"), post).status_code == 302
    series = Series.objects.get()
    assert series.weekdays == "1,2,3,4,5"
    response = client.post(
        reverse("community:series_edit", args=[series.pk]), {**post, "end_time": "18:00"}
    )
    assert "结束时间须晚于开始时间。" in response.content.decode()
    response = client.post(
        reverse("community:series_edit", args=[series.pk]), {**post, "capacity": 30}, follow=True
    )
    assert "系列已保存" in response.content.decode()
    series.refresh_from_db()
    assert series.capacity == 30
