"""Two streets on one installation: a street's own rows (its centre, its evening hour, its
orders, wishes, volunteers and alliance) are neither read nor changed by the other street's
accounts, over the pages, the API and the services; the public pages show one street's items."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from linli.community import queries, services
from linli.community.errors import NotAllowed
from linli.community.models import (
    AllianceMember,
    AllianceProject,
    Event,
    Position,
    ServiceOrder,
    Volunteer,
    VolunteerTeam,
    Wish,
)
from linli.core.context import Actor
from linli.core.roles import Department, Role

from .conftest import at

API = "/api/v1/community"
PUBLIC = Actor(None, "t")


@pytest.fixture
def two(net: dict[str, Any], street: dict[str, Any], event: Event) -> dict[str, Any]:
    """Street A (the ``net`` street, with its party-mass officer) and street B, each with a
    centre, an event, an order, a wish, a volunteer and an alliance order of its own."""
    from linli.core.models import Organisation, User
    from linli.geo.models import Committee, Subdistrict

    a = street["subdistrict"]
    b = Subdistrict.objects.create(code="S2", name="天平路街道", district=a.district)
    Committee.objects.create(subdistrict=b, code="TP01", name="天平居委")
    officer_a = net["dangqun"]
    officer_a.subdistrict = a
    officer_a.save()
    officer_b = User(username="dangqun_b", role=Role.STREET_STAFF,
                     department=Department.PARTY_MASS, subdistrict=b)  # fmt: skip
    officer_b.set_password("pw-for-tests-123")
    officer_b.save()
    actor_a, actor_b = Actor(officer_a, "t"), Actor(officer_b, "t")
    centre_b = services.do_save_position(actor_b, None, {
        "kind": "centre", "name": "天平社区党群服务中心", "address": "天平路1号",
        "map_x": 50, "map_y": 50,
    })  # fmt: skip
    hall_b = services.do_save_space(actor_b, centre_b, None, name="多功能厅", capacity=40,
                                    equipment="", bookable=True)  # fmt: skip
    event_b = services.do_create_event(
        actor_b, title="天平晚间一小时", space=hall_b, starts_at=at(1, 18, 30),
        ends_at=at(1, 19, 30), capacity=10,
    )  # fmt: skip
    item_b = services.do_save_menu_item(actor_b, centre_b, None, {
        "family": "culture", "title": "天平读书会", "audience": "居民", "capacity": 20,
        "duration_minutes": 60, "mode": "order", "lead_days": 3, "active": True,
    })  # fmt: skip
    order_a = services.do_place_order(
        PUBLIC, position=net["centre"], menu_item=net["lecture"], requester_kind="resident",
        requester_name="甲", phone="13900000001",
    )  # fmt: skip
    order_b = services.do_place_order(
        PUBLIC, position=centre_b, menu_item=item_b, requester_kind="resident",
        requester_name="乙", phone="13900000002",
    )  # fmt: skip
    wish_a = Wish.objects.create(text="湖南想学太极", created=timezone.now(), subdistrict=a)
    wish_b = Wish.objects.create(text="天平想学书法", created=timezone.now(), subdistrict=b)
    team_b = VolunteerTeam.objects.create(name="天平志愿者", position=centre_b, subdistrict=b)
    volunteer_a = services.do_register_volunteer(actor_a, net["team"], "湖南志愿者", "13900000003")
    volunteer_b = services.do_register_volunteer(actor_b, team_b, "天平志愿者甲", "13900000004")
    org = Organisation.objects.create(name="天平学校", kind="school")
    unit_org = Organisation.objects.create(name="天平剧场", kind="cultural")
    today = timezone.localdate()
    AllianceMember.objects.create(organisation=org, kind="school", joined=today,
                                  subdistrict=b)  # fmt: skip
    unit_b = AllianceMember.objects.create(organisation=unit_org, kind="unit", joined=today,
                                           subdistrict=b)  # fmt: skip
    project_b = AllianceProject.objects.create(unit=unit_b, category="drama", title="天平戏剧",
                                               term="2026秋", grades="4年级", capacity=30)  # fmt: skip
    school_user_b = User(username="school_b", role=Role.PARTNER, organisation=org)
    school_user_b.set_password("pw-for-tests-123")
    school_user_b.save()
    alliance_a = services.do_order_alliance_project(
        Actor(net["school_user"]), net["project"], 30, "四年级"
    )
    alliance_b = services.do_order_alliance_project(Actor(school_user_b), project_b, 20, "五年级")
    return {
        "a": a, "b": b, "officer_a": officer_a, "officer_b": officer_b, "actor_a": actor_a,
        "actor_b": actor_b, "centre_b": centre_b, "event_a": event, "event_b": event_b,
        "order_a": order_a, "order_b": order_b, "wish_a": wish_a, "wish_b": wish_b,
        "volunteer_a": volunteer_a, "volunteer_b": volunteer_b, "alliance_a": alliance_a,
        "alliance_b": alliance_b, "project_b": project_b, "school_user_b": school_user_b,
    }  # fmt: skip


def test_services_give_street_level_rows_the_street_they_were_made_for(
    two: dict[str, Any],
) -> None:
    b = two["b"]
    assert two["centre_b"].subdistrict_id == b.pk
    assert two["event_b"].subdistrict_id == b.pk and two["event_b"].committee_id is None
    assert two["order_b"].subdistrict_id == b.pk and two["order_b"].committee_id is None
    assert two["volunteer_b"].subdistrict_id == b.pk
    assert two["order_a"].subdistrict_id == two["a"].pk


def test_street_pages_show_and_change_only_the_streets_own_rows(
    client: Client, two: dict[str, Any]
) -> None:
    client.force_login(two["officer_a"])
    orders = client.get(reverse("community:orders")).content.decode()
    assert two["order_a"].number in orders and two["order_b"].number not in orders
    assert client.get(reverse("community:order", args=[two["order_b"].pk])).status_code == 404
    accept = client.post(reverse("community:order_accept", args=[two["order_b"].pk]))
    assert accept.status_code == 404
    events = client.get(reverse("community:events_staff")).content.decode()
    assert "海派音乐沙龙" in events and "天平晚间一小时" not in events
    assert client.get(reverse("community:roster", args=[two["event_b"].pk])).status_code == 403
    wishes = client.get(reverse("community:wishes")).content.decode()
    assert "湖南想学太极" in wishes and "天平想学书法" not in wishes
    declined = client.post(reverse("community:wish_decline"),
                           {"wish": two["wish_b"].pk, "answer": "不"})  # fmt: skip
    assert declined.status_code == 404
    people = client.get(reverse("community:volunteers")).content.decode()
    assert "湖南志愿者" in people and "天平志愿者甲" not in people
    network = client.get(reverse("community:network_manage")).content.decode()
    assert "社区党群服务中心" in network and "天平社区党群服务中心" not in network
    edit = client.get(reverse("community:position_manage", args=[two["centre_b"].pk]))
    assert edit.status_code == 403
    alliance = client.get(reverse("community:alliance")).content.decode()
    assert "四年级" in alliance and "五年级" not in alliance and "天平戏剧" not in alliance
    step = client.post(reverse("community:alliance_accept"), {"order": two["alliance_b"].pk})
    assert step.status_code == 404
    for row in ("order_b", "wish_b", "alliance_b"):
        two[row].refresh_from_db()
    assert two["order_b"].status == "ordered" and two["wish_b"].status == "new"
    assert two["alliance_b"].status == "ordered"


def test_street_api_lists_only_the_streets_own_rows(client: Client, two: dict[str, Any]) -> None:
    client.force_login(two["officer_b"])
    numbers = [r["number"] for r in client.get(f"{API}/orders/").json()["results"]]
    assert numbers == [two["order_b"].number]
    assert client.get(f"{API}/orders/{two['order_a'].pk}/").status_code == 404
    advance = client.post(f"{API}/orders/{two['order_a'].pk}/advance/", {"step": "accept"})
    assert advance.status_code == 404
    names = [r["name"] for r in client.get(f"{API}/volunteers/").json()["results"]]
    assert names == ["天平志愿者甲"]
    reveal = client.post(f"{API}/volunteers/{two['volunteer_a'].pk}/reveal/", {"purpose": "x"})
    assert reveal.status_code == 404
    alliance = client.get(f"{API}/alliance-orders/").json()["results"]
    assert [r["id"] for r in alliance] == [two["alliance_b"].pk]
    signup = client.post(f"{API}/events/{two['event_a'].pk}/signups/",
                         {"name": "丙", "phone": "13900000009", "channel": "staff"})  # fmt: skip
    assert signup.status_code == 404
    ServiceOrder.objects.filter(pk=two["order_a"].pk, status="ordered").get()


def test_street_services_refuse_the_other_streets_rows(two: dict[str, Any]) -> None:
    actor_a = two["actor_a"]
    with pytest.raises(PermissionDenied):
        services.do_accept_order(actor_a, two["order_b"].pk)
    with pytest.raises(PermissionDenied):
        services.do_decline_wish(actor_a, two["wish_b"], "不")
    with pytest.raises(PermissionDenied):
        services.do_cancel_event(actor_a, two["event_b"], "场地维修")
    with pytest.raises(PermissionDenied):
        services.do_save_position(actor_a, two["centre_b"], {"kind": "centre", "name": "改名",
                                                             "address": "x", "map_x": 1,
                                                             "map_y": 1})  # fmt: skip
    with pytest.raises(NotAllowed):
        services.do_accept_alliance_order(actor_a, two["alliance_b"].pk)
    assert Position.objects.get(pk=two["centre_b"].pk).name == "天平社区党群服务中心"


def test_district_accounts_read_both_streets(two: dict[str, Any]) -> None:
    from linli.core.models import User

    civil = User.objects.create(username="civil", role=Role.DISTRICT_CIVIL,
                                district=two["a"].district)  # fmt: skip
    numbers = set(queries.orders(civil).values_list("number", flat=True))
    assert numbers == {two["order_a"].number, two["order_b"].number}
    assert set(queries.volunteers(civil).values_list("name", flat=True)) == {
        "湖南志愿者", "天平志愿者甲"
    }  # fmt: skip


def test_public_pages_show_one_streets_items(client: Client, two: dict[str, Any]) -> None:
    b = two["b"].pk
    calendar = client.get(reverse("community:calendar"), {"street": b}).content.decode()
    assert "天平晚间一小时" in calendar and "海派音乐沙龙" not in calendar
    network = client.get(reverse("community:network"), {"street": b}).content.decode()
    assert "天平社区党群服务中心" in network and "陕新居民区党群服务站" not in network
    menu = client.get(reverse("community:menu"), {"street": b}).content.decode()
    assert "天平读书会" in menu and "精品党课" not in menu
    both = client.get(reverse("community:calendar")).content.decode()
    assert "天平晚间一小时" in both and "海派音乐沙龙" in both
    screen = client.get(reverse("community:screen_data"), {"street": b}).json()
    assert [e["title"] for e in screen["today"]] == []
    assert {p["name"] for p in screen["network"]} == {"天平社区党群服务中心"}


def test_the_migration_fills_streets_from_committees_and_the_only_street(
    net: dict[str, Any], street: dict[str, Any]
) -> None:
    import importlib

    from django.apps import apps

    fill = importlib.import_module("linli.community.migrations.0003_street").fill_streets
    Position.objects.update(subdistrict=None)
    Volunteer.objects.update(subdistrict=None)
    fill(apps, None)
    a = street["subdistrict"].pk
    assert set(Position.objects.values_list("subdistrict_id", flat=True)) == {a}
    assert VolunteerTeam.objects.get(pk=net["team"].pk).subdistrict_id == a


def test_district_accounts_narrow_the_lists_to_one_street(
    client: Client, two: dict[str, Any]
) -> None:
    from linli.core.models import User

    civil = User.objects.create(username="civil", role=Role.DISTRICT_CIVIL,
                                district=two["a"].district)  # fmt: skip
    client.force_login(civil)
    a, b = two["a"].pk, two["b"].pk
    page = client.get(reverse("community:orders")).content.decode()
    assert 'name="street"' in page and "天平路街道" in page
    only_b = client.get(reverse("community:orders"), {"street": b}).content.decode()
    assert two["order_b"].number in only_b and two["order_a"].number not in only_b
    numbers = [r["number"] for r in client.get(f"{API}/orders/", {"street": a}).json()["results"]]
    assert numbers == [two["order_a"].number]
    names = [r["name"] for r in client.get(f"{API}/volunteers/", {"street": b}).json()["results"]]
    assert names == ["天平志愿者甲"]
    titles = [r["title"] for r in client.get(f"{API}/events/", {"street": b}).json()["results"]]
    assert titles == ["天平晚间一小时"]
    orders = client.get(f"{API}/alliance-orders/", {"street": b}).json()["results"]
    assert [r["id"] for r in orders] == [two["alliance_b"].pk]
    wrong = client.get(f"{API}/orders/", {"street": 999999})
    assert wrong.status_code == 400 and "street" in wrong.json()["fields"]


def test_street_accounts_get_no_street_choice(client: Client, two: dict[str, Any]) -> None:
    client.force_login(two["officer_a"])
    page = client.get(reverse("community:orders"), {"street": two["b"].pk}).content.decode()
    assert 'name="street"' not in page
    assert two["order_a"].number in page and two["order_b"].number not in page


def test_a_wish_left_on_a_streets_page_is_that_streets(client: Client, two: dict[str, Any]) -> None:
    url = f"{reverse('community:wish')}?street={two['b'].pk}"
    sent = client.post(url, {"text": "天平想要自习室", "name": "", "phone": ""})
    assert sent.status_code == 302 and sent["Location"] == url
    wish = Wish.objects.get(text="天平想要自习室")
    assert wish.subdistrict_id == two["b"].pk
    client.force_login(two["officer_b"])
    assert "天平想要自习室" in client.get(reverse("community:wishes")).content.decode()
    client.force_login(two["officer_a"])
    assert "天平想要自习室" not in client.get(reverse("community:wishes")).content.decode()


def test_staff_take_phone_orders_for_their_own_streets_positions_only(two: dict[str, Any]) -> None:
    item = two["centre_b"].menu.get()
    with pytest.raises(PermissionDenied):
        services.do_place_order(
            two["actor_a"], position=two["centre_b"], menu_item=item, requester_kind="resident",
            requester_name="丁", phone="13900000010", channel="phone",
        )  # fmt: skip
    taken = services.do_place_order(
        two["actor_b"], position=two["centre_b"], menu_item=item, requester_kind="resident",
        requester_name="丁", phone="13900000010", channel="phone",
    )  # fmt: skip
    assert taken.subdistrict_id == two["b"].pk


def test_series_of_another_street_are_neither_listed_nor_scheduled(
    client: Client, two: dict[str, Any]
) -> None:
    from datetime import time

    from linli.community.models import Series

    hall_b = two["centre_b"].spaces.get()
    series_b = Series.objects.create(title="天平晚间一小时", space=hall_b, start_time=time(18, 30),
                                     end_time=time(19, 30), capacity=20)  # fmt: skip
    client.force_login(two["officer_a"])
    assert "天平晚间一小时" not in client.get(reverse("community:series")).content.decode()
    day = timezone.localdate().isoformat()
    posted = client.post(reverse("community:series"),
                         {"series": series_b.pk, "first": day, "last": day})  # fmt: skip
    assert posted.status_code == 404
    with pytest.raises(PermissionDenied):
        services.do_schedule_series(two["actor_a"], series_b, timezone.localdate(),
                                    timezone.localdate())  # fmt: skip
    assert not series_b.events.exists()
