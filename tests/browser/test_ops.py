"""The street operations screen on a 1920×1080 wall: it fits without scrolling, a figure changes
without a reload when the data does, and a failing update is flagged as stale."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from tests.browser.conftest import log_in

WALL = {"width": 1920, "height": 1080}


def _waiting(queue: Any, seq: int) -> None:
    from django.utils import timezone

    from linli.hall.models import Ticket

    Ticket.objects.create(
        queue=queue, day=timezone.localdate(), seq=seq, number=f"A{seq:03d}",
        token=uuid.uuid4().hex, source="anonymous", state="waiting",
        issued_at=timezone.now() - timedelta(minutes=25),
    )  # fmt: skip


def _figure(page: Any, panel: str, key: str) -> str:
    text: str = page.locator(
        f'.ops-panel[data-key="{panel}"] .ops-fig[data-key="{key}"] .ops-value'
    ).inner_text()
    return text


def test_the_wall_updates_without_reloading_and_flags_stale_data(
    browser: Any, server: str, users: dict[str, Any], monkeypatch: Any, request: Any
) -> None:
    from linli.dashboard import ops_views
    from linli.hall.models import Hall, Queue, Window

    monkeypatch.setattr(ops_views, "POLL_SECONDS", 5)  # the wall's 20 s, shortened for the test
    hall = Hall.objects.create(code="A", name="A厅 综合业务受理")
    queue = Queue.objects.create(hall=hall, prefix="A", name="综合业务受理")
    Window.objects.create(hall=hall, number=1, clerk=users["window_clerk"])
    _waiting(queue, 1)

    context = browser.new_context(base_url=server, locale="zh-CN", viewport=WALL)
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        log_in(page, "street_staff")
        page.goto("/ops/")
        assert page.locator("h1").inner_text().startswith("湖南路街道")
        assert _figure(page, "hall", "waiting") == "1"
        # One screen: nothing to scroll on the wall.
        size = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
        )
        assert size[0] <= WALL["width"] and size[1] <= WALL["height"], size
        # Every panel fits inside the grid (no panel pushed below the screen).
        bottoms = page.eval_on_selector_all(
            ".ops-panel", "els => els.map(e => e.getBoundingClientRect().bottom)"
        )
        assert len(bottoms) == 6 and max(bottoms) <= WALL["height"], bottoms
        out = request.config.rootpath / "test-results"
        out.mkdir(exist_ok=True)
        page.screenshot(path=str(out / "ops-wall-1920x1080.png"))

        page.evaluate("window.notReloaded = true")
        _waiting(queue, 2)
        _waiting(queue, 3)
        page.locator(
            '.ops-panel[data-key="hall"] .ops-fig[data-key="waiting"] .ops-value', has_text="3"
        ).wait_for(timeout=15_000)
        assert page.evaluate("window.notReloaded") is True
        assert page.locator("#ops-stale").is_hidden()
        assert (
            "A 综合业务受理：3 人等候" in page.locator('.ops-panel[data-key="hall"]').inner_text()
        )

        # The network fails: after three missed polls the wall says its figures are old.
        page.route("**/ops/data/**", lambda route: route.abort())
        page.locator("#ops-stale").wait_for(state="visible", timeout=30_000)
        assert "数据未能更新" in page.locator("#ops-stale").inner_text()
        page.screenshot(path=str(out / "ops-wall-stale-1920x1080.png"))
        page.unroute("**/ops/data/**")
        page.locator("#ops-stale").wait_for(state="hidden", timeout=15_000)
    finally:
        context.close()
