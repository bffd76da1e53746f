"""The community API: token and session auth, scoped and masked lists, writes through services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from linli.community import services
from linli.community.models import (
    AllianceOrder,
    Event,
    MenuItem,
    Position,
    ServiceOrder,
    Signup,
    Space,
)
from linli.core.context import Actor
from linli.core.models import AuditRecord

from .conftest import at

API = "/api/v1/community"
PUBLIC = Actor(None, "t")


def phone(n: int) -> str:
    return f"139{n:08d}"


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


def constant(client: Client, url: str, grow: Callable[[int], None]) -> None:
    """The list costs as many queries with many rows as with few."""
    grow(2)
    few = queries_for(client, url)
    grow(12)
    assert queries_for(client, url) == few


@pytest.fixture
def c1_event(net: dict[str, Any], street: dict[str, Any]) -> Event:
    return services.do_create_event(
        net["actor"], title="陕新邻里音乐会", space=net["room"], starts_at=at(2, 10),
        ends_at=at(2, 11), capacity=2, committee_id=street["c1"].pk,
    )  # fmt: skip


def test_token_and_session_auth(client: Client, net: dict[str, Any]) -> None:
    assert client.get(f"{API}/positions/").status_code in (401, 403)
    token = Token.objects.create(user=net["dangqun"])
    ok = client.get(f"{API}/positions/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert ok.status_code == 200
    assert client.get(f"{API}/positions/", HTTP_AUTHORIZATION="Token nope").status_code == 401
    client.force_login(net["school_user"])
    assert client.get(f"{API}/positions/").status_code == 200  # public facts


def test_positions_carry_staff_spaces_and_constant_queries(
    client: Client, net: dict[str, Any]
) -> None:
    services.do_save_position_staff(
        net["actor"], net["centre"], None, name="张敏", duties="接待、党课"
    )
    client.force_login(net["dangqun"])
    body = client.get(f"{API}/positions/?kind=centre").json()
    assert body["count"] == 1
    centre = body["results"][0]
    assert centre["staff"] == [{"id": centre["staff"][0]["id"], "name": "张敏",
                                "duties": ["接待", "党课"]}]  # fmt: skip
    assert sorted(sp["name"] for sp in centre["spaces"]) == ["会议室", "多功能厅"]

    def grow(n: int) -> None:
        for k in range(n):
            p = Position.objects.create(kind="point", name=f"点{Position.objects.count()}-{k}",
                                        address="x", parent=net["station"])  # fmt: skip
            Space.objects.create(position=p, name="室", capacity=5)
            services.do_save_position_staff(net["actor"], p, None, name="李", duties="接待")

    constant(client, f"{API}/positions/", grow)


def test_menu_filters_and_constant_queries(client: Client, net: dict[str, Any]) -> None:
    client.force_login(net["dangqun"])
    body = client.get(f"{API}/menu/?family=party_mass").json()
    assert [m["title"] for m in body["results"]] == ["精品党课"]
    assert client.get(f"{API}/menu/?family=culture").json()["count"] == 0

    def grow(n: int) -> None:
        start = MenuItem.objects.count()
        for k in range(n):
            MenuItem.objects.create(position=net["centre"], family="culture",
                                    title=f"项目{start + k}", audience="居民", capacity=10,
                                    duration_minutes=60, mode="walk_in")  # fmt: skip

    constant(client, f"{API}/menu/", grow)


def test_events_are_public_facts_with_counts(
    client: Client, net: dict[str, Any], event: Event
) -> None:
    services.do_sign_up(PUBLIC, event.pk, "王阿姨", phone(1))
    client.force_login(net["school_user"])
    body = client.get(f"{API}/events/").json()
    row = body["results"][0]
    assert row["seats_taken"] == 1 and row["capacity"] == 3
    assert "王阿姨" not in str(body) and "0001" not in str(body)

    def grow(n: int) -> None:
        start = Event.objects.count()
        for k in range(n):
            day = 3 + start + k
            services.do_create_event(net["actor"], title="讲座", space=net["hall"],
                                  starts_at=at(day, 9), ends_at=at(day, 10), capacity=5)  # fmt: skip

    constant(client, f"{API}/events/", grow)


def test_signup_through_the_engine(client: Client, net: dict[str, Any], event: Event) -> None:
    client.force_login(net["dangqun"])
    url = f"{API}/events/{event.pk}/signups/"
    response = client.post(url, {"name": "李阿婆", "phone": phone(2)})
    assert response.status_code == 201
    body = response.json()
    assert body["result"] == "confirmed" and body["signup"]["seat"] == "held"
    assert body["signup"]["phone_masked"] == "139****0002" and phone(2) not in str(body)
    duplicate = client.post(url, {"name": "李阿婆", "phone": phone(2)})
    assert duplicate.status_code == 400
    assert duplicate.json()["field"] == "phone" and duplicate.json()["code"] == "duplicate"
    bad = client.post(url, {"name": "李阿婆", "phone": "12"})
    assert bad.status_code == 400 and bad.json()["field"] == "phone"


def test_signup_needs_serve_and_scope(
    client: Client, net: dict[str, Any], users: dict[str, Any], c1_event: Event
) -> None:
    client.force_login(users["street_staff"])  # reads, but no counter
    url = f"{API}/events/{c1_event.pk}/signups/"
    assert client.post(url, {"name": "甲", "phone": phone(3)}).status_code == 403
    client.force_login(users["committee_staff_2"])
    assert client.post(url, {"name": "甲", "phone": phone(3)}).status_code == 404
    client.force_login(users["committee_staff"])
    assert client.post(url, {"name": "甲", "phone": phone(3)}).status_code == 201


def test_signups_scoped_masked_and_cancel_promotes(
    client: Client, net: dict[str, Any], users: dict[str, Any], event: Event, c1_event: Event
) -> None:
    for n in (1, 2, 3):
        services.do_sign_up(PUBLIC, c1_event.pk, f"居民{n}", phone(n))
    services.do_sign_up(PUBLIC, event.pk, "街道活动居民", phone(9))
    client.force_login(users["committee_staff"])
    body = client.get(f"{API}/signups/").json()
    assert {r["event"] for r in body["results"]} == {c1_event.pk}
    assert [r["state"] for r in body["results"]] == ["confirmed", "confirmed", "waitlisted"]
    assert phone(1) not in str(body) and body["results"][0]["phone_masked"] == "139****0001"
    client.force_login(users["committee_staff_2"])
    assert client.get(f"{API}/signups/").json()["count"] == 0
    first = Signup.objects.get(name="居民1")
    assert client.post(f"{API}/signups/{first.pk}/cancel/").status_code == 404
    client.force_login(users["committee_staff"])
    response = client.post(f"{API}/signups/{first.pk}/cancel/")
    assert response.status_code == 200 and response.json()["state"] == "cancelled"
    assert Signup.objects.get(name="居民3").state == "confirmed"  # promoted
    client.force_login(net["school_user"])
    assert client.get(f"{API}/signups/").status_code == 403


def test_signups_list_constant_queries(client: Client, net: dict[str, Any], event: Event) -> None:
    client.force_login(net["dangqun"])

    def grow(n: int) -> None:
        start = Signup.objects.count()
        for k in range(n):
            services.do_sign_up(PUBLIC, event.pk, f"人{start + k}", phone(100 + start + k))

    constant(client, f"{API}/signups/", grow)


def test_place_order_by_phone_and_no_double_booking(client: Client, net: dict[str, Any]) -> None:
    client.force_login(net["dangqun"])
    booking = {
        "position": net["centre"].pk, "space": net["room"].pk,
        "starts_at": at(3, 14).isoformat(), "ends_at": at(3, 16).isoformat(),
        "requester_kind": "resident", "requester_name": "赵老伯", "phone": phone(5),
        "people": 6, "channel": "phone",
    }  # fmt: skip
    response = client.post(f"{API}/orders/", booking, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["phone_masked"] == "139****0005" and phone(5) not in str(body)
    assert body["status"] == "ordered" and body["channel"] == "phone"
    clash = {**booking, "starts_at": at(3, 15).isoformat(), "ends_at": at(3, 17).isoformat()}
    refused = client.post(f"{API}/orders/", clash, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["code"] == "double_booked"
    assert ServiceOrder.objects.count() == 1
    missing = client.post(
        f"{API}/orders/", {**booking, "requester_name": ""}, content_type="application/json"
    )
    assert missing.status_code == 400 and "requester_name" in missing.json()["fields"]


def test_orders_scoped_by_role(
    client: Client, net: dict[str, Any], users: dict[str, Any], street: dict[str, Any]
) -> None:
    for committee in (street["c1"], street["c2"], None):
        services.do_place_order(
            net["actor"], position=net["centre"], requester_kind="organisation",
            requester_name=f"单位{committee}", menu_item=net["lecture"], people=10,
            committee_id=committee.pk if committee else None, channel="phone",
        )  # fmt: skip
    client.force_login(users["committee_staff"])
    body = client.get(f"{API}/orders/").json()
    assert [r["committee"] for r in body["results"]] == [street["c1"].pk]
    client.force_login(users["street_staff"])
    assert client.get(f"{API}/orders/").json()["count"] == 3
    assert client.get(f"{API}/orders/?overdue=true").json()["count"] == 0
    client.force_login(net["school_user"])
    assert client.get(f"{API}/orders/").status_code == 403

    def grow(n: int) -> None:
        for _k in range(n):
            services.do_place_order(
                net["actor"], position=net["centre"], requester_kind="organisation",
                requester_name="单位", menu_item=net["lecture"], channel="phone",
            )  # fmt: skip

    client.force_login(net["dangqun"])
    constant(client, f"{API}/orders/", grow)


def test_schools_and_units_see_only_their_own_alliance_orders(
    client: Client, net: dict[str, Any]
) -> None:
    client.force_login(net["school_user"])
    made = client.post(
        f"{API}/alliance-orders/", {"project": net["project"].pk, "students": 30, "grade": "四年级"}
    )
    assert made.status_code == 201 and made.json()["school_name"] == "高安路第一小学"
    services.do_order_alliance_project(
        Actor(net["school2_user"], "t"), net["project"], 20, "三年级"
    )
    other = AllianceOrder.objects.get(school=net["other_school"])
    mine = client.get(f"{API}/alliance-orders/").json()
    assert [r["school_name"] for r in mine["results"]] == ["高安路第一小学"]
    assert client.get(f"{API}/alliance-orders/{other.pk}/").status_code == 404
    client.force_login(net["unit_user"])
    assert client.get(f"{API}/alliance-orders/").json()["count"] == 2  # both order its project
    refused = client.post(
        f"{API}/alliance-orders/", {"project": net["project"].pk, "students": 5, "grade": "一"}
    )
    assert refused.status_code == 400 and refused.json()["code"] == "not_school"
    client.force_login(net["dangqun"])
    assert client.get(f"{API}/alliance-orders/").json()["count"] == 2

    def grow(n: int) -> None:
        for _k in range(n):
            services.do_order_alliance_project(
                Actor(net["school_user"], "t"), net["project"], 5, "一年级"
            )

    constant(client, f"{API}/alliance-orders/", grow)


def test_volunteers_masked_scoped_and_reveal_audited(
    client: Client, net: dict[str, Any], users: dict[str, Any], street: dict[str, Any]
) -> None:
    v = services.do_register_volunteer(
        net["actor"], net["team"], "陈志愿", phone(8), "11010519491231002X", street["c1"].pk
    )
    services.do_report_hours(net["actor"], v, net["team"], at(-1, 9).date(), 120, "导览",
                          source="leader")  # fmt: skip
    client.force_login(users["committee_staff"])
    body = client.get(f"{API}/volunteers/").json()
    row = body["results"][0]
    assert row["phone_masked"] == "139****0008" and row["approved_hours"] == 2.0
    assert phone(8) not in str(body) and "11010519491231002X" not in str(body)
    client.force_login(users["committee_staff_2"])
    assert client.get(f"{API}/volunteers/").json()["count"] == 0
    assert client.post(f"{API}/volunteers/{v.pk}/reveal/", {"purpose": "x"}).status_code == 404
    client.force_login(users["street_staff"])  # no people.view_identity
    denied = client.post(f"{API}/volunteers/{v.pk}/reveal/", {"purpose": "回访"})
    assert denied.status_code == 400 and denied.json()["code"] == "denied"
    client.force_login(users["street_admin"])
    shown = client.post(f"{API}/volunteers/{v.pk}/reveal/", {"purpose": "颁发证书核对身份"})
    assert shown.json() == {"phone": phone(8), "id_number": "11010519491231002X"}
    outcomes = list(
        AuditRecord.objects.filter(action="community.volunteer.reveal")
        .order_by("pk")
        .values_list("outcome", flat=True)
    )
    assert outcomes == ["denied", "ok"]

    def grow(n: int) -> None:
        start = net["team"].members.count()
        for k in range(n):
            services.do_register_volunteer(net["actor"], net["team"], f"志愿者{start + k}",
                                        phone(300 + start + k))  # fmt: skip

    constant(client, f"{API}/volunteers/", grow)


def test_order_loop_steps_through_the_api(
    client: Client, net: dict[str, Any], users: dict[str, Any]
) -> None:
    order = services.do_place_order(
        net["actor"], position=net["centre"], requester_kind="organisation",
        requester_name="上海图书馆", menu_item=net["lecture"], channel="phone",
    )  # fmt: skip
    url = f"{API}/orders/{order.pk}/advance/"
    client.force_login(users["street_staff"])  # reads orders, may not work them
    assert client.post(url, {"step": "accept"}).status_code == 403
    client.force_login(net["dangqun"])
    assert client.post(url, {"step": "accept"}).json()["status"] == "accepted"
    both = client.post(url, {"step": "dispatch", "to_position": net["station"].pk,
                             "to_team": net["team"].pk})  # fmt: skip
    assert both.status_code == 400 and both.json()["field"] == "to"
    sent = client.post(url, {"step": "dispatch", "to_team": net["team"].pk}).json()
    assert (sent["status"], sent["dispatched_team"]) == ("dispatched", net["team"].pk)
    assert client.post(url, {"step": "deliver"}).json()["status"] == "delivered"
    wrong = client.post(url, {"step": "accept"})
    assert wrong.status_code == 400 and wrong.json()["code"] == "state"
    rated = client.post(url, {"step": "rate", "rating": 5, "feedback": "讲得好"}).json()
    assert (rated["status"], rated["rating"]) == ("rated", 5)
