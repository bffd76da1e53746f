"""The public screens for elderly residents: large type remembered, no timer that destroys what
a person is doing, forms that lead to their errors, and fields that start where people begin."""

from __future__ import annotations

from typing import Any

from .test_a11y import LIMITS, MEASURE

KIOSK = {"width": 1080, "height": 1920}
PHONE = {"width": 390, "height": 844}


def _ticket(state: str = "waiting") -> Any:
    from django.utils import timezone

    from linli.hall.models import Hall, Queue, Window
    from linli.hall.services import do_issue_ticket

    hall = Hall.objects.create(code="A", name="A厅 综合业务受理")
    queue = Queue.objects.create(hall=hall, prefix="A", name="综合业务受理")
    window = Window.objects.create(hall=hall, number=3)
    window.skills.set([queue])
    ticket = do_issue_ticket(queue, now=timezone.now())
    ticket.window = window
    ticket.state = state
    ticket.save()
    return ticket


def _context(browser: Any, server: str, viewport: dict[str, int], **more: Any) -> Any:
    context = browser.new_context(base_url=server, locale="zh-CN", viewport=viewport, **more)
    context.set_default_timeout(10_000)
    return context


def test_status_page_updates_in_place_and_keeps_a_rating_being_typed(
    browser: Any, server: str
) -> None:
    ticket = _ticket("waiting")
    context = _context(browser, server, PHONE, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.clock.install()
    page.goto(f"/hall/t/{ticket.token}/")
    assert page.locator("meta[http-equiv=refresh]").count() == 0
    live = page.locator("#ticket-live")
    assert live.get_attribute("aria-live") == "polite"
    assert "等候中" in live.inner_text()
    page.evaluate("window.stillTheSamePage = true")

    ticket.state = "called"
    ticket.save()
    page.clock.run_for(31_000)
    live.filter(has_text="请到 3 号窗口").wait_for()
    assert page.evaluate("window.stillTheSamePage === true"), "the page reloaded"

    ticket.state = "done"
    ticket.save()
    page.clock.run_for(31_000)
    page.locator("form.rate-form").wait_for()
    assert "已办结" in live.inner_text()
    page.get_by_label("4 ★").check()
    page.locator("input[name=comment]").fill("窗口服务很耐心")
    page.locator("input[name=comment]").focus()
    page.clock.run_for(95_000)  # three more updates while the resident is typing
    assert page.locator("input[name=comment]").input_value() == "窗口服务很耐心"
    assert page.get_by_label("4 ★").is_checked()
    assert page.evaluate("document.activeElement.name") == "comment"
    assert page.evaluate("window.stillTheSamePage === true")
    context.close()


def test_slip_asks_before_returning_to_the_kiosk_and_waits_for_a_touch(
    browser: Any, server: str
) -> None:
    ticket = _ticket("waiting")
    context = _context(browser, server, KIOSK, has_touch=True)
    page = context.new_page()
    page.clock.install()
    page.goto(f"/hall/t/{ticket.token}/slip/")
    assert page.locator("meta[http-equiv=refresh]").count() == 0
    dialog = page.get_by_role("dialog", name="需要更多时间吗？")
    assert not dialog.is_visible()
    page.clock.run_for(46_000)
    # Asked after 45 s. (Checked on the element: a locator's wait polls animation frames,
    # which the installed clock holds still in this chromium.)
    assert dialog.is_visible()
    page.clock.run_for(10 * 60_000)  # nobody answers: the slip stays, the question too
    assert page.url.endswith("/slip/")
    assert dialog.is_visible()
    page.get_by_role("button", name="需要，继续使用").click()
    assert not dialog.is_visible()
    page.clock.run_for(30_000)
    assert not dialog.is_visible()
    page.clock.run_for(60_000)  # asked again once the slip has been left alone a while
    assert dialog.is_visible()
    page.get_by_role("link", name="不需要，返回首页").click()
    page.wait_for_url("**/hall/kiosk/A/")
    context.close()


def test_large_type_switch_on_public_screens_is_remembered_and_sized(
    browser: Any, server: str
) -> None:
    ticket = _ticket("done")
    context = _context(browser, server, KIOSK, has_touch=True)
    page = context.new_page()
    page.goto("/hall/kiosk/A/")
    switch = page.get_by_role("button", name="大字模式")
    assert switch.get_attribute("aria-pressed") == "false"
    assert page.evaluate(MEASURE, LIMITS["normal"]) == []
    switch.click()
    page.wait_for_function("document.documentElement.classList.contains('large-type')")
    assert page.get_by_role("button", name="大字模式").get_attribute("aria-pressed") == "true"
    assert page.evaluate(MEASURE, LIMITS["large"]) == []
    root = "parseFloat(getComputedStyle(document.documentElement).fontSize)"
    assert page.evaluate(root) >= 22
    # Remembered on the other public screens: terminal, board, slip, status, survey-style pages.
    for path in (
        "/hall/terminal/",
        "/hall/terminal/pickup/",
        "/hall/board/A/",
        f"/hall/t/{ticket.token}/slip/",
        f"/hall/t/{ticket.token}/",
        "/elevator/owner/",
        "/elevator/guide/",
        "/community/",
    ):
        page.goto(path)
        assert page.evaluate("document.documentElement.classList.contains('large-type')"), path
        assert page.get_by_role("button", name="大字模式").get_attribute("aria-pressed") == "true"
        assert page.evaluate(MEASURE, LIMITS["large"]) == [], path
    page.get_by_role("button", name="大字模式").click()
    page.wait_for_function("!document.documentElement.classList.contains('large-type')")
    context.close()


def test_terminal_forms_start_in_their_first_field(browser: Any, server: str) -> None:
    context = _context(browser, server, KIOSK, has_touch=True)
    page = context.new_page()
    page.goto("/hall/terminal/query/")
    page.wait_for_function("document.activeElement && document.activeElement.name === 'number'")
    page.goto("/hall/terminal/pickup/")
    page.wait_for_function("document.activeElement && document.activeElement.name === 'code'")
    context.close()


def test_a_rejected_form_leads_to_its_first_error(page: Any, street: Any) -> None:
    page.goto("/elevator/owner/")
    page.get_by_role("button", name="进入").click()
    page.wait_for_load_state()
    focused = page.evaluate(
        "({name: document.activeElement.name, invalid: document.activeElement.getAttribute('aria-invalid'),"
        " described: document.activeElement.getAttribute('aria-describedby')})"
    )
    assert focused["name"] == "code"
    assert focused["invalid"] == "true"
    # Help text and error, both on the page and both named by the field.
    assert focused["described"].split() == ["id_code_helptext", "id_code_error"]
    assert "征询通知" in page.locator("#id_code_helptext").inner_text()
    assert page.locator("#id_code_error").inner_text().strip() != ""
