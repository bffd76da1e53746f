"""Browser test of the risk ↔ fire link: an inspector takes a registry fact over as a finding."""

from __future__ import annotations

import re
from typing import Any

from linli.core.context import Actor
from linli.fire.tests import factories
from linli.risk import services
from linli.risk.models import Finding

SHOTS = "/tmp/shots-link"


def test_inspector_accepts_registry_fact_on_phone(
    phone_page: Any, page: Any, login_as: Any, street: Any, users: Any
) -> None:
    safety = users["street_staff"]
    safety.department = "safety"
    safety.save()
    actor = Actor(safety)
    rnd = services.do_create_round(
        actor,
        name="2026 年度",
        method=services.default_version(),
        committees=[street["c1"]],
        samples_per_committee=1,
        seed="browser",
    )
    (sample,) = services.do_draw_round(actor, rnd)
    services.do_assign_inspector(actor, sample, users["inspector"])
    for i in range(3):
        factories.due_extinguisher(street, "1", f"D{i}")
    factories.extinguisher(street, "1", "OK1")

    for p, name in ((page, "desktop"), (phone_page, "phone")):
        login_as(p, "inspector")
        p.goto(f"/risk/samples/{sample.pk}/")
        # The facts sit on the checklist itself, adoptable before the sample is submitted.
        facts = p.locator("#facts")
        assert facts.get_by_text("逾期未送修 3 具").first.is_visible()
        facts.get_by_role("link", name="修改 L 或描述后采纳").first.click()
        p.wait_for_url(re.compile(r"/facts/"))
        p.screenshot(path=f"{SHOTS}/facts-{name}.png", full_page=True)

    p = phone_page
    section = p.locator("section", has_text="XF03")
    section.locator("select[name=likelihood]").select_option("4")
    section.get_by_role("button", name="采纳，记为问题").click()
    p.wait_for_load_state()
    assert p.get_by_text(re.compile("已记为问题：XF03")).is_visible()
    p.screenshot(path=f"{SHOTS}/accepted-phone.png", full_page=True)
    finding = Finding.objects.get(check_item__sample=sample, check_item__code="XF03")
    assert finding.likelihood == 4
