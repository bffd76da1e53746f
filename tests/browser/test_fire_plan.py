"""Browser test of the batch plan: the safety office saves and issues it, the maintenance
partner records the work on a phone, the office sees the progress; the coverage gap map."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from typing import Any

from PIL import Image

from linli.core.models import Organisation, User
from linli.fire.models import Station, WorkPlanItem
from linli.fire.tests.factories import due_extinguisher, extinguisher
from tests.browser.conftest import PASSWORD, log_in


def _photo() -> dict[str, Any]:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), "green").save(buffer, "JPEG")
    return {"name": "done.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def _shot(page: Any, request: Any, name: str) -> None:
    out = request.config.rootpath / "test-results"
    out.mkdir(exist_ok=True)
    page.screenshot(path=str(out / f"{name}.png"), full_page=True)


def test_plan_saved_issued_done_and_tracked(
    page: Any, phone_page: Any, login_as: Any, street: Any, users: Any, request: Any
) -> None:
    contractor = Organisation.objects.create(name="申安消防维保", kind="contractor")
    worker = User(username="weibao", role="partner", organisation=contractor)
    worker.set_password(PASSWORD)
    worker.save()
    for i in range(2):
        due_extinguisher(street, serial=f"PLAN-{i}")
    extinguisher(street, serial="FINE-1")

    # The committee clerk saves the batch plan and issues it.
    office = login_as(page, "committee_staff")
    office.goto("/fire/batches/")
    office.fill("input[name=name]", "十二月送修")
    with office.expect_navigation():
        office.get_by_role("button", name="保存为计划").click()
    assert "计划“十二月送修”已保存，共 2 具灭火器" in office.locator(".messages").inner_text()
    office.select_option("#id_partner", label="申安消防维保")
    with office.expect_navigation():
        office.get_by_role("button", name="下发").click()
    assert "计划已下发给申安消防维保" in office.locator(".messages").inner_text()
    plan_url = office.url
    _shot(office, request, "fire-plan-issued-1280")

    # The partner, on a phone: the plan is in its work list; it records one unit done.
    p = phone_page
    log_in(p, "weibao")
    p.goto("/fire/")
    with p.expect_navigation():
        p.get_by_role("link", name="十二月送修").first.click()
    assert p.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(p, request, "fire-plan-partner-390")
    with p.expect_navigation():
        p.locator("tr[data-serial=PLAN-0]").get_by_role("link", name="登记完成").click()
    assert p.locator("#id_kind").input_value() == "maintenance"
    p.select_option("#id_gauge", "green")
    p.fill("#id_note", "已送修充装")
    p.set_input_files("#id_photo", _photo())
    with p.expect_navigation():
        p.get_by_role("button", name="保存记录").click()
    assert p.url == plan_url  # back on the plan
    row = p.locator("tr[data-serial=PLAN-0]")
    assert "完成" in row.inner_text() and "已送修充装" in row.inner_text()
    assert WorkPlanItem.objects.filter(done_on__isnull=False).count() == 1

    # The office sees the progress on the list.
    office.goto("/fire/plans/")
    progress = office.locator("table.plans tbody tr").first.inner_text()
    assert "已完成 1 / 2" in progress
    assert re.search(r"⚠\s*1", progress)  # the other unit is overdue and open
    _shot(office, request, "fire-plans-1280")


def test_coverage_gap_map(page: Any, phone_page: Any, login_as: Any, street: Any,
                          request: Any) -> None:  # fmt: skip
    b1, b2 = street["building1"], street["building2"]
    b1.lon, b1.lat = Decimal("121.447000"), Decimal("31.214000")
    b2.lon, b2.lat = Decimal("121.452000"), Decimal("31.220000")
    b1.save()
    b2.save()
    Station.objects.create(
        committee=street["c1"], name="一号站", lon=Decimal("121.447500"), lat=Decimal("31.214500")
    )
    extinguisher(street, serial="E-B1")
    for p, width in ((page, 1280), (phone_page, 390)):
        login_as(p, "street_admin")
        p.goto("/fire/coverage/")
        assert p.locator(".gap-map svg circle.b").count() == 2
        assert p.locator(".gap-map svg circle.gap-out_of_reach").count() == 1
        assert p.locator(".gap-map .reach").count() == 1
        assert p.evaluate("document.documentElement.scrollWidth") <= width
        _shot(p, request, f"fire-coverage-{width}")
