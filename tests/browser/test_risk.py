"""Browser test of the risk module: an inspector fills a sample on a phone, submits, and the
committee's grade appears."""

from __future__ import annotations

import re
from typing import Any

from linli.core.context import Actor
from linli.risk import services
from linli.risk.models import Check, Sample, Score


def test_inspector_fills_sample_on_phone_and_grade_appears(
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

    p = login_as(phone_page, "inspector")
    p.goto("/risk/")
    p.get_by_role("link", name=re.compile("S1")).click()
    p.get_by_role("link", name=re.compile("居委物业")).click()
    for unit in range(8):
        heading = p.locator("h1").inner_text()
        if "消防安全" in heading:
            # One finding in XF01, with the S0 +1 adjustment; the rest clean.
            section = p.locator("section#XF01")
            section.locator("summary").click()
            section.locator("input[name=description]").fill("楼道堆放纸箱和旧家具")
            section.locator("select[name=likelihood]").select_option("4")
            section.locator("select[name=severity_reason]").select_option("brick_timber")
            section.get_by_role("button", name="保存问题").click()
            p.wait_for_url(re.compile(r"/units/XF/"))
            assert p.get_by_text("楼道堆放纸箱和旧家具").is_visible()
        for label in p.locator("section.sub").all():
            clean = label.get_by_text("无问题", exact=True)
            if clean.count():
                clean.click()
        if unit == 0:  # the first tap is saved at once (draft autosave)
            p.locator("#autosave", has_text="已自动保存").wait_for()
        p.get_by_role("button", name=re.compile("保存并")).click()
        p.wait_for_load_state()
    assert Check.objects.filter(sample=sample, status="open").count() == 0
    p.get_by_role("button", name="提交样本").click()  # not yet confirmed: the browser asks
    assert Sample.objects.get(pk=sample.pk).state != "submitted"
    p.get_by_label("我已核对全部检查结果").check()
    p.get_by_role("button", name="提交样本").click()
    p.wait_for_load_state()
    assert p.get_by_text("已提交并锁定").first.is_visible()
    assert Sample.objects.get(pk=sample.pk).state == "submitted"

    score = Score.objects.get(round=rnd, committee=street["c1"], sample=None, unit="")
    desk = login_as(page, "street_admin")
    desk.goto(f"/risk/rounds/{rnd.pk}/committees/{street['c1'].pk}/")
    stats = desk.locator("section.stats")
    assert str(score.value) in stats.inner_text()
    badge = stats.locator(f".grade.g-{score.grade}").first
    assert badge.is_visible()
    # The grade's own colours, not the card caption's muted grey (unreadable on red).
    ink = {"A": "rgb(255, 255, 255)", "B": "rgb(0, 0, 0)", "C": "rgb(34, 34, 34)",
           "D": "rgb(255, 255, 255)"}  # fmt: skip
    assert badge.evaluate("e => getComputedStyle(e).color") == ink[score.grade]


def test_resident_answers_survey_online_on_phone(phone_page: Any, street: Any, users: Any) -> None:
    from pathlib import Path

    from linli.risk import survey
    from linli.risk.models import SurveyResponse

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
    current = survey.do_create_survey(actor, rnd)
    p = phone_page
    p.goto(f"/risk/survey/{survey.online_token(current, street['c1'])}/")
    shots = Path("/tmp/shots-risk")
    shots.mkdir(exist_ok=True)
    p.screenshot(path=str(shots / "survey-online-phone.png"), full_page=True)
    for i in range(len(current.questions)):
        p.locator(f"input[name=q{i}][value='4']").check()
    p.get_by_role("button", name="提交问卷").click()
    p.get_by_text("已收到您的问卷").wait_for()
    p.screenshot(path=str(shots / "survey-online-thanks.png"))
    assert SurveyResponse.objects.get().source == "online"
