"""The demo builds the article's network and community life, deterministically and idempotently."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import authenticate

from linli.community.models import (
    AllianceMember,
    AllianceProject,
    Event,
    Position,
    PracticalProject,
    ServiceOrder,
    Signup,
    VolunteerTeam,
)

pytestmark = pytest.mark.django_db


def test_demo_is_the_article_and_rebuilds_identically(db: Any) -> None:
    from linli.community import demo
    from linli.geo import demo as geo_demo

    geo_demo.build(with_residents=False)
    first = demo.build()
    again = demo.build()
    assert first == again
    assert Position.objects.get(kind="centre").address == "高邮路7号"
    assert Position.objects.get(kind="party_school").address == "新乐路70弄"
    assert Position.objects.filter(kind="culture").count() == 1
    assert set(VolunteerTeam.objects.values_list("name", flat=True)) == {
        "衡复音乐阅读者",
        "建筑可阅读",
    }
    assert AllianceMember.objects.filter(kind="unit").count() == 13
    assert AllianceMember.objects.filter(kind="school").count() == 7
    assert set(AllianceProject.objects.values_list("category", flat=True)) == {
        "reading", "listening", "stage_talk", "child_play", "theatre_visit", "drama", "master",
    }  # fmt: skip
    titles = set(PracticalProject.objects.values_list("title", flat=True))
    assert {"颐德坊五扇密码门禁", "新路片区物业管理一体化", "长乐路电力小区加装电梯（社区第一台）",
            "新路老年用餐点"} <= titles  # fmt: skip
    evening = Event.objects.filter(series__title="晚间一小时")
    assert evening.count() == first["evening-hour events"] >= 20
    # Past events have attendance; no event is ever over capacity.
    assert Signup.objects.filter(checked_in_at__isnull=False).exists()
    for e in evening:
        assert e.signups.filter(state="confirmed").count() <= e.capacity
    assert ServiceOrder.objects.filter(status="rated").exists()
    for username in ("dangqun", "school", "arts"):
        assert authenticate(username=username, password=geo_demo.DEMO_PASSWORD) is not None


def test_demo_volunteer_logs_in_with_the_documented_code(db: Any) -> None:
    from linli.community import demo, services
    from linli.geo import demo as geo_demo

    geo_demo.build(with_residents=False)
    demo.build()
    volunteer = services.do_log_in_volunteer(demo.DEMO_VOLUNTEER_CODE, "9100", address="t")
    assert volunteer.teams.get().team.name == "建筑可阅读"
    assert volunteer.certificates.exists()
