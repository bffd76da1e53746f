"""Names unique per street: every street has its 社区党群服务中心, its 晚间一小时 and its
平安志愿者队, so a second street may use a name the first uses, while one street repeating its
own name gets an error naming the field and nothing is written."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from linli.community import services
from linli.community.errors import Duplicate
from linli.community.models import Position, PracticalProject, Series, Space, VolunteerTeam
from linli.core.context import Actor
from linli.core.models import AuditRecord
from linli.core.roles import Department, Role


@pytest.fixture
def b(net: dict[str, Any], street: dict[str, Any]) -> dict[str, Any]:
    """Street B beside the ``net`` street (A), with its party-mass officer."""
    from linli.core.models import User
    from linli.geo.models import Committee, Subdistrict

    a = street["subdistrict"]
    net["dangqun"].subdistrict = a
    net["dangqun"].save()
    sub = Subdistrict.objects.create(code="S2", name="天平路街道", district=a.district)
    committee = Committee.objects.create(subdistrict=sub, code="TP01", name="天平居委")
    officer = User(username="dangqun_b", role=Role.STREET_STAFF,
                   department=Department.PARTY_MASS, subdistrict=sub)  # fmt: skip
    officer.set_password("pw-for-tests-123")
    officer.save()
    return {"street": sub, "committee": committee, "officer": officer,
            "actor": Actor(officer, "t")}  # fmt: skip


def _centre(name: str = "社区党群服务中心") -> dict[str, Any]:
    return {"kind": "centre", "name": name, "address": "天平路1号", "map_x": 50, "map_y": 50}


def test_two_streets_each_have_a_centre_of_the_same_name(
    net: dict[str, Any], b: dict[str, Any]
) -> None:
    assert net["centre"].name == "社区党群服务中心"
    centre_b = services.do_save_position(b["actor"], None, _centre())
    assert centre_b.subdistrict_id == b["street"].pk
    assert Position.objects.filter(name="社区党群服务中心").count() == 2


def test_a_street_repeating_a_position_name_gets_a_field_error(
    net: dict[str, Any], b: dict[str, Any]
) -> None:
    services.do_save_position(b["actor"], None, _centre())
    audits = AuditRecord.objects.count()
    with pytest.raises(Duplicate) as caught:
        services.do_save_position(b["actor"], None, {**_centre(), "kind": "culture"})
    assert caught.value.field == "name"
    assert "本街道已有同名阵地" in caught.value.message
    assert Position.objects.filter(subdistrict=b["street"]).count() == 1
    assert AuditRecord.objects.count() == audits


def test_position_form_names_the_field_of_a_repeated_name(
    client: Client, net: dict[str, Any], b: dict[str, Any]
) -> None:
    services.do_save_position(b["actor"], None, _centre())
    client.force_login(b["officer"])
    post = {**_centre(), "kind": "culture", "sort": 0}
    page = client.post(reverse("community:position_new"), post)
    assert page.status_code == 200
    assert page.context["form"].errors["name"] == ["本街道已有同名阵地。"]
    assert Position.objects.filter(subdistrict=b["street"]).count() == 1


def test_rows_without_a_street_keep_their_names_apart(net: dict[str, Any]) -> None:
    Position.objects.create(kind="centre", name="老阵地", address="一号", map_x=1, map_y=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Position.objects.create(kind="culture", name="老阵地", address="二号", map_x=1, map_y=1)


def test_volunteer_team_names_are_unique_per_street(net: dict[str, Any], b: dict[str, Any]) -> None:
    a = net["team"].subdistrict
    VolunteerTeam.objects.create(name="平安志愿者队", subdistrict=a)
    VolunteerTeam.objects.create(name="平安志愿者队", subdistrict=b["street"])
    with pytest.raises(IntegrityError), transaction.atomic():
        VolunteerTeam.objects.create(name="平安志愿者队", subdistrict=b["street"])
    assert VolunteerTeam.objects.filter(name="平安志愿者队").count() == 2


def _series(space: Space, **over: Any) -> dict[str, Any]:
    data = {
        "title": "晚间一小时", "space": space, "weekdays": "1,2,3,4,5",
        "start_time": time(18, 30), "end_time": time(19, 30), "capacity": 10,
        "reserved_offline": 0, "release_hours": 4, "partners": "", "audience": "居民",
    }  # fmt: skip
    data.update(over)
    return data


def test_series_titles_are_unique_per_street(net: dict[str, Any], b: dict[str, Any]) -> None:
    services.do_save_series(net["actor"], None, _series(net["hall"]))
    centre_b = services.do_save_position(b["actor"], None, _centre())
    hall_b = services.do_save_space(b["actor"], centre_b, None, name="多功能厅", capacity=40)
    room_b = services.do_save_space(b["actor"], centre_b, None, name="会议室", capacity=12)
    mine = services.do_save_series(b["actor"], None, _series(hall_b))
    assert Series.objects.filter(title="晚间一小时").count() == 2
    with pytest.raises(Duplicate) as caught:
        services.do_save_series(b["actor"], None, _series(room_b))
    assert caught.value.field == "title"
    assert Series.objects.filter(title="晚间一小时").count() == 2
    # Saving a series again under its own title is no clash.
    services.do_save_series(b["actor"], mine, _series(room_b, capacity=12))
    mine.refresh_from_db()
    assert mine.space_id == room_b.pk


def _project(committee: Any, **over: Any) -> PracticalProject:
    fields = {
        "title": "老年助餐点", "kind": "dining", "committee": committee, "place": "一号",
        "owner": "党总支", "resident_fen": 0, "subsidy_fen": 100_00, "budget_fen": 100_00,
    }  # fmt: skip
    fields.update(over)
    return PracticalProject(**fields)


def test_practical_project_titles_are_unique_per_street(
    net: dict[str, Any], street: dict[str, Any], b: dict[str, Any]
) -> None:
    services.do_save_project(net["actor"], _project(street["c1"]))
    services.do_save_project(b["actor"], _project(b["committee"]))
    audits = AuditRecord.objects.count()
    with pytest.raises(Duplicate) as caught:
        services.do_save_project(net["actor"], _project(street["c2"]))
    assert caught.value.field == "title"
    assert PracticalProject.objects.filter(title="老年助餐点").count() == 2
    assert AuditRecord.objects.count() == audits


def test_project_form_names_the_field_of_a_repeated_title(
    client: Client, net: dict[str, Any], street: dict[str, Any]
) -> None:
    services.do_save_project(net["actor"], _project(street["c1"]))
    client.force_login(net["dangqun"])
    post = {
        "title": "老年助餐点", "kind": "dining", "committee": street["c2"].pk, "place": "二号",
        "owner": "党总支", "resident": 0, "subsidy": 100, "other": 0, "budget": 100,
        "beneficiaries": 0, "status": "planned",
    }  # fmt: skip
    page = client.post(reverse("community:project_new"), post)
    assert page.status_code == 200
    assert page.context["form"].errors["title"] == ["本街道已有同名实事项目。"]
    assert PracticalProject.objects.filter(title="老年助餐点").count() == 1
