"""Registry facts → risk findings, and the equipment work in the white paper."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from linli.core.models import AuditRecord, User
from linli.core.roles import Role
from linli.dashboard import link
from linli.dashboard.models import FactDecision
from linli.fire.tests import factories
from linli.risk.models import Finding, Round, Sample, Score
from linli.risk.tests.conftest import fill

pytestmark = pytest.mark.django_db

LINKED = "linli.urls"  # the project mounts the link pages at /link/
HOOK = ["linli.dashboard.white_paper.equipment_work"]


def _samples(rnd: Round, street: Any) -> list[Sample]:
    return list(rnd.samples.filter(committee=street["c1"]).order_by("label"))


def _overdue(street: Any, n: int = 2) -> None:
    for i in range(n):
        factories.due_extinguisher(street, "1", f"D{i}")
    factories.extinguisher(street, "1", "OK1")


def _url(sample: Sample) -> str:
    return f"/link/samples/{sample.pk}/facts/"


def _xf03(client: Any, sample: Sample) -> str:
    page = client.get(_url(sample)).content.decode()
    assert "XF03" in page
    [fact] = [f for f in link.facts(sample) if f.subunit == "XF03"]
    return fact.key


@pytest.mark.urls(LINKED)
def test_accepting_a_fact_records_the_finding_and_raises_the_committee_value(
    drawn: Round, users: Any, login: Any, street: Any
) -> None:
    _overdue(street)
    first, *others = _samples(drawn, street)
    for s in [first, *others]:
        fill(s, users["inspector"])
    client = login("inspector")
    for s in others:
        assert client.post(f"/risk/samples/{s.pk}/submit/", {"confirm": "1"}).status_code == 302
    before = Score.objects.get(round=drawn, committee=street["c1"], sample=None, unit="").value

    key = _xf03(client, first)
    page = client.get(_url(first)).content.decode()
    assert "逾期未送修 2 具" in page and "D0" in page  # the fire description and evidence
    response = client.post(
        _url(first),
        {"action": "accept", "key": key, "likelihood": 4, "description": "灭火器逾期未送修 2 具"},
        follow=True,
    )
    assert "已记为问题：XF03" in response.content.decode()
    finding = Finding.objects.get(check_item__sample=first, check_item__code="XF03")
    assert finding.likelihood == 4 and finding.description == "灭火器逾期未送修 2 具"
    assert FactDecision.objects.get(sample=first, key=key).finding == finding
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"risk.finding.add", "dashboard.fact.accept"} <= actions
    # A decided fact is not offered again.
    assert "采纳，记为问题" not in client.get(_url(first)).content.decode().split("XF03")[1]

    assert client.post(f"/risk/samples/{first.pk}/submit/", {"confirm": "1"}).status_code == 302
    after = Score.objects.get(round=drawn, committee=street["c1"], sample=None, unit="").value
    assert after > before


@pytest.mark.urls(LINKED)
def test_dismissing_is_audited_and_writes_no_finding(
    drawn: Round, users: Any, login: Any, street: Any
) -> None:
    _overdue(street)
    sample = _samples(drawn, street)[0]
    client = login("inspector")
    key = _xf03(client, sample)
    client.post(_url(sample), {"action": "dismiss", "key": key})
    assert FactDecision.objects.get(sample=sample, key=key).decision == "dismissed"
    assert not Finding.objects.filter(check_item__sample=sample).exists()
    assert AuditRecord.objects.filter(action="dashboard.fact.dismiss").count() == 1
    # Twice is refused, nothing more written.
    response = client.post(_url(sample), {"action": "dismiss", "key": key}, follow=True)
    assert "已处理过" in response.content.decode()
    assert FactDecision.objects.count() == 1


@pytest.mark.urls(LINKED)
def test_an_inspector_not_assigned_gets_403(drawn: Round, client: Any, street: Any) -> None:
    _overdue(street)
    sample = _samples(drawn, street)[0]
    other = User.objects.create(username="inspector2", role=Role.INSPECTOR)
    client.force_login(other)
    assert client.get(_url(sample)).status_code == 403
    key = link.facts(sample)[0].key
    assert client.post(_url(sample), {"action": "accept", "key": key}).status_code == 403
    assert client.post(_url(sample), {"action": "dismiss", "key": key}).status_code == 403
    assert not FactDecision.objects.exists()


@pytest.mark.urls(LINKED)
@pytest.mark.parametrize("role", ["committee_staff", "window_clerk", "partner"])
def test_other_roles_get_403(drawn: Round, login: Any, street: Any, role: str) -> None:
    sample = _samples(drawn, street)[0]
    assert login(role).get(_url(sample)).status_code == 403


@pytest.mark.urls(LINKED)
def test_safety_office_reads_but_cannot_decide(
    drawn: Round, safety: Any, client: Any, street: Any
) -> None:
    _overdue(street)
    sample = _samples(drawn, street)[0]
    client.force_login(safety)
    page = client.get(_url(sample)).content.decode()
    assert "XF03" in page and "只读" in page and "采纳，记为问题" not in page
    key = link.facts(sample)[0].key
    assert client.post(_url(sample), {"action": "dismiss", "key": key}).status_code == 403
    assert not FactDecision.objects.exists()


@pytest.mark.urls(LINKED)
def test_a_submitted_sample_refuses(drawn: Round, users: Any, login: Any, street: Any) -> None:
    _overdue(street)
    sample = _samples(drawn, street)[0]
    fill(sample, users["inspector"])
    client = login("inspector")
    client.post(f"/risk/samples/{sample.pk}/submit/", {"confirm": "1"})
    sample.refresh_from_db()
    assert sample.locked
    key = link.facts(sample)[0].key
    page = client.get(_url(sample)).content.decode()
    assert "已提交并锁定" in page and "采纳，记为问题" not in page
    response = client.post(
        _url(sample),
        {"action": "accept", "key": key, "likelihood": 3, "description": "x"},
        follow=True,
    )
    assert "已锁定" in response.content.decode()
    assert not Finding.objects.filter(check_item__sample=sample).exists()
    assert not FactDecision.objects.exists()


@pytest.mark.urls(LINKED)
def test_checklist_links_to_the_facts_page_when_installed(
    drawn: Round, login: Any, street: Any
) -> None:
    _overdue(street)
    sample = _samples(drawn, street)[0]
    page = login("inspector").get(f"/risk/samples/{sample.pk}/").content.decode()
    assert _url(sample) in page


@pytest.mark.urls("linli.dashboard.tests.urls")
def test_checklist_has_no_link_without_the_dashboard_urls(
    drawn: Round, login: Any, street: Any
) -> None:
    _overdue(street)
    sample = _samples(drawn, street)[0]
    page = login("inspector").get(f"/risk/samples/{sample.pk}/").content.decode()
    assert "/facts/" not in page and "登记册提示的问题" not in page


def test_no_facts_says_so(drawn: Round, users: Any, street: Any) -> None:
    sample = _samples(drawn, street)[0]
    assert link.facts(sample) == []


def _paper(client: Any, rnd: Round, street: Any) -> str:
    url = f"/risk/rounds/{rnd.pk}/committees/{street['c1'].pk}/paper/"
    response = client.get(url)
    assert response.status_code == 200
    return str(response.content.decode())


def test_white_paper_lists_the_equipment_work_with_the_hook(
    drawn: Round, login: Any, street: Any
) -> None:
    _overdue(street, 3)
    factories.sprinkler(street, "1", fault="末端压力不足")
    client = login("street_admin")
    with override_settings(LINLI_WHITE_PAPER_SECTIONS=[]):
        assert "消防设施整改" not in _paper(client, drawn, street)
    with override_settings(LINLI_WHITE_PAPER_SECTIONS=HOOK):
        page = _paper(client, drawn, street)
    assert "消防设施整改（来自消防设施登记册）" in page
    assert "灭火器逾期送修 3 具" in page
    assert "简易喷淋故障维修 1 个门牌" in page


def test_white_paper_hook_for_committee_staff_and_no_work(
    drawn: Round, login: Any, street: Any
) -> None:
    with override_settings(LINLI_WHITE_PAPER_SECTIONS=HOOK):
        page = _paper(login("committee_staff"), drawn, street)
    assert "登记册中没有到期或逾期的消防设施" in page


def test_white_paper_pdf_renders_with_the_hook(drawn: Round, login: Any, street: Any) -> None:
    _overdue(street)
    url = f"/risk/rounds/{drawn.pk}/committees/{street['c1'].pk}/paper.pdf"
    with override_settings(LINLI_WHITE_PAPER_SECTIONS=HOOK):
        response = login("street_admin").get(url)
    assert response.status_code == 200 and response.content[:4] == b"%PDF"


@pytest.mark.urls(LINKED)
def test_the_checklist_shows_the_facts_and_adopts_one_before_submitting(
    drawn: Round, users: Any, login: Any, street: Any
) -> None:
    _overdue(street)
    sample = _samples(drawn, street)[0]
    fill(sample, users["inspector"])
    client = login("inspector")
    checklist = f"/risk/samples/{sample.pk}/"
    page = client.get(checklist).content.decode()
    assert "逾期未送修 2 具" in page and "1 条待决定" in page  # on the checklist, not a link away
    assert "提交后不能再采纳" in page
    [fact] = [f for f in link.facts(sample) if f.subunit == "XF03"]
    adopted = client.post(
        _url(sample),
        {"action": "accept", "key": fact.key, "likelihood": fact.likelihood,
         "description": fact.description, "next": checklist},
    )  # fmt: skip
    assert adopted["Location"] == checklist  # back to the checklist
    assert Finding.objects.filter(check_item__sample=sample, check_item__code="XF03").exists()
    page = client.get(checklist).content.decode()
    assert "待决定" not in page and "✓ 已采纳" in page
    # Submitting asks first: without the confirmation nothing is locked.
    client.post(f"/risk/samples/{sample.pk}/submit/")
    sample.refresh_from_db()
    assert not sample.locked
    client.post(f"/risk/samples/{sample.pk}/submit/", {"confirm": "1"})
    sample.refresh_from_db()
    assert sample.locked
