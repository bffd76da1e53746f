"""Lift consent vote: staff enter a paper ballot, the owner confirms it online, the tally updates."""

from __future__ import annotations

from typing import Any

import pytest

from linli.core.context import Actor
from tests.browser.lifts import lane_building, owner_number


@pytest.fixture
def vote(street: dict[str, Any], users: dict[str, Any]) -> dict[str, Any]:
    from linli.elevator import services
    from linli.elevator.models import Project

    building = lane_building(street)
    actor = Actor(users["street_admin"], "test")
    project = services.do_save_project(actor, Project(building=building, name="陕新新村3号楼加梯"))
    services.do_build_roll(actor, project)
    v = services.do_open_vote(actor, project, "building", "SH-801-building", project.created.date())
    codes = {o.name: code for o, code in services.do_issue_codes(actor, project)}
    owner = project.owners.get(name="业主302")
    return {"vote": v, "owner": owner, "code": codes["业主302"], "tail": owner_number(6)[-4:]}


def _agree_count(page: Any) -> str:
    return str(page.locator("#tally .stat b").first.inner_text())


def test_paper_ballot_confirmed_online(
    page: Any, phone_page: Any, login_as: Any, vote: dict[str, Any]
) -> None:
    login_as(page, "committee_staff")
    page.goto(f"/elevator/votes/{vote['vote'].pk}/")
    assert _agree_count(page) == "0"
    page.select_option("#ballot-form select[name=owner]", str(vote["owner"].pk))
    page.locator("#ballot-form input[name=choice][value=agree]").check()
    page.select_option("#ballot-form select[name=channel]", "paper")
    page.locator("#ballot-form button[type=submit]").click()
    page.wait_for_selector(".msg")
    assert _agree_count(page) == "1"
    assert page.get_by_text("待确认").count() >= 1

    # The owner, on a phone, with the code from the consultation notice.
    owner = phone_page
    owner.goto("/elevator/owner/")
    owner.fill("input[name=code]", vote["code"].lower())
    owner.fill("input[name=tail]", vote["tail"])
    owner.get_by_role("button", name="进入").click()
    owner.wait_for_url("**/elevator/owner/ballot/")
    mine = owner.locator(".mine").first
    assert "同意" in mine.inner_text() and "待您确认" in mine.inner_text()
    assert "业主301" not in owner.content()
    owner.get_by_role("button", name="确认这是我的意见").click()
    owner.wait_for_selector(".msg")
    assert "已确认" in owner.locator(".mine").first.inner_text()

    page.reload()
    assert _agree_count(page) == "1"
    row = page.locator("tr", has_text="业主302")
    assert "✔" in row.inner_text()

    # The owner changes their mind online: the tally follows the records.
    owner.locator("input[name=choice][value=abstain]").check()
    owner.get_by_role("button", name="更改为以上意见").click()
    owner.wait_for_selector(".msg")
    page.reload()
    assert _agree_count(page) == "0"
    assert "弃权" in page.locator("tr", has_text="业主302").inner_text()
