"""Staff workflows end to end in the browser: the hall set-up reaching the kiosk, a lift project
taken through its stages by the housing office and seen by an owner, the white-paper PDF."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from linli.core.context import Actor
from tests.browser.lifts import lane_building, owner_number

# --- hall set-up ----------------------------------------------------------------------------


def test_admin_sets_up_a_queue_and_the_kiosk_offers_it(
    browser: Any, page: Any, server: str, login_as: Any, monkeypatch: Any
) -> None:
    from django.utils import timezone

    from linli.hall import services
    from linli.hall.models import Hall, Item, Queue, Window

    open_moment = timezone.make_aware(datetime(2026, 11, 25, 10, 0))  # a Wednesday, 10:00
    monkeypatch.setattr(services, "kiosk_clock", lambda: open_moment)
    services.forget_kiosk_config()
    hall = Hall.objects.create(code="A", name="A厅 综合业务受理")
    queue = Queue.objects.create(hall=hall, prefix="A", name="综合业务受理")
    Item.objects.create(code="FW001", name="房屋租赁备案", category="住房", hall=hall, queue=queue)
    Window.objects.create(hall=hall, number=1).skills.set([queue])

    login_as(page, "street_admin")
    page.goto("/hall/setup/")
    page.fill("input[form=queue-new][name=prefix]", "m")
    page.fill("input[form=queue-new][name=name]", "医保服务")
    page.select_option("select[form=queue-new][name=hall]", label="A")
    page.locator("button[form=queue-new]").click()
    page.wait_for_selector(".msg")
    assert "已保存" in page.locator(".messages").inner_text()
    new = Queue.objects.get(prefix="M")
    # Edit it: a clearer name, and the item moves into it.
    page.fill(f"input[form=queue-{new.pk}][name=name]", "医保与住房")
    page.select_option(f"select[form=queue-{new.pk}][name=items]", label="FW001 房屋租赁备案（A）")
    page.locator(f"button[form=queue-{new.pk}]").click()
    page.wait_for_selector(".msg")
    # The window takes it (its own hall's queues are the only ones offered).
    window = Window.objects.get(number=1)
    page.locator(f"input[form=win-{window.pk}][name=queues][value='{new.pk}']").check()
    page.locator(f"button[form=win-{window.pk}]").click()
    page.wait_for_selector(".msg")
    assert set(window.skills.values_list("prefix", flat=True)) == {"A", "M"}

    kiosk_ctx = browser.new_context(base_url=server, locale="zh-CN")
    kiosk = kiosk_ctx.new_page()
    kiosk.goto("/hall/kiosk/A/")
    kiosk.get_by_role("button", name=re.compile("医保与住房")).click()
    kiosk.wait_for_url("**/slip/")
    assert "M001" in kiosk.locator(".slip").inner_text()
    kiosk_ctx.close()


# --- a lift project through its stages -------------------------------------------------------


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (120, 80), "#1d4f91").save(out, "PNG")
    return out.getvalue()


def _lift_project(street: dict[str, Any], users: dict[str, Any]) -> dict[str, Any]:
    from linli.elevator import services
    from linli.elevator.models import Project
    from linli.geo.models import Entrance

    building = lane_building(street)
    entrance = Entrance.objects.get(building=building)
    actor = Actor(users["street_admin"], "test")
    project = services.do_save_project(
        actor,
        Project(building=building, entrance=entrance, name="陕新新村3号楼加梯",
                lift_position="北侧楼梯间外", stops="平层入户，停靠 1–6 层"),
    )  # fmt: skip
    services.do_build_roll(actor, project)
    return {"project": project, "actor": actor}


def _register(page: Any, kind: str, upload: Path | None = None) -> None:
    form = page.locator("form[action$='/documents/']")
    page.locator("summary", has_text="登记材料").click()
    form.locator("select[name=kind]").select_option(kind)
    if upload is not None:
        form.locator("input[name=file]").set_input_files(str(upload))
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".msg")


def _move(page: Any, stage: int) -> None:
    form = page.locator(f"form[action$='/stage/']:has(input[name=target][value='{stage}'])")
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".msg")


def test_housing_office_takes_a_lift_project_through_its_stages(
    page: Any, phone_page: Any, login_as: Any, street: Any, users: Any, tmp_path: Path,
    settings: Any,
) -> None:  # fmt: skip
    from django.utils import timezone

    from linli.elevator import services
    from linli.elevator.models import Objection, Project

    settings.MEDIA_ROOT = tmp_path / "media"
    made = _lift_project(street, users)
    project: Project = made["project"]
    url = f"/elevator/projects/{project.pk}/"
    drawing = tmp_path / "design.png"
    drawing.write_bytes(_png())

    login_as(page, "committee_staff")
    page.goto(url)
    _register(page, "working_group_record")
    _move(page, 1)
    assert Project.objects.get(pk=project.pk).stage == 1
    _register(page, "preliminary_design", drawing)
    for kind in ("intent_survey_result", "cost_estimate", "round_table_minutes"):
        _register(page, kind)
    _move(page, 2)
    assert Project.objects.get(pk=project.pk).stage == 2

    # The consent vote: opened on the page, one paper ballot entered there, the rest by staff.
    page.locator("summary", has_text="开始一项表决").click()
    vote_form = page.locator("form[action$='/votes/']")
    vote_form.locator("select[name=scope]").select_option("building")
    vote_form.locator("select[name=rule]").select_option("SH-801-building")
    day = timezone.localdate()
    today = day.isoformat()
    vote_form.locator("input[name=opens]").fill(today)
    vote_form.locator("input[name=closes]").fill((day + timedelta(days=30)).isoformat())
    vote_form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/elevator/(votes|projects)/\d+/"))
    vote = project.votes.get()
    page.goto(f"/elevator/votes/{vote.pk}/")
    owners = list(project.owners.order_by("pk"))
    page.select_option("#ballot-form select[name=owner]", str(owners[0].pk))
    page.locator("#ballot-form input[name=choice][value=agree]").check()
    page.select_option("#ballot-form select[name=channel]", "paper")
    page.locator("#ballot-form button[type=submit]").click()
    page.wait_for_selector(".msg")
    assert page.locator("#tally .stat b").first.inner_text() == "1"
    for owner in owners[1:10]:
        services.do_enter_ballot(made["actor"], vote, owner, "agree", "door")
    page.reload()
    assert page.locator("#tally .stat b").first.inner_text() == "10"
    assert "已达到通过条件" in page.locator("#tally").inner_text()

    # An objection, mediated and settled on its page.
    page.goto(url)
    page.locator("summary", has_text="登记异议").click()
    form = page.locator("form[action$='/objections/']")
    form.locator("input[name=objector_label]").fill("二楼住户")
    form.locator("input[name=raised]").fill(today)
    form.locator("textarea[name=reason]").fill("担心采光")
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".msg")
    objection = Objection.objects.get(project=project)
    page.goto(f"/elevator/objections/{objection.pk}/")
    page.locator("textarea[name=notes]").fill("设计单位上门说明井道位置")
    page.locator("input[name=on]").fill(today)
    page.locator("form:has(textarea[name=notes]) button[type=submit]").click()
    page.wait_for_selector(".msg")
    page.select_option("select[name=status]", "agreed")
    page.locator("textarea[name=agreement]").fill("井道外移 0.6 米")
    page.locator("form:has(textarea[name=agreement]) button[type=submit]").click()
    page.wait_for_selector(".msg")
    assert Objection.objects.get(pk=objection.pk).status == "agreed"
    assert "井道外移 0.6 米" in page.content()

    # The cost plan, published to the owners from the calculator.
    page.goto(f"/elevator/projects/{project.pk}/costs/?cost=600000&subsidy=市级,1,240000"
              "&method=coefficients&coefficients=0.6,0.8,1.0,1.2,1.4&exempt_ground_floor=on")  # fmt: skip
    page.get_by_role("button", name="按此方案向业主公示").click()
    page.wait_for_selector(".msg")
    assert "分摊方案公示于" in page.locator("#plan-status").inner_text()

    # The owner of 601, on a phone, sees the design, their share and the documents.
    codes = {o.pk: code for o, code in services.do_issue_codes(made["actor"], project)}
    owner = project.owners.get(name="业主601")
    phone_page.goto("/elevator/owner/")
    phone_page.fill("input[name=code]", codes[owner.pk])
    phone_page.fill("input[name=tail]", owner_number(11)[-4:])
    phone_page.get_by_role("button", name="进入").click()
    phone_page.wait_for_url("**/elevator/owner/ballot/")
    assert phone_page.locator("#my-share-amount").inner_text() == "50400.00"
    assert "北侧楼梯间外" in phone_page.locator("#design").inner_text()
    image = phone_page.locator("#design img")
    # decode() settles once the picture has loaded (it rejects if it cannot), so a slow
    # machine waits for it instead of reading a width of nothing.
    assert image.evaluate("img => img.decode().then(() => img.naturalWidth)") == 120
    docs = phone_page.locator("#documents").inner_text()
    assert "初步设计方案" in docs and "工作组" not in docs
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the owner page scrolls sideways on a phone ({width}px)"


# --- the white paper as a PDF ---------------------------------------------------------------


def test_white_paper_pdf_downloads_and_names_the_committee(
    page: Any, login_as: Any, street: Any, users: Any, tmp_path: Path, settings: Any
) -> None:
    from pypdf import PdfReader

    from linli.risk import services
    from linli.risk.models import Sample
    from linli.risk.tests.conftest import fill

    settings.MEDIA_ROOT = tmp_path / "media"
    safety = users["street_staff"]
    safety.department = "safety"
    safety.save()
    actor = Actor(safety)
    rnd = services.do_create_round(
        actor, name="2026 年度", method=services.default_version(),
        committees=[street["c1"]], samples_per_committee=1, seed="browser-paper",
    )  # fmt: skip
    (sample,) = services.do_draw_round(actor, rnd)
    services.do_assign_inspector(actor, sample, users["inspector"])
    fill(sample, users["inspector"], {"XF01": [4]})
    services.do_submit_sample(Actor(users["inspector"]), Sample.objects.get(pk=sample.pk))

    login_as(page, "street_staff")
    committee = street["c1"]
    page.goto(f"/risk/rounds/{rnd.pk}/committees/{committee.pk}/")
    link = page.get_by_role("link", name="白皮书 PDF")
    href = link.get_attribute("href")
    assert href is not None
    # The PDF opens in the browser (inline): fetch the link in the signed-in browser session.
    response = page.context.request.get(href, timeout=60_000)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    body = response.body()
    assert body.startswith(b"%PDF")
    text = "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(body)).pages)
    assert committee.name in text.replace(" ", "").replace("\n", "")
