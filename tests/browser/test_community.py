"""Community life on a phone: a resident signs up for the evening hour, staff check them in by
the ticket's QR code and the attendance appears; a school orders an alliance project and the
cultural unit accepts it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from linli.core.context import Actor
from linli.core.roles import Department, Role

from .conftest import PASSWORD, PHONE, TIMEOUT_MS, log_in


@pytest.fixture
def evening(users: dict[str, Any], street: dict[str, Any]) -> dict[str, Any]:
    from linli.community import services
    from linli.community.models import Position, Space
    from linli.core.models import User

    dangqun = User(username="dangqun", role=Role.STREET_STAFF, department=Department.PARTY_MASS)
    dangqun.set_password(PASSWORD)
    dangqun.save()
    centre = Position.objects.create(
        kind="centre", name="湖南街道社区党群服务中心", address="高邮路7号",
        subdistrict=street["subdistrict"],
    )  # fmt: skip
    hall = Space.objects.create(position=centre, name="多功能厅", capacity=60)
    # Starts in 40 minutes: sign-up is still open and the door (an hour before) is already open.
    start = timezone.now() + timedelta(minutes=40)
    event = services.create_event(
        Actor(dangqun), title="晚间一小时 · 海派音乐沙龙", space=hall, starts_at=start,
        ends_at=start + timedelta(hours=1), capacity=30, reserved_offline=4,
        release_at=start - timedelta(hours=4), partner="永乐股份",
    )  # fmt: skip
    return {"event": event, "dangqun": dangqun}


def test_resident_signs_up_on_a_phone_and_staff_check_in_by_qr(
    phone_page: Any, browser: Any, server: str, evening: dict[str, Any]
) -> None:
    resident = phone_page
    resident.goto("/community/calendar/")
    resident.get_by_role("link", name="晚间一小时 · 海派音乐沙龙").click()
    resident.fill("input[name=name]", "王秀英")
    resident.fill("input[name=phone]", "139 0000 1234")
    resident.get_by_role("button", name="报名").click()
    resident.wait_for_url("**/community/ticket/**")
    assert resident.locator("#ticket-state").inner_text().startswith("报名成功")
    assert resident.locator(".cm-qr svg").count() == 1
    assert "139****1234" in resident.content()
    checkin_url = resident.locator(".cm-qr").get_attribute("data-checkin-url")
    assert checkin_url and "/community/checkin/" in checkin_url

    # Staff at the door scan the QR code with a phone: the camera opens the encoded address.
    context = browser.new_context(base_url=server, locale="zh-CN", viewport=PHONE, is_mobile=True,
                                  has_touch=True)  # fmt: skip
    context.set_default_timeout(TIMEOUT_MS)
    staff = context.new_page()
    try:
        log_in(staff, "dangqun")
        staff.goto(checkin_url)
        assert "王秀英" in staff.locator(".cm-big-name").inner_text()
        staff.get_by_role("button", name="确认签到").click()
        assert staff.locator("#checkin-state").inner_text().startswith("已签到")
        staff.get_by_role("link", name="名单与出席").click()
        assert staff.locator("#n-attended").inner_text() == "1"
        assert staff.locator("#attendance-rate").inner_text() == "100%"
    finally:
        context.close()
    resident.reload()
    assert "已签到" in resident.locator("#ticket-state").inner_text()


@pytest.fixture
def alliance(users: dict[str, Any], street: dict[str, Any]) -> dict[str, Any]:
    from linli.community.models import AllianceMember, AllianceProject
    from linli.core.models import Organisation, User

    today = timezone.localdate()
    made = {}
    for username, name, kind in (
        ("school", "高安路第一小学", "school"),
        ("arts", "上海交响乐团", "unit"),
    ):
        org = Organisation.objects.create(
            name=name, kind="school" if kind == "school" else "cultural"
        )
        made[kind] = AllianceMember.objects.create(
            organisation=org, kind=kind, joined=today, subdistrict=street["subdistrict"]
        )
        user = User(username=username, role=Role.PARTNER, organisation=org)
        user.set_password(PASSWORD)
        user.save()
    project = AllianceProject.objects.create(
        unit=made["unit"], category="master", title="大师说乐：走近交响乐", term="2026秋",
        grades="3–9年级", capacity=60,
    )  # fmt: skip
    return {"project": project}


def test_school_orders_and_the_unit_accepts(
    phone_page: Any, browser: Any, server: str, alliance: dict[str, Any]
) -> None:
    school = phone_page
    log_in(school, "school")
    school.goto("/community/alliance/")
    school.select_option("select[name=project]", str(alliance["project"].pk))
    school.fill("input[name=students]", "45")
    school.fill("input[name=grade]", "四年级")
    school.locator("#alliance-order button[type=submit]").click()
    school.wait_for_url("**/community/alliance/")
    row = school.locator("#alliance-orders tbody tr").first
    assert "大师说乐：走近交响乐" in row.inner_text()
    assert "已下单" in row.locator(".cm-status").inner_text()

    context = browser.new_context(base_url=server, locale="zh-CN", viewport=PHONE, is_mobile=True,
                                  has_touch=True)  # fmt: skip
    context.set_default_timeout(TIMEOUT_MS)
    unit = context.new_page()
    try:
        log_in(unit, "arts")
        unit.goto("/community/alliance/")
        unit_row = unit.locator("#alliance-orders tbody tr").first
        assert "高安路第一小学" in unit_row.inner_text()
        unit_row.get_by_role("button", name="接单").click()
        unit.wait_for_url("**/community/alliance/")
        assert "已接单" in unit.locator("#alliance-orders tbody tr .cm-status").first.inner_text()
    finally:
        context.close()
    school.reload()
    assert "已接单" in school.locator("#alliance-orders tbody tr .cm-status").first.inner_text()
