"""Each role's day in the browser (issue #15): the window's item search, the back office, and a
screenshot of every page of every role at both sizes.

The screenshots are the run's artefact, never committed: ``test-results/screens/`` (ignored by
git) or the folder named by ``LINLI_SCREENS``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from tests.browser.conftest import DESKTOP, PHONE, log_in

ID_NUMBER = "11010519491231002X"
SCREENS = Path(os.environ.get("LINLI_SCREENS") or "test-results/screens")


def _centre(users: dict[str, Any]) -> dict[str, Any]:
    from linli.hall.models import Hall, Item, Queue, Window

    hall = Hall.objects.create(code="A", name="A厅 综合业务受理")
    queue = Queue.objects.create(hall=hall, prefix="A", name="综合业务受理")
    Queue.objects.create(hall=hall, prefix="Z", name="中台", is_backoffice=True)
    for code, name, pinyin in [
        ("SB002", "社会保障卡申领", "shbzksl"),
        ("GA001", "居住证办理", "jzzbl"),
        ("CJ001", "残疾人证新办", "cjrzxb"),
    ]:
        Item.objects.create(
            code=code, name=name, pinyin=pinyin, category="综合", hall=hall, queue=queue,
            materials=[{"situation": "本人办理", "materials": ["居民身份证", "户口簿"]}],
        )  # fmt: skip
    window = Window.objects.create(hall=hall, number=1, clerk=users["window_clerk"])
    window.skills.set([queue])
    return {"queue": queue, "window": window}


def _serving(users: dict[str, Any], centre: dict[str, Any]) -> Any:
    from linli.core.context import Actor
    from linli.hall import services

    clerk = Actor(users["window_clerk"], "test")
    services.do_issue_ticket(centre["queue"], ID_NUMBER)
    ticket = services.do_call_next_ticket(clerk, centre["window"])
    return services.do_start_ticket(clerk, ticket)


def test_window_finds_an_item_by_pinyin_and_escalates_to_the_back_office(
    browser: Any, server: str, users: dict[str, Any]
) -> None:
    centre = _centre(users)
    _serving(users, centre)
    clerk_ctx = browser.new_context(base_url=server, locale="zh-CN", viewport=DESKTOP)
    clerk = clerk_ctx.new_page()
    log_in(clerk, "window_clerk")
    assert clerk.url.endswith("/hall/window/1/?hall=A")  # lands on their window, not the dashboard
    clerk.fill("#item-filter", "jzz")
    assert clerk.locator("#item-select").evaluate("s => s.selectedOptions[0].text") == "居住证办理"
    assert clerk.locator("#item-filter-count").inner_text() == "找到 1 项"
    clerk.get_by_role("button", name="受理", exact=True).click()
    assert "已受理办件" in clerk.locator(".messages").inner_text()
    case_number = clerk.locator(".window-current a[href*='/hall/cases/']").inner_text()
    clerk.fill("input[name=reason][required]", "户籍地址需中台核验")
    clerk.get_by_role("button", name="转中台").click()
    assert "A001 已转中台" in clerk.locator(".messages").inner_text()

    office_ctx = browser.new_context(base_url=server, locale="zh-CN", viewport=PHONE)
    office = office_ctx.new_page()
    log_in(office, "backoffice_clerk")
    assert office.url.endswith("/hall/backoffice/")
    card = office.locator(".backoffice-ticket")
    text = card.inner_text()
    assert "户籍地址需中台核验" in text and case_number in text and "居民身份证、户口簿" in text
    office.fill("input[name=note]", "已核验，由中台办结")
    office.get_by_role("button", name="中台直接办结").click()
    assert "A001 已由中台办结" in office.locator(".messages").inner_text()
    assert office.locator(".backoffice-ticket").count() == 0
    office.goto(f"/hall/cases/{case_number}/")
    assert "居住证办理" in office.locator("h1 + .lead").inner_text()
    for ctx in (clerk_ctx, office_ctx):
        ctx.close()


ROLES = [
    "street_admin", "street_staff", "committee_staff", "inspector", "window_clerk",
    "backoffice_clerk", "partner", "auditor",
]  # fmt: skip
PUBLIC = ["/hall/kiosk/A/", "/hall/board/A/", "/hall/terminal/", "/elevator/owner/", "/community/"]


def _shoot(page: Any, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


def test_screens_of_every_page_of_every_role(
    browser: Any, server: str, users: dict[str, Any]
) -> None:
    """Log in as each role, open its landing page and every page its menu offers, at 1280 and
    390 px; no page may fail. Public pages too. The pictures are for people to look at."""
    from linli.core.accounts import needs_two_factor
    from linli.core.testing import enrol_totp

    _centre(users)
    failures = []
    taken = 0
    for size, viewport in (("1280", DESKTOP), ("390", PHONE)):
        for role in [*ROLES, ""]:
            context = browser.new_context(base_url=server, locale="zh-CN", viewport=viewport)
            page = context.new_page()
            if role:
                if needs_two_factor(users[role]):
                    enrol_totp(users[role])  # its codes are computed by log_in
                log_in(page, role)
                links = page.eval_on_selector_all(
                    "header nav a[href^='/']", "as => as.map(a => a.getAttribute('href'))"
                )
                paths = [page.url.removeprefix(server), *dict.fromkeys(links)]
            else:
                paths = PUBLIC
            for path in paths:
                response = page.goto(path)
                status = response.status if response is not None else 0
                if status >= 500 or status == 404:
                    failures.append(f"{role or 'public'} {path} {status}")
                name = re.sub(r"[^\w]+", "_", f"{role or 'public'}{path}").strip("_")
                _shoot(page, f"{name}-{size}")
                taken += 1
            context.close()
    assert not failures
    assert taken >= 2 * (len(ROLES) + len(PUBLIC))
