"""A small network: the centre with a hall, a residential station in 陕新, a party-mass officer,
an alliance unit and school with partner accounts, and an evening-hour event tomorrow."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from linli.core.context import Actor
from linli.core.roles import Department, Role


def at(day_offset: int, hour: int, minute: int = 0) -> datetime:
    day = timezone.localdate() + timedelta(days=day_offset)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def net(street: dict[str, Any], users: dict[str, Any]) -> dict[str, Any]:
    from linli.community.models import (
        AllianceMember,
        AllianceProject,
        MenuItem,
        Position,
        Space,
        VolunteerTeam,
    )
    from linli.core.models import Organisation, User

    dangqun = User(username="dangqun", role=Role.STREET_STAFF, department=Department.PARTY_MASS)
    dangqun.set_password("pw-for-tests-123")
    dangqun.save()
    centre = Position.objects.create(
        kind="centre", name="社区党群服务中心", address="高邮路7号", map_x=40, map_y=50,
        hours="周一至周日 9:00–20:00", subdistrict=street["subdistrict"],
    )  # fmt: skip
    station = Position.objects.create(
        kind="residential_station", name="陕新居民区党群服务站", address="陕西南路1号",
        parent=centre, committee=street["c1"], subdistrict=street["subdistrict"],
    )  # fmt: skip
    hall = Space.objects.create(position=centre, name="多功能厅", capacity=60, equipment="音响")
    room = Space.objects.create(position=centre, name="会议室", capacity=12)
    lecture = MenuItem.objects.create(
        position=centre, family="party_mass", title="精品党课", audience="党员、居民",
        capacity=40, duration_minutes=60, mode="order",
    )  # fmt: skip
    team = VolunteerTeam.objects.create(
        name="衡复音乐阅读者", position=centre, subdistrict=street["subdistrict"]
    )
    unit_org = Organisation.objects.create(name="上海交响乐团", kind="cultural")
    school_org = Organisation.objects.create(name="高安路第一小学", kind="school")
    other_school_org = Organisation.objects.create(name="湖南路小学", kind="school")
    today = timezone.localdate()
    here = {"joined": today, "subdistrict": street["subdistrict"]}
    unit = AllianceMember.objects.create(organisation=unit_org, kind="unit", **here)
    school = AllianceMember.objects.create(organisation=school_org, kind="school", **here)
    other_school = AllianceMember.objects.create(
        organisation=other_school_org, kind="school", **here
    )
    project = AllianceProject.objects.create(
        unit=unit, category="master", title="大师说乐：走近交响乐", term="2026秋",
        grades="3–5年级", capacity=40,
    )  # fmt: skip
    accounts = {}
    for name, org in (("unit", unit_org), ("school", school_org), ("school2", other_school_org)):
        user = User(username=name, role=Role.PARTNER, organisation=org)
        user.set_password("pw-for-tests-123")
        user.save()
        accounts[f"{name}_user"] = user
    return {
        "centre": centre, "station": station, "hall": hall, "room": room, "lecture": lecture,
        "team": team, "unit": unit, "school": school, "other_school": other_school,
        "project": project, "dangqun": dangqun, "actor": Actor(dangqun, "test"), **accounts,
    }  # fmt: skip


@pytest.fixture
def event(net: dict[str, Any]) -> Any:
    from linli.community import services

    return services.do_create_event(
        net["actor"], title="晚间一小时：海派音乐沙龙", space=net["hall"], starts_at=at(1, 18, 30),
        ends_at=at(1, 19, 30), capacity=3, reserved_offline=1, release_at=at(1, 14),
        partner="徐汇区图书馆",
    )  # fmt: skip
