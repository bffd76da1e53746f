"""What staff see of notices: the bell's count, the inbox, opening a notice, the opt-out page."""

from __future__ import annotations

from typing import Any

from linli.core.models import AuditRecord
from linli.notices import services
from linli.notices.models import OptOut


def test_the_bell_leads_to_the_inbox_and_opening_a_notice_clears_it(
    page: Any, login_as: Any, users: Any
) -> None:
    me = users["committee_staff"]
    services.do_send_notice(
        "risk.hazard_due",
        {"hazard": "长乐路100弄楼道堆物", "due": "12月5日", "url": "/notices/opt-outs/"},
        key="hz:1",
        user=me,
    )
    services.do_send_notice("jobs.done", {"job": "居民名单导出"}, key="job:1", user=me)
    services.do_send_notice("jobs.done", {"job": "别人的任务"}, key="job:2", user=users["partner"])
    login_as(page, "committee_staff")
    bell = page.locator("a.bell")
    assert bell.locator(".bell-count").inner_text() == "2"
    bell.click()
    page.wait_for_url("**/notices/")
    items = page.locator(".notice-item")
    assert items.count() == 2
    assert "别人的任务" not in page.content()
    items.filter(has_text="长乐路100弄楼道堆物").get_by_role("button", name="查看").click()
    page.wait_for_url("**/notices/opt-outs/")  # the link the notice carried
    assert page.locator("a.bell .bell-count").inner_text() == "1"
    page.goto("/notices/")
    page.get_by_role("button", name="全部标为已读").click()
    page.wait_for_url("**/notices/")
    assert page.locator("a.bell .bell-count").count() == 0
    assert page.locator(".notice-item.unread").count() == 0


def test_a_window_clerk_records_an_opt_out_on_a_phone(
    phone_page: Any, login_as: Any, users: Any
) -> None:
    page = login_as(phone_page, "window_clerk")
    page.goto("/notices/opt-outs/")
    page.fill("input[name=phone]", "139 1234 5678")
    page.fill("input[name=note]", "居民本人到窗口申请")
    page.get_by_role("button", name="登记退订").click()
    page.wait_for_url("**/notices/opt-outs/")
    assert "已登记：139****5678 不再接收短信通知。" in page.content()
    assert "13912345678" not in page.content()
    assert OptOut.objects.get().phone_masked == "139****5678"
    assert AuditRecord.objects.filter(action="notices.optout.create").count() == 1
