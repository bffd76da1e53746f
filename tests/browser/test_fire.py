"""A committee clerk on a phone: the monthly check of an extinguisher takes it off the list."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from PIL import Image

from linli.fire.tests.factories import extinguisher, today


def _photo() -> dict[str, Any]:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), "red").save(buffer, "JPEG")
    return {"name": "check.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def test_clerk_records_a_monthly_check_on_a_phone(
    phone_page: Any, login_as: Any, street: Any
) -> None:
    on = today()
    extinguisher(street, serial="MHQ-LATE", last_inspected=on - timedelta(days=45))
    extinguisher(street, serial="MHQ-FINE", last_inspected=on - timedelta(days=2))
    extinguisher(street, key="2", serial="MHQ-OTHER", last_inspected=on - timedelta(days=45))
    page = login_as(phone_page, "committee_staff")

    page.goto("/fire/")
    with page.expect_navigation():
        page.get_by_role("link", name="巡查到期").first.click()
    assert page.url.endswith("/fire/due/?list=inspection")
    rows = page.locator("table.due-list tbody tr[data-serial]")
    assert rows.count() == 1  # not the fine unit, not the other committee's
    row = page.locator("tr[data-serial=MHQ-LATE]")
    assert "逾期" in row.inner_text()
    # The table stacks on a phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    with page.expect_navigation():
        row.get_by_role("link", name="登记").click()
    page.wait_for_selector("form.record-form")
    assert page.locator("#id_kind").input_value() == "inspection"
    assert page.locator("#id_done_on").input_value() == on.isoformat()
    page.select_option("#id_gauge", "green")
    page.set_input_files("#id_photo", _photo())
    with page.expect_navigation():
        page.get_by_role("button", name="保存记录").click()
    assert "/fire/due/?list=inspection" in page.url  # back on the list it came from
    assert "记录已保存" in page.locator(".messages").inner_text()
    assert page.locator("tr[data-serial=MHQ-LATE]").count() == 0
    assert "没有到期的灭火器" in page.locator("table.due-list").inner_text()
