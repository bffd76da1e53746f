"""The risk web layer: method versions, rounds and the draw, inspection, scoring, pages,
permissions, hazard cases, white papers, API and query counts."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linli.core.context import Actor
from linli.core.models import AuditRecord, Organisation, User
from linli.risk import queries, rules, sampling, services
from linli.risk.errors import CaseRefused, InspectionRejected, MethodRejected
from linli.risk.models import Check, HazardCase, MethodVersion, Round, Sample, Score

from .conftest import fill, png

pytestmark = pytest.mark.django_db


def _sample(rnd: Round, code: str = "HN01", label: str = "S1") -> Sample:
    return Sample.objects.get(round=rnd, committee__code=code, label=label)


# --------------------------------------------------------------------------- method versions


def test_migration_loads_default_method() -> None:
    mv = MethodVersion.objects.get(version="linli-2026")
    method = queries.method_of(mv)
    assert len(method.subunits) == 41 and len(method.units) == 8


def test_copy_and_edit_method_version(login: Any, users: Any) -> None:
    base = MethodVersion.objects.get(version="linli-2026")
    client = login("street_admin")
    r = client.post(f"/risk/methods/{base.pk}/copy/", {"version": "linli-2026-b", "title": "试行"})
    mv = MethodVersion.objects.get(version="linli-2026-b")
    assert r.status_code == 302 and mv.based_on == base
    data = dict(mv.data)
    data["units"] = [dict(u) for u in data["units"]]
    data["units"][0]["weight"] = "0.50"  # weights no longer sum to 1
    r = client.post(f"/risk/methods/{mv.pk}/", {"text": json.dumps(data)})
    assert r.status_code == 200 and "weight" in r.content.decode()
    data["units"][0]["weight"] = "0.10"
    bands = [dict(b) for b in data["scoring"]["value_bands"]]
    bands[0]["min"] = "70"
    data["scoring"] = {**data["scoring"], "value_bands": bands}
    r = client.post(f"/risk/methods/{mv.pk}/", {"text": json.dumps(data)})
    assert r.status_code == 302
    mv.refresh_from_db()
    assert queries.method_of(mv).value_bands[0].min == 70
    assert AuditRecord.objects.filter(action="risk.method.edit").exists()


def test_version_in_use_cannot_change(drawn: Round, users: Any) -> None:
    with pytest.raises(MethodRejected):
        services.do_edit_method(
            Actor(users["street_admin"]), drawn.method, json.dumps(drawn.method.data)
        )


# --------------------------------------------------------------------------- rounds and the draw


def test_draw_is_stratified_recorded_and_repeatable(drawn: Round) -> None:
    samples = list(Sample.objects.filter(round=drawn))
    assert len(samples) == 6  # 3 per committee
    s = samples[0]
    assert sampling.verify(s.draw_record)
    assert s.draw_record["seed"] == sampling.committee_seed("test-seed", s.committee.code)
    assert {x.stratum for x in samples if x.committee_id == s.committee_id} == {"里弄", "公房"}
    assert Check.objects.filter(sample=s).count() == 41
    assert AuditRecord.objects.filter(action="risk.round.draw").exists()


def test_round_create_page(login: Any, street: Any, safety: User, client: Any) -> None:
    client.force_login(safety)
    mv = services.default_version()
    r = client.post(
        "/risk/rounds/new/",
        {
            "name": "2027 年度",
            "method": mv.pk,
            "committees": [street["c1"].pk],
            "samples_per_committee": 2,
            "seed": "",
            "assessor": "",
        },
    )
    rnd = Round.objects.get(name="2027 年度")
    assert r.status_code == 302 and len(rnd.seed) == 32
    assert client.post(f"/risk/rounds/{rnd.pk}/draw/").status_code == 302
    assert rnd.samples.count() == 1  # one building in the street fixture: short frame


def test_only_inspectors_can_be_assigned(drawn: Round, users: Any, safety: User) -> None:
    with pytest.raises(InspectionRejected):
        services.do_assign_inspector(Actor(safety), _sample(drawn), users["window_clerk"])


# --------------------------------------------------------------------------- inspection


def test_inspector_sees_only_assigned_samples(drawn: Round, client: Any, users: Any) -> None:
    other = User.objects.create_user("inspector2", password="x-123456789", role="inspector")
    mine = _sample(drawn)
    client.force_login(other)
    assert client.get(f"/risk/samples/{mine.pk}/").status_code == 403
    assert client.get(f"/risk/samples/{mine.pk}/units/XF/").status_code == 403
    # The sample's link, not its short code: a random CSRF token may contain "S1".
    assert f"/risk/samples/{mine.pk}/" not in client.get("/risk/samples/mine/").content.decode()
    assert client.get("/api/v1/risk/my-samples/").json()["count"] == 0
    assert client.get(f"/risk/rounds/{drawn.pk}/").status_code == 403
    client.force_login(users["inspector"])
    assert client.get(f"/risk/samples/{mine.pk}/").status_code == 200
    assert client.get("/api/v1/risk/my-samples/").json()["count"] == 6
    assert client.get("/risk/").status_code == 302


def test_checklist_drafts_submit_and_grade(drawn: Round, client: Any, users: Any) -> None:
    sample = _sample(drawn)
    client.force_login(users["inspector"])
    page = client.get(f"/risk/samples/{sample.pk}/units/XF/").content.decode()
    assert "楼道堆物" in page and "S0=4" in page
    r = client.post(
        f"/risk/samples/{sample.pk}/units/XF/statuses/",
        {"status-XF02": "clean", "status-XF03": "na"},
    )
    assert r.status_code == 302
    assert Check.objects.get(sample=sample, code="XF03").status == "na"  # the draft is saved
    r = client.post(
        f"/risk/samples/{sample.pk}/units/XF/findings/",
        {
            "add_finding": "XF01",
            "likelihood": "4",
            "description": "楼道堆放纸箱",
            "location": "2 楼",
            "severity_reason": "brick_timber",
            "rule_breached": "消防法第二十八条",
            "photos": [png()],
        },
        follow=True,
    )
    assert "楼道堆放纸箱" in r.content.decode()
    finding = Check.objects.get(sample=sample, code="XF01").findings.get()
    assert (finding.likelihood, finding.severity, finding.grade) == (4, 5, "A")  # S0 4 + 1
    assert finding.photos.count() == 1
    bad = client.post(
        f"/risk/samples/{sample.pk}/units/XF/findings/",
        {
            "add_finding": "XF04",
            "likelihood": "2",
            "description": "x",
            "photos": [_text_file()],
        },
    )
    assert (
        bad.status_code == 200
        and not Check.objects.get(sample=sample, code="XF04").findings.exists()
    )
    # Submitting with unchecked sub-units is refused.
    r = client.post(f"/risk/samples/{sample.pk}/submit/", follow=True)
    assert "未检查" in r.content.decode()
    fill(Sample.objects.get(pk=sample.pk), users["inspector"], {})
    r = client.post(f"/risk/samples/{sample.pk}/submit/", {"confirm": "1"}, follow=True)
    sample.refresh_from_db()
    assert sample.state == "submitted"
    score = Score.objects.get(round=drawn, committee=sample.committee, sample=None, unit="")
    method = queries.method_of(drawn.method)
    expected = rules.score_committee(
        method, [rules.SampleInput("S1", {"XF01": [rules.Finding(4, 5)], "XF03": rules.NA})]
    )
    assert score.value == rules.round_half_up(expected.value) and score.grade == expected.grade
    assert AuditRecord.objects.filter(action="risk.grade").exists()
    assert HazardCase.objects.filter(finding=finding, grade="A").exists()
    # Locked: no more changes.
    r = client.post(
        f"/risk/samples/{sample.pk}/units/XF/statuses/", {"status-XF05": "na"}, follow=True
    )
    assert "锁定" in r.content.decode()
    # The committee page shows the value and the grade letter.
    client.force_login(users["street_admin"])
    page = client.get(f"/risk/rounds/{drawn.pk}/committees/{sample.committee_id}/").content.decode()
    assert str(score.value) in page and f"{score.grade} " in page


def _text_file() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("x.png", b"not an image", content_type="image/png")


def test_submit_scores_all_samples_of_committee(drawn: Round, users: Any) -> None:
    inspector = users["inspector"]
    plans = {"S1": {"XF01": [4]}, "S2": {"DQ02": [3, 2]}, "S3": {}}
    for label, plan in plans.items():
        s = _sample(drawn, "HN01", label)
        fill(s, inspector, plan)
        services.do_submit_sample(Actor(inspector), s)
    method = queries.method_of(drawn.method)
    inputs = [
        rules.SampleInput("S1", {"XF01": [rules.Finding(4, 4)]}),
        rules.SampleInput("S2", {"DQ02": [rules.Finding(3, 4), rules.Finding(2, 4)]}),
        rules.SampleInput("S3", {}),
    ]
    expected = rules.score_committee(method, inputs)
    stored = Score.objects.get(round=drawn, committee__code="HN01", sample=None, unit="")
    assert stored.value == rules.round_half_up(expected.value) and stored.grade == expected.grade
    unit = Score.objects.get(round=drawn, committee__code="HN01", sample=None, unit="XF")
    assert unit.grade == expected.units["XF"].grade
    assert Score.objects.filter(round=drawn, sample__isnull=False, unit="").count() == 3


# --------------------------------------------------------------------------- permissions


def test_role_matrix_pages(drawn: Round, login: Any, street: Any) -> None:
    c2 = street["c2"].pk
    expected = {
        "street_admin": (200, 200, 200),
        "street_staff": (200, 200, 200),
        "committee_staff": (200, 200, 403),
        "inspector": (302, 403, 403),
        "window_clerk": (403, 403, 403),
        "partner": (302, 403, 403),
        "auditor": (403, 403, 403),
    }
    for role, codes in expected.items():
        client = login(role)
        got = (
            client.get("/risk/").status_code,
            client.get(f"/risk/rounds/{drawn.pk}/").status_code,
            client.get(f"/risk/rounds/{drawn.pk}/committees/{c2}/").status_code,
        )
        assert got == codes, role


def test_committee_staff_sees_own_committee_only(drawn: Round, login: Any, users: Any) -> None:
    _submit_with_findings(drawn, users)
    client = login("committee_staff")
    overview = client.get(f"/risk/rounds/{drawn.pk}/").content.decode()
    assert "陕新居委" in overview and "新乐居委" not in overview
    cases = client.get("/risk/cases/").content.decode()
    assert "陕新居委" in cases and "新乐居委" not in cases
    other_case = HazardCase.objects.filter(committee__code="HN02").first()
    assert other_case is not None
    assert client.get(f"/risk/cases/{other_case.pk}/").status_code == 404
    api = client.get("/api/v1/risk/cases/").json()
    assert api["count"] == HazardCase.objects.filter(committee__code="HN01").count()
    scores = client.get("/api/v1/risk/scores/?unit=&sample__isnull=true").json()
    assert {r["committee_code"] for r in scores["results"]} == {"HN01"}
    assert (
        client.get(
            f"/risk/rounds/{drawn.pk}/committees/{other_case.committee_id}/paper/"
        ).status_code
        == 403
    )


def test_partner_sees_only_assigned_cases(
    drawn: Round, users: Any, safety: User, client: Any
) -> None:
    _submit_with_findings(drawn, users)
    org = users["partner"].organisation
    case = HazardCase.objects.filter(committee__code="HN01", grade__in=["C", "D"]).first()
    assert case is not None
    services.do_assign_case(Actor(safety), case, organisation=org)
    client.force_login(users["partner"])
    listing = client.get("/risk/cases/").content.decode()
    assert f"#{case.pk}<" in listing
    assert client.get("/api/v1/risk/cases/").json()["count"] == 1
    others = HazardCase.objects.exclude(pk=case.pk).first()
    assert others is not None
    assert client.get(f"/risk/cases/{others.pk}/").status_code == 404
    r = client.post(f"/risk/cases/{case.pk}/start/", {})
    case.refresh_from_db()
    assert r.status_code == 302 and case.state == "in_progress"
    with pytest.raises(PermissionDenied):
        services.do_start_rectification(Actor(users["partner"]), others)


# --------------------------------------------------------------------------- hazard cases


def _submit_with_findings(rnd: Round, users: Any) -> None:
    inspector = users["inspector"]
    for code in ("HN01", "HN02"):
        s = _sample(rnd, code)
        fill(s, inspector, {"XF01": [4], "HJ02": [2], "RQ02": [4]})
        services.do_submit_sample(Actor(inspector), s)


def test_case_lifecycle_with_signoffs(drawn: Round, users: Any, safety: User, client: Any) -> None:
    _submit_with_findings(drawn, users)
    case = HazardCase.objects.get(committee__code="HN01", subunit="RQ02")  # L4 × S4 = 16: B
    assert case.grade == "B" and case.due_on is not None and case.state == "graded"
    client.force_login(safety)
    r = client.post(f"/risk/cases/{case.pk}/assign/", {"responsible": "陕新居委"}, follow=True)
    assert "临时措施" in r.content.decode()  # a B case needs an interim measure
    client.post(
        f"/risk/cases/{case.pk}/assign/",
        {"responsible": "陕新居委", "interim_measure": "关阀"},
    )
    client.post(f"/risk/cases/{case.pk}/start/", {})
    r = client.post(f"/risk/cases/{case.pk}/reinspection/", {}, follow=True)
    assert "照片" in r.content.decode()
    client.post(f"/risk/cases/{case.pk}/reinspection/", {"photos": [png()]})
    case.refresh_from_db()
    assert case.state == "reinspection_requested" and case.reinspection_due is not None
    client.post(f"/risk/cases/{case.pk}/approve/", {})
    case.refresh_from_db()
    assert case.state == "reinspection_requested"  # sign-offs missing
    client.post(f"/risk/cases/{case.pk}/sign/", {})
    client.force_login(users["committee_staff"])
    client.post(f"/risk/cases/{case.pk}/sign/", {})
    client.post(f"/risk/cases/{case.pk}/approve/", {})
    case.refresh_from_db()
    assert case.state == "closed" and set(case.signoffs) == {"committee", "street"}
    actions = set(
        AuditRecord.objects.filter(object_type="risk.hazardcase").values_list("action", flat=True)
    )
    assert {
        "risk.case.assign",
        "risk.case.start",
        "risk.case.request_reinspection",
        "risk.case.sign",
        "risk.case.approve",
    } <= actions


def test_defer_reject_and_overdue_list(drawn: Round, users: Any, safety: User, client: Any) -> None:
    from datetime import timedelta

    _submit_with_findings(drawn, users)
    actor = Actor(safety)
    case = HazardCase.objects.get(committee__code="HN01", subunit="HJ02")
    services.do_assign_case(actor, case, responsible="物业")
    with pytest.raises(CaseRefused):
        services.do_defer_case(actor, case, interim_control="", review_on=timezone.localdate())
    services.do_defer_case(
        actor,
        case,
        interim_control="每周巡查",
        review_on=timezone.localdate() + timedelta(days=30),
    )
    assert case.state == "deferred"
    late = HazardCase.objects.get(committee__code="HN02", subunit="HJ02")
    HazardCase.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - timedelta(days=2))
    client.force_login(safety)
    page = client.get("/risk/cases/?overdue=1").content.decode()
    assert f"#{late.pk}<" in page and f"#{case.pk}<" not in page
    assert client.post("/risk/cases/refresh/").status_code == 302
    late.refresh_from_db()
    assert late.overdue_count == 1 and late.escalation != "committee"
    export = client.get("/risk/cases/?export=1")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


# --------------------------------------------------------------------------- pages, papers, queries


def test_overview_distribution_and_white_paper(
    drawn: Round, users: Any, login: Any, street: Any, tmp_path: Any
) -> None:
    _submit_with_findings(drawn, users)
    client = login("street_admin")
    page = client.get(f"/risk/rounds/{drawn.pk}/").content.decode()
    assert "等级分布" in page and "热力表" in page and "陕新居委" in page
    paper = client.get(
        f"/risk/rounds/{drawn.pk}/committees/{street['c1'].pk}/paper/"
    ).content.decode()
    for heading in (
        "居委概况",
        "评估依据与方法",
        "评估结论",
        "隐患清单",
        "重点整改事项",
        "告知单",
        "抽样记录",
    ):
        assert heading in paper
    pdf = client.get(f"/risk/rounds/{drawn.pk}/committees/{street['c1'].pk}/paper.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    tool = shutil.which("pdffonts")
    if tool:  # the app's own font is embedded, and the text is Chinese
        target = tmp_path / "paper.pdf"
        target.write_bytes(pdf.content)
        fonts = subprocess.run(
            [tool, str(target)], capture_output=True, text=True, check=True
        ).stdout
        assert "Linli-Sans" in fonts
        text = subprocess.run(
            ["pdftotext", str(target), "-"], capture_output=True, text=True
        ).stdout
        assert "陕新居委" in text and "安全风险白皮书" in text


def test_overview_shows_each_units_score_and_grade_in_both_languages(
    drawn: Round, users: Any, login: Any
) -> None:
    _submit_with_findings(drawn, users)
    client = login("street_admin")
    page = client.get(f"/risk/rounds/{drawn.pk}/").content.decode()
    unit_scores = Score.objects.filter(round=drawn, sample=None).exclude(unit="")
    assert unit_scores.count() > 2
    for s in unit_scores:  # the heat table: the unit's value and grade letter
        assert f'<td class="h h-{s.grade}">{s.value}<br><b>{s.grade}</b></td>' in page
    whole = Score.objects.get(round=drawn, sample=None, unit="", committee__code="HN01")
    colour = {"A": "红 重大风险", "B": "橙 较大风险", "C": "黄 一般风险", "D": "蓝 低风险"}
    badge = f'<span class="grade g-{whole.grade}" title="{colour[whole.grade]}">'
    assert f"{badge}{whole.grade} {colour[whole.grade][0]}</span>" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get(f"/risk/rounds/{drawn.pk}/").content.decode()
    words = {"A": "Red: major risk", "B": "Orange: considerable risk",
             "C": "Yellow: moderate risk", "D": "Blue: low risk"}  # fmt: skip
    assert f'<span class="grade g-{whole.grade}" title="{words[whole.grade]}">' in english


def _grow(rnd: Round, users: Any, n: int) -> None:
    """Submit n more samples with findings (cases) in both committees."""
    pending = Sample.objects.filter(round=rnd, state="draft").order_by("pk")[:n]
    for s in pending:
        fill(s, users["inspector"], {"XF01": [3], "DQ02": [2]})
        services.do_submit_sample(Actor(users["inspector"]), s)


def test_constant_queries(drawn: Round, users: Any, login: Any, street: Any) -> None:
    client = login("street_admin")
    urls = [
        "/risk/",
        f"/risk/rounds/{drawn.pk}/",
        f"/risk/rounds/{drawn.pk}/samples/",
        "/risk/cases/",
        f"/risk/rounds/{drawn.pk}/committees/{street['c1'].pk}/",
        "/api/v1/risk/cases/",
        "/api/v1/risk/samples/",
        "/api/v1/risk/scores/",
    ]
    _grow(drawn, users, 2)
    before = {}
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200, url
        before[url] = len(ctx.captured_queries)
    _grow(drawn, users, 4)
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        assert len(ctx.captured_queries) == before[url], url


def test_photos_are_permission_checked(drawn: Round, users: Any, client: Any) -> None:
    s = _sample(drawn)
    f = services.do_add_finding(
        Actor(users["inspector"]), s, "XF01", likelihood=3, description="x", photos=[png()]
    )
    photo = f.photos.get()
    client.force_login(users["inspector"])
    assert client.get(f"/risk/photos/{photo.pk}/").status_code == 200
    client.force_login(users["committee_staff_2"])
    assert client.get(f"/risk/photos/{photo.pk}/").status_code == 403


def test_demo_round_grades(db: Any) -> None:
    from collections import Counter

    from linli.geo import demo as geo_demo
    from linli.risk import demo

    geo_demo.build(with_residents=False)
    counts = demo.build()
    grades = Counter(Score.objects.filter(sample=None, unit="").values_list("grade", flat=True))
    assert grades == {"A": 2, "B": 8, "C": 6}
    assert counts["samples"] == 48
    per_committee = Counter(
        Sample.objects.filter(checks__findings__isnull=False)
        .distinct()
        .values_list("committee__code", flat=True)
    )
    assert len(per_committee) == 16 and set(per_committee.values()) == {3}
    assert HazardCase.objects.filter(state="closed").exists()
    assert HazardCase.objects.exclude(state="closed").exists()
    assert Organisation.objects.filter(name="徐房物业").exists()
    assert HazardCase.objects.filter(organisation__name="徐房物业").exists()
    # Dated relative to today: most open cases within their deadline, some overdue/escalated.
    from linli.risk import queries

    open_cases = HazardCase.objects.exclude(state__in=["closed", "deferred"])
    overdue = queries.overdue(open_cases).count()
    assert 0 < overdue < open_cases.count() / 2
    assert queries.escalated(HazardCase.objects.all()).exists()
    assert demo.build()["samples"] == 48  # idempotent


# --------------------------------------------------------------------------- offline checklist


def _sheet(rows: list[list[Any]]) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from linli.core.excel import write_workbook
    from linli.risk.sheets import COLUMNS

    data = write_workbook("检查表", [c.label for c in COLUMNS], rows)
    return SimpleUploadedFile("c.xlsx", data)


def test_checklist_template_and_import(drawn: Round, users: Any, client: Any) -> None:
    from openpyxl import load_workbook

    sample = _sample(drawn)
    client.force_login(users["inspector"])
    r = client.get(f"/risk/samples/{sample.pk}/template.xlsx")
    sheet = load_workbook(io.BytesIO(r.content)).active
    assert sheet is not None
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert len(rows) == 42 and rows[1][0] == "WY01"
    body = [[*row[:4], "无问题", None, None, None, None, None, None] for row in rows[1:]]
    at = {row[0]: i for i, row in enumerate(body)}
    xf = body[at["XF01"]][:4]
    body[at["XF01"]] = [*xf, "有问题", 4, "砖木结构", "楼道堆物", "2 楼", "", "否"]
    body.append([*xf, "有问题", 2, "", "电瓶车停放", "", "", "是"])
    body[at["DX01"]] = [*body[at["DX01"]][:4], "不适用", None, None, None, None, None, None]
    r = client.post(f"/risk/samples/{sample.pk}/import/", {"file": _sheet(body)}, follow=True)
    assert "已导入 41 个子单元、2 个问题" in r.content.decode()
    xf01 = Check.objects.get(sample=sample, code="XF01")
    assert xf01.status == "findings"
    assert sorted(xf01.findings.values_list("severity", "grade")) == [
        (4, "A"),
        (5, "A"),
    ]  # major flag; S0 4 + 1
    assert not Check.objects.filter(sample=sample, status="open").exists()
    assert AuditRecord.objects.filter(action="risk.finding.import").exists()


def test_checklist_import_is_atomic_and_names_rows(drawn: Round, users: Any, client: Any) -> None:
    sample = _sample(drawn)
    client.force_login(users["inspector"])
    body = [
        ["WY01", "", "", 3, "无问题", None, None, None, None, None, None],
        ["XF09", "", "", 3, "无问题", None, None, None, None, None, None],
        ["XF01", "", "", 4, "有问题", None, None, "", None, None, None],
        ["ZA01", "", "", 3, "坏了", None, None, None, None, None, None],
    ]
    r = client.post(f"/risk/samples/{sample.pk}/import/", {"file": _sheet(body)}, follow=True)
    page = r.content.decode()
    assert "第 5 行 [结果]" in page
    body[3][4] = "无问题"
    r = client.post(f"/risk/samples/{sample.pk}/import/", {"file": _sheet(body)}, follow=True)
    page = r.content.decode()
    assert (
        "第 3 行 [子单元代码]" in page
        and "第 4 行 [可能性L]" in page
        and "第 4 行 [问题描述]" in page
    )
    assert Check.objects.get(sample=sample, code="WY01").status == "open"  # nothing written


def test_the_downloaded_checklist_imports_back_unchanged(
    drawn: Round, users: Any, client: Any
) -> None:
    """The sheet the inspector downloads is what the import reads: a filled sample's sheet,
    imported back, leaves its results and findings (numbered in sheet order) as they were."""
    sample = _sample(drawn)
    fill(sample, users["inspector"], {"XF01": [4, 2], "RQ02": [3]})
    before = sorted(
        Check.objects.filter(sample=sample).values_list(
            "code", "status", "findings__position", "findings__likelihood", "findings__grade"
        ),
        key=str,
    )
    client.force_login(users["inspector"])
    sheet = client.get(f"/risk/samples/{sample.pk}/template.xlsx")
    assert sheet["Content-Disposition"].endswith(f'-{sample.label}.xlsx"')
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("back.xlsx", sheet.content)
    r = client.post(f"/risk/samples/{sample.pk}/import/", {"file": upload}, follow=True)
    assert "已导入 41 个子单元、3 个问题" in r.content.decode()
    after = sorted(
        Check.objects.filter(sample=sample).values_list(
            "code", "status", "findings__position", "findings__likelihood", "findings__grade"
        ),
        key=str,
    )
    assert after == before


def test_street_white_paper_and_figures(drawn: Round, users: Any, login: Any, safety: User) -> None:
    _submit_with_findings(drawn, users)
    case = HazardCase.objects.filter(committee__code="HN01", grade="D").first()
    assert case is not None
    actor = Actor(safety)
    services.do_assign_case(actor, case, responsible="物业")
    services.do_start_rectification(actor, case)
    services.do_request_reinspection(actor, case, photos=[png()])
    services.do_approve_case(actor, case)
    client = login("street_admin")
    page = client.get(f"/risk/rounds/{drawn.pk}/paper/").content.decode()
    for heading in ("等级分布", "热力表", "共性问题", "趋势", "整改指标", "合计"):
        assert heading in page
    assert "XF01 楼道堆物" in page
    cases = client.get("/risk/cases/").content.decode()
    assert "整改率" in cases and "33.3%" in cases  # HN01: 1 of 3 closed
    pdf = client.get(f"/risk/rounds/{drawn.pk}/paper.pdf")
    assert pdf.content.startswith(b"%PDF")
    staff = login("committee_staff")
    page = staff.get(f"/risk/rounds/{drawn.pk}/paper/").content.decode()
    assert "陕新居委" in page and "新乐居委" not in page


def test_bulk_rescore_matches_per_committee(drawn: Round, users: Any, safety: User) -> None:
    _submit_with_findings(drawn, users)
    s = _sample(drawn, "HN01", "S2")
    Check.objects.filter(sample=s, code__startswith="DX").update(status="na")
    fill(s, users["inspector"], {"XF07": [5]})
    services.do_submit_sample(Actor(users["inspector"]), s)
    fields = ("committee_id", "sample_id", "unit", "value", "grade")
    before = sorted(Score.objects.values_list(*fields), key=str)
    assert services.do_rescore_round(Actor(safety), drawn) == 2
    after = sorted(Score.objects.values_list(*fields), key=str)
    assert before == after


def test_bulk_rescore_writes_back_exactly_what_changed(
    drawn: Round, users: Any, safety: User
) -> None:
    inspector = users["inspector"]
    s = _sample(drawn, "HN01")
    fill(s, inspector, {"XF01": [4, 2, 5], "RQ02": [3]})
    services.do_add_finding(
        Actor(inspector), s, "XF07", likelihood=2, description="入户充电", major_fire_hazard=True
    )
    Check.objects.filter(sample=s, code__startswith="DX").update(status="na")
    services.do_submit_sample(Actor(inspector), s)
    fields = ("committee_id", "sample_id", "unit", "value", "grade", "band_grade")
    right = sorted(Score.objects.values_list(*fields), key=str)
    # A method correction: some values wrong, one row missing, one row that should not exist.
    Score.objects.filter(unit="XF").update(value="0.00", grade="D", band_grade="D")
    Score.objects.filter(unit="RQ", sample=None).delete()
    extra = Score.objects.filter(unit="").first()
    assert extra is not None
    Score.objects.create(
        round=drawn, committee=extra.committee, sample=None, unit="ZZ", value="1.00", grade="D",
        band_grade="D",
    )  # fmt: skip
    wrong = Score.objects.filter(unit="XF").count()
    assert services.do_rescore_round(Actor(safety), drawn) == 1
    assert sorted(Score.objects.values_list(*fields), key=str) == right
    record = AuditRecord.objects.filter(action="risk.round.rescore").latest("pk")
    assert record.details["written"] == wrong + 2  # the wrong values, the missing, the extra
    services.do_rescore_round(Actor(safety), drawn)
    assert (
        AuditRecord.objects.filter(action="risk.round.rescore").latest("pk").details["written"] == 0
    )


@pytest.mark.serial  # its flush would empty the migration data of the tests after it
@pytest.mark.skipif(
    "postgres" not in os.environ.get("DATABASE_URL", ""),
    reason="the stored scores are read aside on PostgreSQL only",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_round_rescore_reads_the_stored_scores_on_a_second_connection_on_postgresql(
    drawn: Round, users: Any, safety: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outside a transaction on PostgreSQL the stored scores are read in a thread of their own
    while the round is scored: the result is the same, and the thread's connection is closed."""
    import threading

    from linli.risk.services import scoring

    _submit_with_findings(drawn, users)
    fields = ("committee_id", "sample_id", "unit", "value", "grade", "band_grade")
    right = sorted(Score.objects.values_list(*fields), key=str)
    Score.objects.filter(unit="XF").update(value="0.00", grade="D", band_grade="D")
    Score.objects.filter(unit="RQ", sample=None).delete()
    read_in: list[str] = []
    aside = scoring._stored_scores_aside

    def spy(round_id: int) -> scoring.StoredScores:
        read_in.append(threading.current_thread().name)
        return aside(round_id)

    monkeypatch.setattr(scoring, "_stored_scores_aside", spy)

    def backends() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            )
            return int(cursor.fetchone()[0])

    before = backends()
    assert not connection.in_atomic_block
    assert services.do_rescore_round(Actor(safety), drawn) == 2
    assert sorted(Score.objects.values_list(*fields), key=str) == right
    assert [name.split("_")[0] for name in read_in] == ["rescore"]
    assert backends() == before


def test_resident_survey(drawn: Round, login: Any, street: Any, users: Any) -> None:
    from decimal import Decimal

    from linli.risk import survey
    from linli.risk.models import SurveyResponse

    admin = login("street_admin")
    admin.post(f"/risk/rounds/{drawn.pk}/survey/", {"create": "1"})
    staff = login("committee_staff")
    answers = {f"q{i}": "4" for i in range(5)}
    r = staff.post(f"/risk/rounds/{drawn.pk}/survey/", {"committee": street["c1"].pk, **answers})
    assert r.status_code == 302
    r = staff.post(f"/risk/rounds/{drawn.pk}/survey/", {"committee": street["c2"].pk, **answers})
    assert r.status_code == 403  # not their committee
    staff.post(f"/risk/rounds/{drawn.pk}/survey/", {"committee": street["c1"].pk, "q0": "9"})
    assert SurveyResponse.objects.count() == 1
    page = staff.get(f"/risk/rounds/{drawn.pk}/survey/").content.decode()
    assert "75.0" in page and "新乐居委" not in page
    assert survey.score([[1, 1], [5, 5]]) == Decimal("50.0")
    assert survey.score([]) is None
    assert AuditRecord.objects.filter(action="risk.survey.response").count() == 1


def test_large_round_overview_pages(drawn: Round, users: Any, login: Any, monkeypatch: Any) -> None:
    from linli.risk import queries

    _submit_with_findings(drawn, users)
    monkeypatch.setattr(queries, "DIAGRAM_MAX", 1)
    monkeypatch.setattr(queries, "PAGE_SIZE", 1)
    client = login("street_admin")
    page = client.get(f"/risk/rounds/{drawn.pk}/").content.decode()
    assert "risk-map" not in page and "第 1 / 2 页" in page
    assert client.get(f"/risk/rounds/{drawn.pk}/?page=2").status_code == 200


def test_background_papers_with_progress(
    drawn: Round, users: Any, login: Any, street: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from linli.risk.models import PaperBatch, PaperFile

    _submit_with_findings(drawn, users)
    client = login("street_admin")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/risk/rounds/{drawn.pk}/papers/").status_code == 302
    batch = PaperBatch.objects.select_related("job").get()
    assert (batch.job.state, batch.job.done, batch.job.total) == ("done", 2, 2)
    assert batch.job.result_name == f"linli-risk-{drawn.pk}-papers.zip"
    page = client.get(f"/risk/rounds/{drawn.pk}/papers/").content.decode()
    assert "2 / 2" in page and "已完成" in page and 'http-equiv="refresh"' not in page
    mine = PaperFile.objects.get(committee=street["c1"])
    other = PaperFile.objects.get(committee=street["c2"])
    staff = login("committee_staff")
    assert staff.get(f"/risk/papers/{mine.pk}.pdf").status_code == 200
    assert staff.get(f"/risk/papers/{other.pk}.pdf").status_code == 403
    assert staff.get(f"/risk/rounds/{drawn.pk}/papers/").status_code == 403
    assert AuditRecord.objects.filter(action="risk.papers.start").exists()


def test_linli_risk_papers_queues_the_latest_round_as_a_job(
    drawn: Round, users: Any, django_capture_on_commit_callbacks: Any
) -> None:
    import json
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from linli.jobs.models import Job
    from linli.risk.models import PaperFile

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("risk_papers", "--round", "latest", stdout=out)
    job = Job.objects.get(pk=json.loads(out.getvalue())["job"])
    assert (job.kind, job.state, job.done, job.total) == ("risk.papers", "done", 2, 2)
    assert PaperFile.objects.filter(batch__job=job).count() == 2
    with pytest.raises(CommandError) as err:
        call_command("risk_papers", "--round", "nope", stdout=StringIO())
    assert err.value.returncode == 2


def test_a_resumed_batch_keeps_the_papers_already_made(
    drawn: Round, users: Any, street: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """A worker died after the first committee: the job runs again and renders only the rest."""
    from django.core.files.base import ContentFile

    from linli.jobs import services as jobs
    from linli.risk import paper
    from linli.risk.models import PaperBatch, PaperFile

    # Not committed: not sent.
    batch = paper.do_start_paper_batch(Actor(users["street_admin"]), drawn)
    first = min((street["c1"], street["c2"]), key=lambda c: c.code)
    kept = PaperFile(batch=batch, committee=first, size=3)
    kept.pdf.save("kept.pdf", ContentFile(b"PDF"), save=False)
    kept.save()
    job = jobs.do_claim_job(batch.job_id, "dead-worker")
    assert job is not None
    from linli.jobs.models import Job

    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    jobs.do_run_job(job.pk, paper.do_run_paper_batch)
    job.refresh_from_db()
    assert (job.state, job.done, job.attempts) == ("done", 2, 2)
    files = PaperFile.objects.filter(batch=batch)
    assert files.count() == 2
    assert files.get(committee=first).pk == kept.pk  # not rendered twice
    assert PaperBatch.objects.get().pk == batch.pk


def test_fast_rounding_matches_engine() -> None:
    from decimal import Decimal
    from fractions import Fraction

    from linli.risk.services import scoring

    for value in (
        Fraction(12345, 1000),
        Fraction(243, 4),
        Fraction(352, 35),
        Fraction(0),
        Fraction(1, 200),
    ):
        cents = scoring._cents(value)  # what do_rescore_round compares and writes
        assert Decimal(cents).scaleb(-2) == rules.round_half_up(value)
        assert scoring._cents_text(cents) == str(rules.round_half_up(value))


def test_api_role_matrix(drawn: Round, login: Any) -> None:
    expected = {
        "street_admin": (200, 200, 200),
        "street_staff": (200, 200, 200),
        "committee_staff": (200, 200, 200),
        "inspector": (403, 403, 403),
        "partner": (403, 403, 200),
        "window_clerk": (403, 403, 403),
        "auditor": (403, 403, 403),
    }
    for role, codes in expected.items():
        client = login(role)
        got = tuple(
            client.get(f"/api/v1/risk/{name}/").status_code
            for name in ("rounds", "samples", "cases")
        )
        assert got == codes, role
        if role != "inspector":
            assert client.get("/api/v1/risk/my-samples/").status_code == 403
    assert login("street_admin").post("/api/v1/risk/cases/", {}).status_code in (403, 405)


def test_pdf_photos_scaled_down_once(settings: Any, tmp_path: Any) -> None:
    from PIL import Image

    from linli.risk import paper

    settings.MEDIA_ROOT = str(tmp_path)
    (tmp_path / "risk").mkdir()
    Image.new("RGB", (3000, 2000), (200, 80, 40)).save(tmp_path / "risk" / "big.jpg", quality=95)
    uri = paper._print_image("risk/big.jpg")
    assert "/risk/print/" in uri
    out = Path(uri.removeprefix("file://"))
    with Image.open(out) as img:
        assert max(img.size) == paper.PHOTO_MAX_PX
    assert paper._print_image("risk/big.jpg") == uri  # cached
    Image.new("RGB", (200, 100)).save(tmp_path / "risk" / "small.png")
    assert paper._print_image("risk/small.png").endswith("/risk/small.png")
    assert paper._print_image("../../etc/passwd").endswith("/etc/passwd")  # not converted


def test_online_survey_by_residents(
    drawn: Round, login: Any, street: Any, users: Any, client: Any
) -> None:
    from django.core.cache import cache

    from linli.risk import survey
    from linli.risk.models import Survey, SurveyResponse

    cache.clear()
    admin = login("street_admin")
    admin.post(f"/risk/rounds/{drawn.pk}/survey/", {"create": "1"})
    current = Survey.objects.get(round=drawn)
    staff = login("committee_staff")
    staff.post(
        f"/risk/rounds/{drawn.pk}/survey/",
        {"committee": street["c1"].pk, **{f"q{i}": "1" for i in range(5)}},
    )
    page = staff.get(f"/risk/rounds/{drawn.pk}/survey/").content.decode()
    token = survey.online_token(current, street["c1"])
    assert f"/risk/survey/{token}/" in page and ">0.0<" in page
    qr = staff.get(f"/risk/rounds/{drawn.pk}/survey/{street['c1'].pk}/qr.svg")
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml"
    assert staff.get(f"/risk/rounds/{drawn.pk}/survey/{street['c2'].pk}/qr.svg").status_code == 404

    # A resident, not logged in, answers from the link.
    url = f"/risk/survey/{token}/"
    r = client.get(url)
    assert r.status_code == 200 and "陕新居委" in r.content.decode()
    r = client.post(url, {f"q{i}": "5" for i in range(5)})
    assert r.status_code == 302
    assert "谢谢" in client.get(url).content.decode()
    response = SurveyResponse.objects.get(source="online")
    assert response.committee == street["c1"] and response.entered_by == ""
    rows = {r["committee"].pk: r for r in survey.results(users["street_admin"], current)}
    assert rows[street["c1"].pk]["responses"] == 2
    assert str(rows[street["c1"].pk]["score"]) == "50.0"  # (0 + 100) / 2
    assert AuditRecord.objects.filter(
        action="risk.survey.response", details__source="online"
    ).exists()
    # The same browser session cannot answer twice.
    assert client.post(url, {f"q{i}": "5" for i in range(5)}).status_code == 409
    assert SurveyResponse.objects.filter(source="online").count() == 1

    # Invalid or tampered tokens 404.
    assert client.get("/risk/survey/nonsense/").status_code == 404
    assert client.get(url.replace(f"{street['c1'].pk}:", f"{street['c2'].pk}:")).status_code == 404
    forged = f"{current.pk}.{street['c2'].pk}:" + token.split(":", 1)[1]
    assert client.get(f"/risk/survey/{forged}/").status_code == 404

    # A finished round refuses new answers.
    drawn.status = Round.Status.FINISHED
    drawn.save(update_fields=["status"])
    other = survey.online_token(current, street["c2"])
    fresh = type(client)()
    assert "已结束" in fresh.get(f"/risk/survey/{other}/").content.decode()
    fresh.post(f"/risk/survey/{other}/", {f"q{i}": "5" for i in range(5)})
    assert SurveyResponse.objects.filter(source="online").count() == 1


def test_online_survey_throttled_per_address(drawn: Round, login: Any, street: Any) -> None:
    from django.core.cache import cache
    from django.test import Client

    from linli.risk import survey
    from linli.risk.models import Survey, SurveyResponse
    from linli.risk.views import survey as survey_views

    cache.clear()
    login("street_admin").post(f"/risk/rounds/{drawn.pk}/survey/", {"create": "1"})
    token = survey.online_token(Survey.objects.get(round=drawn), street["c1"])
    answers = {f"q{i}": "3" for i in range(5)}
    for _ in range(survey_views.ONLINE_LIMIT):
        assert Client().post(f"/risk/survey/{token}/", answers).status_code == 302
    assert Client().post(f"/risk/survey/{token}/", answers).status_code == 429
    assert SurveyResponse.objects.count() == survey_views.ONLINE_LIMIT
    assert Client().post(f"/risk/survey/{token}/", {"q0": "9"}).status_code in (400, 429)


def test_assign_form_next_goes_only_to_this_site(drawn: Round, client: Any, users: Any,
                                                 safety: User) -> None:  # fmt: skip
    client.force_login(safety)
    url = f"/risk/samples/{_sample(drawn).pk}/assign/"
    data = {"inspector": users["inspector"].pk}
    for evil in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)",
                 "/\\evil.example"):  # fmt: skip
        response = client.post(url, {**data, "next": evil})
        assert response.status_code == 302 and response["Location"] == "/risk/", evil
    assert client.post(url, {**data, "next": "/risk/rounds/"})["Location"] == "/risk/rounds/"


def test_checklist_radio_groups_are_named_by_the_sub_unit(
    drawn: Round, client: Any, users: Any
) -> None:
    """A screen reader announces "楼道堆物" for the group of choices, not the code "XF02"."""
    import re

    sample = _sample(drawn)
    client.force_login(users["inspector"])
    page = client.get(f"/risk/samples/{sample.pk}/units/XF/").content.decode()
    names = re.findall(r'role="radiogroup" aria-label="([^"]*)"', page)
    assert names, "no radio group on the unit page"
    assert "楼道堆物" in names
    assert not [n for n in names if re.fullmatch(r"[A-Z]{2}\d{2}", n)]


def test_each_form_of_a_unit_posts_to_its_own_view(drawn: Round, client: Any, users: Any) -> None:
    """The unit page only shows; its forms (choices, a new finding, deleting one) each have
    their own address, and the page itself refuses a POST."""
    sample = _sample(drawn)
    client.force_login(users["inspector"])
    unit = f"/risk/samples/{sample.pk}/units/XF/"
    page = client.get(unit).content.decode()
    assert f'action="{unit}statuses/"' in page
    assert f'action="{unit}findings/"' in page
    assert client.post(unit, {"status-XF02": "clean"}).status_code == 405
    assert Check.objects.get(sample=sample, code="XF02").status == "open"
    r = client.post(
        f"{unit}findings/", {"add_finding": "XF01", "likelihood": "3", "description": "纸箱"}
    )
    assert r.status_code == 302 and r["Location"] == f"{unit}#XF01"
    finding = Check.objects.get(sample=sample, code="XF01").findings.get()
    assert f'action="{unit}findings/delete/"' in client.get(unit).content.decode()
    # a sub-unit of another unit is not this page's to add to
    assert (
        client.post(
            f"{unit}findings/", {"add_finding": "DQ01", "likelihood": "3", "description": "x"}
        ).status_code
        == 404
    )
    r = client.post(f"{unit}findings/delete/", {"delete_finding": finding.pk})
    assert r.status_code == 302 and r["Location"] == unit
    assert not Check.objects.get(sample=sample, code="XF01").findings.exists()
    assert Check.objects.get(sample=sample, code="XF01").status == "open"
    assert client.post(f"{unit}findings/delete/", {"delete_finding": "x"}).status_code == 404
    # "²" is a digit to str.isdigit, not to int: still not found, never a server error.
    assert client.post(f"{unit}findings/delete/", {"delete_finding": "²"}).status_code == 404


def test_each_case_step_is_its_own_service_with_its_own_permission(
    drawn: Round, users: Any, safety: User
) -> None:
    _submit_with_findings(drawn, users)
    case = HazardCase.objects.get(committee__code="HN01", subunit="HJ02")
    staff = Actor(users["committee_staff"])
    services.do_assign_case(staff, case, responsible="物业")  # committee staff assign their own
    other = HazardCase.objects.get(committee__code="HN02", subunit="HJ02")
    with pytest.raises(PermissionDenied):
        services.do_assign_case(staff, other, responsible="物业")
    with pytest.raises(PermissionDenied):  # a sign-off is the street's or the committee's
        services.do_approve_case(Actor(users["inspector"]), case)
    with pytest.raises(CaseRefused) as refused:
        services.do_approve_case(Actor(safety), case)  # not yet awaiting re-inspection
    assert refused.value.code == "case_refused"
    services.do_start_rectification(staff, case)
    services.do_defer_case(
        staff, case, interim_control="每周巡查", review_on=timezone.localdate() + timedelta(days=9)
    )
    services.do_resume_case(staff, case)
    case.refresh_from_db()
    assert case.state == "in_progress"
    actions = list(case.events.order_by("pk").values_list("action", flat=True))
    assert actions == ["grade", "assign", "start", "defer", "resume"]
    audited = AuditRecord.objects.filter(action__startswith="risk.case.").values_list(
        "action", flat=True
    )
    assert {"risk.case.assign", "risk.case.start", "risk.case.defer", "risk.case.resume"} <= set(
        audited
    )
