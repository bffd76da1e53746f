"""A resident swipes an ID card at the kiosk, the clerk calls the ticket, the board shows it."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import log_in

ID_NUMBER = "11010519491231002X"


def _centre(users: dict[str, Any]) -> None:
    from linli.hall.models import Hall, Item, Queue, Window

    hall = Hall.objects.create(code="A", name="A厅 综合业务受理")
    queue = Queue.objects.create(hall=hall, prefix="A", name="综合业务受理")
    Item.objects.create(
        code="SB002", name="社会保障卡申领", category="社会保障", hall=hall, queue=queue
    )
    window = Window.objects.create(hall=hall, number=1)
    window.skills.set([queue])


def test_swipe_call_and_board(
    browser: Any, server: str, users: dict[str, Any], monkeypatch: Any
) -> None:
    from datetime import datetime

    from django.utils import timezone

    from linli.hall import services

    # Business hours are enforced at the kiosk: pin its clock to a Wednesday at 10:00.
    open_moment = timezone.make_aware(datetime(2026, 11, 25, 10, 0))
    monkeypatch.setattr(services, "kiosk_clock", lambda: open_moment)
    services.forget_kiosk_config()  # halls of an earlier test may be cached in this process
    _centre(users)
    board_ctx = browser.new_context(base_url=server, locale="zh-CN")
    board = board_ctx.new_page()
    board.goto("/hall/board/A/")
    board.wait_for_selector("#board-windows")

    kiosk_ctx = browser.new_context(base_url=server, locale="zh-CN")
    kiosk = kiosk_ctx.new_page()
    kiosk.goto("/hall/kiosk/A/")
    kiosk.keyboard.type(ID_NUMBER)  # the reader types into the focused field
    assert kiosk.input_value("#id_number") == ID_NUMBER
    kiosk.get_by_role("button", name="综合业务受理").click()
    kiosk.wait_for_url("**/slip/")
    slip = kiosk.locator(".slip").inner_text()
    assert "A001" in slip and "前面还有 0 人" in slip and "绿色通道" in slip
    assert ID_NUMBER not in kiosk.content() and "19491231" not in kiosk.content()

    clerk_ctx = browser.new_context(base_url=server, locale="zh-CN")
    clerk = clerk_ctx.new_page()
    log_in(clerk, "window_clerk")
    clerk.goto("/hall/window/")
    clerk.get_by_role("button", name="在此窗口上岗").first.click()
    clerk.wait_for_url("**/hall/window/1/?hall=A")  # the window of hall A
    assert "A001" in clerk.locator("table").first.inner_text()
    clerk.get_by_role("button", name="叫下一位").click()
    assert clerk.locator(".window-current .number").inner_text() == "A001"

    # The board refreshes itself (no reload) and shows the call at window 1.
    board.locator("#board-latest", has_text="A001").wait_for(timeout=10_000)
    assert "A001" in board.locator("#board-windows").inner_text()
    assert board.locator("#board-stale").is_hidden()

    kiosk.goto(kiosk.url.replace("slip/", ""))
    assert "请到 1 号窗口" in kiosk.locator(".slip-state").inner_text()

    # The clerk serves the resident and opens a case; the 24-hour terminal finds it.
    clerk.get_by_role("button", name="开始办理").click()
    clerk.get_by_role("button", name="受理", exact=True).click()
    message = clerk.locator(".messages").inner_text()
    assert "已受理办件" in message
    case_number = message.split("已受理办件")[1].split("，")[0].strip()
    clerk.get_by_role("button", name="办结").click()
    terminal = kiosk
    terminal.goto("/hall/terminal/")
    terminal.get_by_role("link", name="自助查询").click()
    terminal.fill("input[name=number]", case_number)
    terminal.fill("#id_number", ID_NUMBER)
    terminal.get_by_role("button", name="查询").click()
    result = terminal.locator(".slip").inner_text()
    assert case_number in result and "社会保障卡申领" in result and "受理" in result
    for ctx in (board_ctx, kiosk_ctx, clerk_ctx):
        ctx.close()


def test_board_flags_stale_data_when_refresh_fails(
    browser: Any, server: str, users: dict[str, Any]
) -> None:
    _centre(users)
    context = browser.new_context(base_url=server, locale="zh-CN")
    board = context.new_page()
    board.goto("/hall/board/A/")
    assert board.locator("#board-stale").is_hidden()
    board.route("**/data.json", lambda route: route.abort())  # the network or server goes away
    board.locator("#board-stale").wait_for(state="visible", timeout=25_000)
    assert "显示数据未更新" in board.locator("#board-stale").inner_text()
    context.close()
