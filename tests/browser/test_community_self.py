"""A volunteer on a phone: log in with the personal code, scan the shift's QR posted at the
place to check in and out, report hours; staff on a desktop edit a position's rooms and menu.

Set ``LINLI_SHOTS=/some/dir`` to keep screenshots of every page for review."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from linli.core.context import Actor
from linli.core.roles import Department, Role

from .conftest import PASSWORD, log_in


def shot(page: Any, name: str) -> None:
    where = os.environ.get("LINLI_SHOTS")
    if where:
        Path(where).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{where}/{name}.png", full_page=True)


@pytest.fixture
def team(users: dict[str, Any], street: dict[str, Any]) -> dict[str, Any]:
    from linli.community import services
    from linli.community.models import MenuItem, Position, Space, VolunteerTeam
    from linli.core.models import User

    dangqun = User(username="dangqun", role=Role.STREET_STAFF, department=Department.PARTY_MASS)
    dangqun.set_password(PASSWORD)
    dangqun.save()
    actor = Actor(dangqun)
    centre = Position.objects.create(
        kind="centre", name="湖南街道社区党群服务中心", address="高邮路7号", hours="9:00–20:00",
        subdistrict=street["subdistrict"],
    )  # fmt: skip
    Space.objects.create(position=centre, name="多功能厅", capacity=60, equipment="音响、投影")
    MenuItem.objects.create(position=centre, family="party_mass", title="精品党课",
                            audience="党员、居民", capacity=40, duration_minutes=60, mode="order")  # fmt: skip
    services.save_position_staff(
        actor, centre, None, name="张敏", duties="接待、政策咨询、活动组织"
    )
    crew = VolunteerTeam.objects.create(
        name="衡复音乐阅读者", position=centre, subdistrict=street["subdistrict"]
    )
    volunteer = services.register_volunteer(actor, crew, "陈志愿", "13900000008")
    code = services.issue_volunteer_code(actor, volunteer)
    now = timezone.now()
    shift = services.create_shift(
        actor, crew, "武康路音乐导览", now - timedelta(minutes=10), now + timedelta(hours=2)
    )
    return {"code": code, "shift": shift, "centre": centre, "dangqun": dangqun}


def test_volunteer_checks_in_and_out_by_the_shift_qr_on_a_phone(
    phone_page: Any, team: dict[str, Any]
) -> None:
    from linli.community.models import HourRecord

    page = phone_page
    # The camera opens the address in the QR code posted at the place.
    page.goto(f"/community/shifts/{team['shift'].token}/")
    page.wait_for_url("**/community/me/login/**")
    shot(page, "volunteer-login-phone")
    page.fill("input[name=code]", team["code"].lower())
    page.fill("input[name=tail]", "0008")
    page.get_by_role("button", name="进入").click()
    page.wait_for_url(f"**/community/shifts/{team['shift'].token}/")
    shot(page, "volunteer-shift-phone")
    page.get_by_role("button", name="签到").click()
    assert "已签到" in page.content()
    page.get_by_role("button", name="签退").click()
    assert "已签退" in page.content()
    record = HourRecord.objects.get()
    assert record.check_out is not None and record.status == "pending"
    page.get_by_role("link", name="我的志愿服务").click()
    page.fill("input[name=h-on]", (timezone.localdate() - timedelta(days=1)).isoformat())
    page.fill("input[name=h-minutes]", "90")
    page.fill("input[name=h-content]", "建筑导览讲解")
    page.get_by_role("button", name="提交队长审核").click()
    assert "已提交，等待队长审核。" in page.content()
    assert HourRecord.objects.filter(source="self", minutes=90).count() == 1
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing overflows the phone's width
    shot(page, "volunteer-home-phone")


def test_staff_edit_a_positions_rooms_and_menu_on_the_desktop(
    page: Any, team: dict[str, Any]
) -> None:
    from linli.community.models import Space

    log_in(page, "dangqun")
    page.goto("/community/network/manage/")
    shot(page, "network-manage-desktop")
    page.get_by_role("link", name="人员·空间·清单").click()
    page.fill("input[name=space-name]", "阅览室")
    page.fill("input[name=space-capacity]", "0")
    page.get_by_role("button", name="保存空间").click()
    assert page.locator("#spaces .errorlist").count() == 1
    page.fill("input[name=space-capacity]", "30")
    page.get_by_role("button", name="保存空间").click()
    assert Space.objects.filter(name="阅览室", capacity=30).exists()
    shot(page, "position-manage-desktop")
    page.goto("/community/series/new/")
    shot(page, "series-form-desktop")


def test_staff_pages_fit_a_phone(phone_page: Any, team: dict[str, Any]) -> None:
    log_in(phone_page, "dangqun")
    phone_page.goto(f"/community/positions/{team['centre'].pk}/manage/")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone_page, "position-manage-phone")
