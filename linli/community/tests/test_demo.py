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


def test_another_street_gets_a_centre_and_activities_of_its_own(db: Any) -> None:
    from django.utils import timezone

    from linli.community import demo, queries
    from linli.core.models import User
    from linli.geo import demo as geo_demo
    from linli.geo.models import Committee, Subdistrict

    geo_demo.build(with_residents=False)
    demo.build()
    home = geo_demo.home_street()
    assert home is not None
    other = Subdistrict.objects.create(code="T1", name="天平路街道", district=home.district)
    made = demo.build_street_presence(other)
    assert made == {"positions": 1, "events": 3}
    assert demo.build_street_presence(other) == {"positions": 0, "events": 0}
    centre = Position.objects.get(name="天平路街道社区党群服务中心")
    assert centre.subdistrict_id == other.pk
    events = Event.objects.filter(subdistrict=other)
    assert events.count() == 3
    today = timezone.localdate()
    assert [e.title for e in events if timezone.localtime(e.starts_at).date() == today] == [
        "晚间一小时：社区合唱排练"
    ]
    office = User.objects.get(username="dangqun_T1")
    assert office.check_password(demo.DEMO_PASSWORD)
    # The street's office reads its own activities; the home street's office does not.
    assert set(queries.events_in_scope(office).values_list("subdistrict_id", flat=True)) == {
        other.pk
    }
    home_office = User.objects.get(username="dangqun")
    assert not queries.events_in_scope(home_office).filter(subdistrict=other).exists()
    on_calendar = {e.title for e in queries.calendar(today, 7, other.pk)}
    assert on_calendar == {title for title, *_rest in demo.STREET_ACTIVITIES}
    # The district build adds every other street with committees (T1 has none), once.
    third = Subdistrict.objects.create(code="T2", name="枫林路街道", district=home.district)
    Committee.objects.create(subdistrict=third, code="FL01", name="枫林居委")
    assert demo.build_district() == {"streets": 1, "positions": 1, "events": 3}
    assert demo.build_district() == {"streets": 1, "positions": 0, "events": 0}
