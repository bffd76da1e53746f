"""What the inspector and the sign-off parties are told after each action (issue #15)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages

from linli.core.models import AuditRecord, User
from linli.risk import queries, services
from linli.risk.models import CaseEvent, HazardCase, Round, Sample

from .test_web import _submit_with_findings

pytestmark = pytest.mark.django_db


def _said(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_saving_a_unit_counts_what_autosave_already_saved(
    drawn: Round, client: Any, users: Any
) -> None:
    sample = Sample.objects.get(round=drawn, committee__code="HN01", label="S1")
    client.force_login(users["inspector"])
    url = f"/risk/samples/{sample.pk}/units/XF/statuses/"
    for code in ("XF02", "XF03"):  # two taps, each autosaved at once
        r = client.post(url, {f"status-{code}": "clean"}, HTTP_X_LINLI_AUTOSAVE="1")
        assert r.status_code == 204
    # then "save": nothing new changes, but the inspector is told what is saved
    r = client.post(url, {"status-XF02": "clean", "status-XF03": "clean"})
    said = _said(r)
    assert len(said) == 1 and "已填 2 /" in said[0]


def _to_reinspection(drawn: Round, users: Any, safety: User, client: Any) -> HazardCase:
    _submit_with_findings(drawn, users)
    case = HazardCase.objects.get(committee__code="HN01", subunit="RQ02")  # B
    client.force_login(safety)
    url = f"/risk/cases/{case.pk}/"
    client.post(url + "assign/", {"responsible": "物业", "interim_measure": "关阀"})
    client.post(url + "start/", {})
    from .conftest import png

    client.post(url + "reinspection/", {"photos": [png()]})
    case.refresh_from_db()
    assert case.state == "reinspection_requested"
    return case


def test_signing_says_what_is_still_needed_and_cannot_be_done_twice(
    drawn: Round, users: Any, safety: User, client: Any
) -> None:
    safety.display_name = "王明"
    safety.save()
    case = _to_reinspection(drawn, users, safety, client)
    url = f"/risk/cases/{case.pk}/"
    assert f'action="{url}sign/"' in client.get(url).content.decode()
    first = client.post(url + "sign/", {})
    assert _said(first) == ["已签字确认，隐患现为“待复查”。 还需居委签字后才能销号。"]
    page = client.get(url).content.decode()
    assert f'action="{url}sign/"' not in page  # the button has done its job
    again = client.post(url + "sign/", {})
    assert _said(again) == ["您已签字，无需重复签字。"]
    assert CaseEvent.objects.filter(case=case, action="sign").count() == 1
    assert AuditRecord.objects.filter(action="risk.case.sign").count() == 1
    # the history names people and parties, not log-in names and codes
    history = page[page.index("处理记录") :]
    assert "王明" in history and "（街道）" in history and "（street）" not in history
    client.force_login(users["committee_staff"])
    second = client.post(url + "sign/", {})
    assert _said(second)[-1].endswith("签字已齐，可以复查通过并销号。")


def test_the_inspector_filters_their_samples(drawn: Round, client: Any, users: Any) -> None:
    from linli.core.context import Actor

    from .conftest import fill

    first = Sample.objects.filter(round=drawn, committee__code="HN01").order_by("label").first()
    assert first is not None
    fill(first, users["inspector"])
    services.do_submit_sample(Actor(users["inspector"]), first)
    client.force_login(users["inspector"])
    everything = client.get("/risk/samples/mine/").content.decode()
    assert everything.count('href="/risk/samples/') == 6
    drafts = client.get("/risk/samples/mine/", {"state": "draft"}).content.decode()
    assert drafts.count('href="/risk/samples/') == 5
    assert f'href="/risk/samples/{first.pk}/"' not in drafts
    c2 = first.committee.__class__.objects.get(code="HN02")
    theirs = client.get("/risk/samples/mine/", {"committee": c2.pk}).content.decode()
    assert theirs.count('href="/risk/samples/') == 3


def test_the_white_paper_names_a_sub_unit_once(
    drawn: Round, users: Any, safety: User, client: Any
) -> None:
    from linli.core.context import Actor

    from .conftest import fill

    sample = Sample.objects.get(round=drawn, committee__code="HN01", label="S1")
    services.do_save_check_statuses(Actor(users["inspector"]), sample, {})
    services.do_add_finding(
        Actor(users["inspector"]), sample, "XF01", likelihood=3, severity_reason="",
        description="楼道堆物：楼道堆放纸箱", location="2 楼", rule_breached="",
        major_fire_hazard=False, photos=[],
    )  # fmt: skip
    fill(Sample.objects.get(pk=sample.pk), users["inspector"], {"XF01": []})
    services.do_submit_sample(Actor(users["inspector"]), Sample.objects.get(pk=sample.pk))
    client.force_login(safety)
    page = client.get(
        f"/risk/rounds/{drawn.pk}/committees/{sample.committee_id}/paper/"
    ).content.decode()
    assert "楼道堆物</b>：楼道堆放纸箱" in page
    assert "楼道堆物：楼道堆物" not in page


def test_case_photos_are_labelled_before_and_after(
    drawn: Round, users: Any, safety: User, client: Any
) -> None:
    case = _to_reinspection(drawn, users, safety, client)
    page = client.get(f"/risk/cases/{case.pk}/").content.decode()
    assert "<figcaption>整改后</figcaption>" in page  # the evidence photo of the request


def test_radar_labels_do_not_overlap_each_other_or_the_chart() -> None:
    """As the PDF draws them: each character about 17 units wide and high."""
    from linli.risk.models import MethodVersion

    method = queries.method_of(MethodVersion.objects.get(version="linli-2026"))
    radar = queries.radar(method, {})
    boxes = []
    for a in radar["axes"]:
        width = 17 * (len(a["label"]) + 1) + 6
        left = {"start": a["lx"], "end": a["lx"] - width, "middle": a["lx"] - width / 2}[
            a["anchor"]
        ]
        boxes.append((left, a["ly"] - 17, left + width, a["ly"] + 2))
    for i, (x0, y0, x1, y1) in enumerate(boxes):
        # outside the chart's circle (radius 110 around the centre)
        nearest_x = min(max(radar["cx"], x0), x1)
        nearest_y = min(max(radar["cy"], y0), y1)
        assert (nearest_x - radar["cx"]) ** 2 + (nearest_y - radar["cy"]) ** 2 > 110**2, i
        assert x0 >= -90 and x1 <= 390 and y0 >= -10 and y1 <= 320, i  # inside the viewBox
        for j, (u0, v0, u1, v1) in enumerate(boxes[i + 1 :], i + 1):
            assert x1 <= u0 or u1 <= x0 or y1 <= v0 or v1 <= y0, (i, j)


def test_each_case_form_posts_to_its_own_step(
    drawn: Round, users: Any, safety: User, client: Any
) -> None:
    """No hidden step field: each form of the case page has its own address."""
    _submit_with_findings(drawn, users)
    case = HazardCase.objects.get(committee__code="HN01", subunit="RQ02")
    client.force_login(safety)
    url = f"/risk/cases/{case.pk}/"
    page = client.get(url).content.decode()
    assert f'action="{url}assign/"' in page and 'name="action"' not in page
    # The case page itself takes no POST any more.
    assert client.post(url, {"action": "assign", "responsible": "物业"}).status_code == 405
    case.refresh_from_db()
    assert case.state == "graded"


def test_a_case_step_names_the_bad_field_and_changes_nothing(
    drawn: Round, users: Any, safety: User, client: Any
) -> None:
    _submit_with_findings(drawn, users)
    case = HazardCase.objects.get(committee__code="HN01", subunit="RQ02")
    client.force_login(safety)
    url = f"/risk/cases/{case.pk}/"
    r = client.post(
        url + "assign/", {"responsible": "物业", "interim_measure": "关阀", "due_on": "明天"}
    )
    assert r.status_code == 302 and r["Location"] == url
    said = _said(r)
    assert len(said) == 1 and said[0].startswith("整改期限：")
    case.refresh_from_db()
    assert case.state == "graded" and case.responsible == ""
    assert not CaseEvent.objects.filter(case=case, action="assign").exists()


def test_a_case_step_refuses_a_role_without_its_permission_before_any_work(
    drawn: Round, users: Any, safety: User, client: Any
) -> None:
    case = _to_reinspection(drawn, users, safety, client)
    url = f"/risk/cases/{case.pk}/"
    client.force_login(users["partner"])  # rectifies, never signs
    assert client.post(url + "sign/", {}).status_code == 403
    assert client.post(url + "approve/", {}).status_code == 403
    client.force_login(users["inspector"])
    assert client.post(url + "reject/", {"reason": "未整改"}).status_code == 403
    case.refresh_from_db()
    assert case.state == "reinspection_requested" and case.signoffs == {}
    # A step the user may take, on the step's own address: rejected back to rectification.
    client.force_login(safety)
    r = client.post(url + "reject/", {"reason": "照片不清楚"})
    assert _said(r) == ["已复查不通过，退回，隐患现为“整改中”。"]
    case.refresh_from_db()
    assert case.state == "in_progress"
