"""Browser test of the street picture: after a one-committee recheck the risk home page still
shows every committee's latest grade, with the recheck beside the map (desktop and phone)."""

from __future__ import annotations

from typing import Any

from linli.core.context import Actor
from linli.risk import services
from linli.risk.models import Round
from linli.risk.tests.conftest import fill


def _round(actor: Actor, name: str, committees: list[Any], inspector: Any) -> Round:
    rnd = services.do_create_round(
        actor,
        name=name,
        method=services.default_version(),
        committees=committees,
        samples_per_committee=1,
        seed=name,
    )
    for sample in services.do_draw_round(actor, rnd):
        services.do_assign_inspector(actor, sample, inspector)
    return rnd


def _submit(rnd: Round, inspector: Any, findings: dict[str, list[int]]) -> None:
    for sample in rnd.samples.all():
        fill(sample, inspector, findings)
        services.do_submit_sample(Actor(inspector), sample)


def test_recheck_beside_the_street_picture(
    page: Any, phone_page: Any, login_as: Any, street: Any, users: Any, request: Any
) -> None:
    safety = users["street_staff"]
    safety.department = "safety"
    safety.save()
    actor, inspector = Actor(safety), users["inspector"]
    full = _round(actor, "2026 年度", [street["c1"], street["c2"]], inspector)
    _submit(full, inspector, {"XF01": [5], "RQ02": [5], "DQ02": [5], "HJ02": [5]})
    recheck = _round(actor, "2026 复查", [street["c1"]], inspector)
    _submit(recheck, inspector, {})

    out = request.config.rootpath / "test-results"
    out.mkdir(exist_ok=True)
    for p, width in ((page, 1280), (phone_page, 390)):
        login_as(p, "street_admin")
        p.goto("/risk/")
        tiles = p.locator("svg.risk-map rect")
        assert tiles.count() == 2  # both committees, not just the rechecked one
        panel = p.locator("section.recheck")
        assert panel.is_visible() and "陕新居委" in panel.inner_text()
        assert "2026 年度" in p.locator(".committee-list").inner_text()
        assert p.evaluate("document.documentElement.scrollWidth") <= width
        p.screenshot(path=str(out / f"risk-picture-{width}.png"), full_page=True)
