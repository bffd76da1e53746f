"""The pages as people use them: public pages without login, staff pages by role and scope."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from linli.community import services
from linli.community.models import Event, PracticalProject, ServiceOrder, Signup, Wish
from linli.core.context import Actor
from linli.core.models import AuditRecord

from .conftest import at

PUBLIC = Actor(None, "t")


def phone(n: int) -> str:
    return f"139{n:08d}"


@pytest.mark.parametrize(
    "name", ["index", "network", "menu", "calendar", "wish", "projects", "screen", "screen_data"]
)
def test_public_pages_need_no_login(
    client: Client, net: dict[str, Any], event: Event, name: str
) -> None:
    response = client.get(reverse(f"community:{name}"))
    assert response.status_code == 200


def test_position_page_lists_the_three_families_and_spaces(
    client: Client, net: dict[str, Any]
) -> None:
    text = client.get(reverse("community:position", args=[net["centre"].pk])).content.decode()
    assert "精品党课" in text and "多功能厅" in text and "高邮路7号" in text


def test_resident_signs_up_on_the_phone_page_and_gets_a_ticket(
    client: Client, event: Event
) -> None:
    url = reverse("community:event", args=[event.pk])
    response = client.post(url, {"name": "王阿姨", "phone": phone(1)})
    signup = Signup.objects.get(name="王阿姨")
    assert response.status_code == 302
    assert response["Location"] == reverse("community:ticket", args=[signup.token])
    page = client.get(response["Location"]).content.decode()
    assert "报名成功" in page and "<svg" in page and "139****0001" in page
    assert phone(1) not in page


def test_signup_errors_are_shown_not_500(client: Client, event: Event) -> None:
    url = reverse("community:event", args=[event.pk])
    response = client.post(url, {"name": "王", "phone": "123"})
    assert response.status_code == 200
    assert "11 位手机号" in response.content.decode()
    client.post(url, {"name": "王", "phone": phone(1)})
    again = client.post(url, {"name": "王", "phone": phone(1)})
    assert "已经报名" in again.content.decode()


def test_cancel_from_the_ticket_page(client: Client, event: Event) -> None:
    result = services.do_sign_up(PUBLIC, event.pk, "甲", phone(1))
    client.post(reverse("community:ticket", args=[result.signup.token]))
    assert Signup.objects.get(pk=result.signup.pk).state == "cancelled"


def test_staff_counter_and_check_in(client: Client, net: dict[str, Any], event: Event) -> None:
    client.force_login(net["dangqun"])
    roster = reverse("community:roster", args=[event.pk])
    client.post(
        reverse("community:roster_signup", args=[event.pk]), {"name": "赵奶奶", "phone": phone(5)}
    )
    s = Signup.objects.get(name="赵奶奶")
    assert (s.channel, s.seat) == ("staff", "held")
    with mock.patch("django.utils.timezone.now", return_value=event.starts_at):
        client.force_login(net["dangqun"])  # sessions last 8 hours: log in at the door
        client.post(reverse("community:checkin", args=[s.token]))
    assert Signup.objects.get(pk=s.pk).checked_in_at is not None
    page = client.get(roster).content.decode()
    assert "100%" in page


def test_door_code_finds_the_ticket(client: Client, net: dict[str, Any], event: Event) -> None:
    s = services.do_sign_up(PUBLIC, event.pk, "甲", phone(1)).signup
    client.force_login(net["dangqun"])
    response = client.get(reverse("community:door", args=[event.pk]), {"code": s.token[:6]})
    assert response["Location"] == reverse("community:checkin", args=[s.token])


@pytest.mark.parametrize(
    "role", ["street_staff", "inspector", "window_clerk", "partner", "auditor"]
)
def test_check_in_refused_without_serve(login: Any, event: Event, role: str) -> None:
    s = services.do_sign_up(PUBLIC, event.pk, "甲", phone(1)).signup
    assert login(role).get(reverse("community:checkin", args=[s.token])).status_code == 403


def test_anonymous_staff_pages_redirect_to_login(client: Client, event: Event) -> None:
    for url in (reverse("community:orders"), reverse("community:roster", args=[event.pk]),
                reverse("community:volunteers"), reverse("community:alliance")):  # fmt: skip
        assert client.get(url).status_code == 302


def test_committee_staff_see_personal_data_of_own_events_only(
    login: Any, net: dict[str, Any], street: Any, users: Any, event: Event
) -> None:
    own = services.do_create_event(
        Actor(users["committee_staff"]), title="陕新读书会", space=net["room"], starts_at=at(2, 10),
        ends_at=at(2, 11), capacity=5, committee_id=street["c1"].pk,
    )  # fmt: skip
    c = login("committee_staff")
    assert c.get(reverse("community:roster", args=[own.pk])).status_code == 200
    assert c.get(reverse("community:roster", args=[event.pk])).status_code == 403
    c2 = login("committee_staff_2")
    assert c2.get(reverse("community:roster", args=[own.pk])).status_code == 403
    listing = c2.get(reverse("community:events_staff")).content.decode()
    assert "陕新读书会" not in listing


def test_orders_list_flags_overdue_and_keeps_constant_queries(
    client: Client, net: dict[str, Any]
) -> None:
    def add(n: int) -> None:
        for i in range(n):
            services.do_place_order(
                PUBLIC, position=net["centre"], menu_item=net["lecture"], requester_kind="resident",
                requester_name=f"居民{i}", phone=phone(i),
            )  # fmt: skip

    add(2)
    ServiceOrder.objects.filter(pk=ServiceOrder.objects.first().pk).update(due_by=at(-2, 0).date())  # type: ignore[union-attr]
    client.force_login(net["dangqun"])
    url = reverse("community:orders")
    with CaptureQueriesContext(connection) as few:
        page = client.get(url).content.decode()
    assert "cm-overdue" in page
    add(8)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
    overdue = client.get(url, {"status": "overdue"}).content.decode()
    assert overdue.count("cm-overdue") == 1


def test_order_page_walks_the_loop(client: Client, net: dict[str, Any]) -> None:
    order = services.do_place_order(
        PUBLIC, position=net["centre"], menu_item=net["lecture"], requester_kind="resident",
        requester_name="甲", phone=phone(1),
    )  # fmt: skip
    client.force_login(net["dangqun"])
    page = client.get(reverse("community:order", args=[order.pk])).content.decode()
    assert reverse("community:order_accept", args=[order.pk]) in page

    def step(name: str, data: dict[str, Any] | None = None) -> Any:
        return client.post(reverse(f"community:order_{name}", args=[order.pk]), data or {})

    accepted = step("accept")
    assert accepted["Location"] == reverse("community:order", args=[order.pk])
    assert "订单已更新" in client.get(accepted["Location"]).content.decode()
    missing = step("dispatch")  # neither a position nor a team: the service names it
    assert "二选一" in client.get(missing["Location"]).content.decode()
    step("dispatch", {"to_team": net["team"].pk})
    step("deliver")
    step("rate", {"rating": "4", "feedback": "好"})
    order.refresh_from_db()
    assert (order.status, order.rating, order.dispatched_team) == ("rated", 4, net["team"])
    assert client.get(reverse("community:order_accept", args=[order.pk])).status_code == 405
    assert list(
        AuditRecord.objects.filter(object_id=str(order.pk), action__startswith="community.order.")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["community.order.create", "community.order.accept", "community.order.dispatch",
          "community.order.deliver", "community.order.rate"]  # fmt: skip


def test_order_decline_and_cancel_have_their_own_forms(client: Client, net: dict[str, Any]) -> None:
    first, second = (
        services.do_place_order(
            PUBLIC, position=net["centre"], menu_item=net["lecture"], requester_kind="resident",
            requester_name=name, phone=phone(n),
        )
        for n, name in ((1, "甲"), (2, "乙"))
    )  # fmt: skip
    client.force_login(net["dangqun"])
    client.post(reverse("community:order_decline", args=[first.pk]), {"feedback": "不在服务范围"})
    client.post(reverse("community:order_cancel", args=[second.pk]), {"feedback": "本人取消"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.feedback) == ("declined", "不在服务范围")
    assert (second.status, second.feedback) == ("cancelled", "本人取消")
    wrong = client.post(reverse("community:order_accept", args=[first.pk]), follow=True)
    assert "不能进行此操作" in wrong.content.decode()


def test_order_steps_refuse_viewers_and_orders_out_of_reach(
    client: Client, net: dict[str, Any], login: Any
) -> None:
    order = services.do_place_order(
        PUBLIC, position=net["centre"], menu_item=net["lecture"], requester_kind="resident",
        requester_name="甲", phone=phone(1),
    )  # fmt: skip
    response = login("partner").post(reverse("community:order_accept", args=[order.pk]))
    order.refresh_from_db()
    assert response.status_code == 403 and order.status == "ordered"


def test_public_order_form_and_room_booking_conflict(
    client: Client, net: dict[str, Any], event: Event
) -> None:
    url = reverse("community:order_new", args=[net["centre"].pk])
    ok = client.post(url, {"requester_kind": "resident", "requester_name": "甲", "phone": phone(1),
                           "menu_item": net["lecture"].pk, "people": 5})  # fmt: skip
    assert "已收到您的订单" in ok.content.decode()
    clash = client.post(url, {"requester_kind": "organisation", "requester_name": "某单位",
                              "space": net["hall"].pk, "starts_at": at(1, 19).strftime("%Y-%m-%dT%H:%M"),
                              "ends_at": at(1, 20).strftime("%Y-%m-%dT%H:%M"), "people": 5})  # fmt: skip
    assert "已被占用" in clash.content.decode()
    assert ServiceOrder.objects.count() == 1


def test_public_cannot_enter_phone_orders(client: Client, net: dict[str, Any]) -> None:
    url = reverse("community:order_new", args=[net["centre"].pk])
    response = client.post(url, {"requester_kind": "resident", "requester_name": "甲", "phone": phone(1),
                                 "menu_item": net["lecture"].pk, "people": 5, "channel": "phone"})  # fmt: skip
    assert ServiceOrder.objects.get().channel == "online"
    assert response.status_code == 200


def test_wish_box_and_adoption(client: Client, net: dict[str, Any]) -> None:
    client.post(reverse("community:wish"), {"text": "想学太极拳", "name": "", "phone": ""})
    wish = Wish.objects.get()
    client.force_login(net["dangqun"])
    page = client.get(reverse("community:wishes")).content.decode()
    assert reverse("community:wish_adopt") in page and reverse("community:wish_decline") in page
    incomplete = client.post(reverse("community:wish_adopt"), {"wish": wish.pk}, follow=True)
    assert "请完整填写服务项目信息" in incomplete.content.decode()
    adopted = client.post(reverse("community:wish_adopt"), {
        "wish": wish.pk, "position": net["centre"].pk, "family": "culture", "title": "太极拳课堂",
        "audience": "居民", "capacity": 20, "duration_minutes": 60, "mode": "appointment",
    }, follow=True)  # fmt: skip
    assert "已转为服务项目" in adopted.content.decode()
    wish.refresh_from_db()
    assert wish.menu_item is not None and wish.menu_item.title == "太极拳课堂"
    assert AuditRecord.objects.filter(
        action="community.wish.adopt", object_id=str(wish.pk)
    ).exists()


def test_wish_declined_through_its_own_form(
    client: Client, net: dict[str, Any], login: Any
) -> None:
    wish = services.do_make_wish(PUBLIC, "想要夜间自习室")
    refused = login("partner").post(reverse("community:wish_decline"), {"wish": wish.pk})
    assert refused.status_code == 403
    client.force_login(net["dangqun"])
    assert client.get(reverse("community:wish_decline")).status_code == 405
    answered = client.post(
        reverse("community:wish_decline"), {"wish": wish.pk, "answer": "场地不足"}, follow=True
    )
    assert "已答复" in answered.content.decode()
    wish.refresh_from_db()
    assert (wish.status, wish.answer) == ("declined", "场地不足")
    again = client.post(
        reverse("community:wish_decline"), {"wish": wish.pk, "answer": "再答"}, follow=True
    )
    wish.refresh_from_db()
    assert wish.answer == "场地不足" and "已答复" not in again.content.decode()
    assert client.post(reverse("community:wish_decline"), {"wish": 999999}).status_code == 404


def test_school_sees_only_its_own_alliance_orders(client: Client, net: dict[str, Any]) -> None:
    mine = services.do_order_alliance_project(
        Actor(net["school_user"]), net["project"], 30, "四年级"
    )
    other = services.do_order_alliance_project(
        Actor(net["school2_user"]), net["project"], 20, "五年级"
    )
    client.force_login(net["school_user"])
    page = client.get(reverse("community:alliance")).content.decode()
    assert "四年级" in page and "五年级" not in page
    # Acting on another school's order by id is not found.
    response = client.post(reverse("community:alliance_feedback"), {"order": other.pk, "rating": 5})
    assert response.status_code == 404
    client.force_login(net["unit_user"])
    unit_page = client.get(reverse("community:alliance")).content.decode()
    assert "四年级" in unit_page and "五年级" in unit_page
    assert reverse("community:alliance_accept") in unit_page
    client.post(reverse("community:alliance_accept"), {"order": mine.pk})
    mine.refresh_from_db()
    assert mine.status == "accepted"


def test_alliance_order_walks_its_steps_one_form_each(client: Client, net: dict[str, Any]) -> None:
    mine = services.do_order_alliance_project(
        Actor(net["school_user"]), net["project"], 30, "四年级"
    )
    other = services.do_order_alliance_project(
        Actor(net["school2_user"]), net["project"], 20, "五年级"
    )
    client.force_login(net["unit_user"])
    declined = client.post(reverse("community:alliance_decline"), {"order": other.pk}, follow=True)
    assert "订单已更新" in declined.content.decode()
    client.post(reverse("community:alliance_accept"), {"order": mine.pk})
    unplanned = client.post(reverse("community:alliance_schedule"), {"order": mine.pk}, follow=True)
    assert "请填写排期时间和地点" in unplanned.content.decode()
    when = at(3, 14).strftime("%Y-%m-%dT%H:%M")
    client.post(reverse("community:alliance_schedule"),
                {"order": mine.pk, "scheduled_at": when, "place": "学校礼堂"})  # fmt: skip
    mine.refresh_from_db()
    assert (mine.status, mine.place) == ("scheduled", "学校礼堂")
    unit_feedback = client.post(
        reverse("community:alliance_feedback"), {"order": mine.pk, "rating": 5}, follow=True
    )
    assert "只能处理本单位的订单" in unit_feedback.content.decode()
    client.post(reverse("community:alliance_deliver"), {"order": mine.pk})
    client.force_login(net["school_user"])
    client.post(reverse("community:alliance_feedback"),
                {"order": mine.pk, "rating": 4, "feedback": "孩子们很喜欢"})  # fmt: skip
    mine.refresh_from_db()
    other.refresh_from_db()
    assert (mine.status, mine.rating, mine.feedback) == ("closed", 4, "孩子们很喜欢")
    assert other.status == "declined"
    assert list(
        AuditRecord.objects.filter(object_id=str(mine.pk), action__startswith="community.alliance.")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["community.alliance.order", "community.alliance.accept", "community.alliance.schedule",
          "community.alliance.deliver", "community.alliance.feedback"]  # fmt: skip
    assert client.get(reverse("community:alliance_accept")).status_code == 405
    # A step posted without an order says which field is missing and changes nothing.
    blank = client.post(reverse("community:alliance_deliver"), {"order": ""}, follow=True)
    assert "订单：请选择要处理的订单" in blank.content.decode()
    assert blank.redirect_chain == [(reverse("community:alliance"), 302)]


def test_school_orders_through_the_page(client: Client, net: dict[str, Any]) -> None:
    client.force_login(net["school_user"])
    client.post(
        reverse("community:alliance"),
        {"project": net["project"].pk, "students": 30, "grade": "三年级"},
    )
    assert net["school"].orders.count() == 1


def test_other_partners_see_no_alliance_orders(login: Any, net: dict[str, Any]) -> None:
    services.do_order_alliance_project(Actor(net["school_user"]), net["project"], 30, "四年级")
    page = login("partner").get(reverse("community:alliance")).content.decode()
    assert "四年级" not in page


def test_volunteer_page_masks_and_certificate_pdf(client: Client, net: dict[str, Any]) -> None:
    from django.utils import timezone

    v = services.do_register_volunteer(
        net["actor"], net["team"], "陈志愿", phone(8), "11010519491231002X"
    )
    for days in range(1, 8):  # 7 × 14.5 h = 101.5 h: one star
        services.do_report_hours(net["actor"], v, net["team"], timezone.localdate() - timedelta(days=days),
                              870, "音乐导赏", source="leader")  # fmt: skip
    client.force_login(net["dangqun"])
    page = client.get(reverse("community:volunteers"), {"team": net["team"].pk}).content.decode()
    assert "139****0008" in page and "110105********002X" in page and phone(8) not in page
    assert "★☆☆☆☆" in page  # 100 hours: one star
    pdf = client.post(reverse("community:certificate", args=[v.pk, net["team"].pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    export = client.get(reverse("community:volunteers_export"))
    assert export.status_code == 200


def test_project_page_shows_budget_to_the_fen(
    client: Client, net: dict[str, Any], street: Any
) -> None:
    project = services.do_save_project(net["actor"], PracticalProject(
        title="颐德坊密码门禁", kind="gates", committee=street["c1"], place="颐德坊", owner="党总支",
        resident_fen=12_345_67, subsidy_fen=20_000_00, budget_fen=32_345_67,
    ))  # fmt: skip
    page = client.get(reverse("community:project", args=[project.pk])).content.decode()
    assert "32,345.67" in page and "12,345.67" in page


def test_screen_data_has_no_personal_data(client: Client, event: Event) -> None:
    services.do_sign_up(PUBLIC, event.pk, "王阿姨", phone(1))
    data = client.get(reverse("community:screen_data")).content.decode()
    assert "王阿姨" not in data and "0001" not in data


def test_calendar_keeps_constant_queries(client: Client, net: dict[str, Any], event: Event) -> None:
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("community:calendar"))
    for day in range(2, 8):
        services.do_create_event(net["actor"], title=f"活动{day}", space=net["room"], starts_at=at(day, 9),
                              ends_at=at(day, 10), capacity=5)  # fmt: skip
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("community:calendar"))
    assert len(many) == len(few)


def test_module_card_points_to_the_live_module(client: Client, users: Any) -> None:
    client.force_login(users["street_admin"])
    home = client.get("/").content.decode()
    assert 'href="/community/"' in home


def test_team_and_project_sums_are_not_multiplied_by_joins(
    client: Client, net: dict[str, Any], street: Any
) -> None:
    from django.utils import timezone

    from linli.community import queries

    for k in range(3):
        v = services.do_register_volunteer(net["actor"], net["team"], f"志愿者{k}", phone(20 + k))
        services.do_report_hours(
            net["actor"], v, net["team"], timezone.localdate(), 60, "导览", source="leader"
        )
    team = queries.teams().get(pk=net["team"].pk)
    assert (team.n_members, team.approved_minutes) == (3, 180)
    project = services.do_save_project(net["actor"], PracticalProject(
        title="颐德坊密码门禁", kind="gates", committee=street["c1"], place="颐德坊", owner="党总支",
        resident_fen=300_00, subsidy_fen=700_00, budget_fen=1000_00,
    ))  # fmt: skip
    for k in range(3):
        services.do_add_milestone(net["actor"], project, f"节点{k}", timezone.localdate())
    services.do_record_contribution(net["actor"], project, "1号", 100_00, "R1")
    services.do_record_contribution(net["actor"], project, "2号", 50_00, "R2")
    row = queries.projects().get(pk=project.pk)
    assert (row.raised_fen, row.n_milestones) == (150_00, 3)


def test_staff_publish_an_event_and_schedule_a_series(
    client: Client, net: dict[str, Any], login: Any
) -> None:
    from datetime import time

    from linli.community.models import Series

    client.force_login(net["dangqun"])
    fmt = "%Y-%m-%dT%H:%M"
    response = client.post(reverse("community:event_new"), {
        "title": "亲子绘本会", "space": net["room"].pk, "starts_at": at(3, 10).strftime(fmt),
        "ends_at": at(3, 11).strftime(fmt), "capacity": 10, "reserved_offline": 2,
        "release_at": at(3, 8).strftime(fmt), "family": "culture",
    })  # fmt: skip
    event = Event.objects.get(title="亲子绘本会")
    assert response["Location"] == reverse("community:roster", args=[event.pk])
    clash = client.post(reverse("community:event_new"), {
        "title": "撞车", "space": net["room"].pk, "starts_at": at(3, 10, 30).strftime(fmt),
        "ends_at": at(3, 12).strftime(fmt), "capacity": 5, "family": "culture",
    })  # fmt: skip
    assert "已被占用" in clash.content.decode()
    s = Series.objects.create(title="晚间一小时", space=net["hall"], start_time=time(18, 30),
                              end_time=time(19, 30), capacity=40)  # fmt: skip
    first = at(14, 0).date()
    client.post(reverse("community:series"), {"series": s.pk, "first": first.isoformat(),
                                              "last": (first + timedelta(days=6)).isoformat()})  # fmt: skip
    assert Event.objects.filter(series=s).count() == 5
    assert login("street_staff").get(reverse("community:event_new")).status_code == 403


def test_release_command_promotes_due_wait_lists(event: Event) -> None:
    from io import StringIO

    from django.core.management import call_command

    for n in range(3):
        services.do_sign_up(PUBLIC, event.pk, f"居民{n}", phone(n))
    out = StringIO()
    with mock.patch(
        "django.utils.timezone.now", return_value=event.release_at + timedelta(minutes=5)
    ):
        call_command("community_release", stdout=out)
    assert "promoted from wait-lists: 1" in out.getvalue()


def test_committee_staff_handle_their_station_orders_not_the_centres(
    login: Any, net: dict[str, Any], users: Any
) -> None:
    from linli.community.models import MenuItem

    item = MenuItem.objects.create(position=net["station"], family="civilisation", title="邻里议事会",
                                   audience="居民", capacity=15, duration_minutes=60, mode="order")  # fmt: skip
    own = services.do_place_order(PUBLIC, position=net["station"], menu_item=item, requester_kind="resident",
                               requester_name="甲", phone=phone(1))  # fmt: skip
    centre = services.do_place_order(PUBLIC, position=net["centre"], menu_item=net["lecture"],
                                  requester_kind="resident", requester_name="乙", phone=phone(2))  # fmt: skip
    c = login("committee_staff")
    listing = c.get(reverse("community:orders")).content.decode()
    assert own.number in listing and centre.number not in listing
    c.post(reverse("community:order_accept", args=[own.pk]))
    own.refresh_from_db()
    assert own.status == "accepted"
    assert c.get(reverse("community:order", args=[centre.pk])).status_code == 404
    other = login("committee_staff_2")
    assert other.get(reverse("community:order", args=[own.pk])).status_code == 404


def test_wishes_to_the_street_are_not_shown_to_committee_staff(
    login: Any, net: dict[str, Any]
) -> None:
    services.do_make_wish(PUBLIC, "希望开设书法班")
    assert "书法班" in login("street_staff").get(reverse("community:wishes")).content.decode()
    assert (
        "书法班" not in login("committee_staff").get(reverse("community:wishes")).content.decode()
    )


def test_shift_page_checks_a_volunteer_in_and_out(
    client: Client, net: dict[str, Any], event: Event, login: Any
) -> None:
    v = services.do_register_volunteer(net["actor"], net["team"], "陈志愿", phone(8))
    s = services.do_create_shift(
        net["actor"], net["team"], "现场引导", event.starts_at, event.ends_at, event=event
    )
    url = reverse("community:shift", args=[s.token])
    with mock.patch("django.utils.timezone.now", return_value=event.starts_at):
        client.force_login(net["dangqun"])
        client.post(url, {"volunteer": v.pk})
    with mock.patch(
        "django.utils.timezone.now", return_value=event.starts_at + timedelta(minutes=50)
    ):
        client.force_login(net["dangqun"])
        client.post(url, {"volunteer": v.pk})
        page = client.get(url).content.decode()
    assert "50 分钟" in page
    record = v.hours.get()
    assert (record.source, record.status, record.minutes) == ("qr", "approved", 50)
    assert login("street_staff").get(url).status_code == 403


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_staff_create_a_project_to_the_fen_and_record_its_progress(
    client: Client, net: dict[str, Any], street: Any, login: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(net["dangqun"])
    base = {"title": "颐德坊密码门禁", "kind": "gates", "committee": street["c1"].pk, "place": "颐德坊",
            "owner": "党总支", "resident": "425.50", "subsidy": "850.25", "other": "0",
            "beneficiaries": 156, "status": "building", "public": "on"}  # fmt: skip
    bad = client.post(reverse("community:project_new"), {**base, "budget": "1275.76"})
    assert "精确到分" in bad.content.decode()
    client.post(reverse("community:project_new"), {**base, "budget": "1275.75"})
    project = PracticalProject.objects.get()
    assert (project.resident_fen, project.subsidy_fen, project.budget_fen) == (42550, 85025, 127575)
    url = reverse("community:project_manage", args=[project.pk])

    def post(name: str, data: dict[str, Any]) -> Any:
        return client.post(reverse(f"community:project_{name}", args=[project.pk]), data)

    post("milestone_add", {"m-title": "门禁安装", "m-due": "2026-03-01",
                           "m-photo": SimpleUploadedFile("gate.png", PNG, "image/png")})  # fmt: skip
    milestone = project.milestones.get()
    assert milestone.photo.name.endswith(".png")
    post("milestone_add", {"m-title": "假照片", "m-due": "2026-03-01",
                           "m-photo": SimpleUploadedFile("x.png", b"not an image", "image/png")})  # fmt: skip
    assert project.milestones.count() == 1
    post("contribution_add", {"c-household": "1号", "c-amount": "125.50", "c-receipt": "R1"})
    assert project.contributions.get().amount_fen == 12550
    post("decision_add", {"d-on": "2026-01-10", "d-motion": "安装门禁", "d-members": 9,
                          "d-agree": 7, "d-against": 1, "d-abstain": 1})  # fmt: skip
    assert project.decisions.get().passed
    post("milestone_done", {"milestone": milestone.pk})
    milestone.refresh_from_db()
    assert milestone.done_on is not None
    # Another committee's staff cannot reach it.
    assert login("committee_staff_2").get(url).status_code == 404


def test_roster_and_volunteer_lists_keep_constant_queries(
    client: Client, net: dict[str, Any], event: Event
) -> None:
    client.force_login(net["dangqun"])
    roster = reverse("community:roster", args=[event.pk])
    team = reverse("community:volunteers")
    services.do_sign_up(PUBLIC, event.pk, "甲", phone(1))
    services.do_register_volunteer(net["actor"], net["team"], "志愿者甲", phone(50))
    with CaptureQueriesContext(connection) as few_roster:
        client.get(roster)
    with CaptureQueriesContext(connection) as few_team:
        client.get(team, {"team": net["team"].pk})
    for n in range(2, 8):
        services.do_sign_up(PUBLIC, event.pk, f"居民{n}", phone(n))
        services.do_register_volunteer(net["actor"], net["team"], f"志愿者{n}", phone(50 + n))
    with CaptureQueriesContext(connection) as many_roster:
        client.get(roster)
    with CaptureQueriesContext(connection) as many_team:
        client.get(team, {"team": net["team"].pk})
    assert len(many_roster) == len(few_roster)
    assert len(many_team) == len(few_team)


def test_leader_fixes_a_correction_request_on_the_page(client: Client, net: dict[str, Any]) -> None:
    from django.utils import timezone

    v = services.do_register_volunteer(net["actor"], net["team"], "陈志愿", phone(8))
    record = services.do_report_hours(
        net["actor"], v, net["team"], timezone.localdate(), 60, "导览", source="leader"
    )
    corr = services.do_request_correction(net["actor"], record, 90, "少记半小时")
    client.force_login(net["dangqun"])
    page = client.get(reverse("community:volunteers")).content.decode()
    assert "少记半小时" in page
    client.post(reverse("community:correction_decide"), {"correction": corr.pk, "fix": "1"})
    record.refresh_from_db()
    assert record.minutes == 90
