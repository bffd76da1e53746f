"""Pages and API: role matrix, committee scope, the owner's own page, query counts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from linli.elevator import services
from linli.elevator.models import Ballot, Owner, Project

from .conftest import id_number

pytestmark = pytest.mark.django_db

VIEWERS = ["street_admin", "street_staff", "committee_staff"]
OUTSIDERS = ["inspector", "window_clerk", "backoffice_clerk", "partner", "auditor"]


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


def owner(block: dict[str, Any], room: str, key: str = "1") -> Owner:
    return Owner.objects.get(project=block[f"p{key}"], name=f"业主{key}{room}")


@pytest.mark.parametrize("role", VIEWERS)
def test_viewers_see_projects_in_scope(login: Any, block: dict[str, Any], role: str) -> None:
    client = login(role)
    page = client.get(reverse("elevator:index"))
    assert page.status_code == 200
    assert "加梯项目1号" in page.content.decode()
    for name in ("project", "roll", "costs"):
        assert client.get(reverse(f"elevator:{name}", args=[block["p1"].pk])).status_code == 200
    assert client.get(reverse("elevator:vote", args=[block["v1"].pk])).status_code == 200
    p2_visible = "加梯项目2号" in page.content.decode()
    assert p2_visible == (role != "committee_staff")


@pytest.mark.parametrize("role", OUTSIDERS)
def test_other_roles_see_nothing(login: Any, block: dict[str, Any], role: str) -> None:
    client = login(role)
    assert client.get(reverse("elevator:index")).status_code == 403
    assert client.get(reverse("elevator:project", args=[block["p1"].pk])).status_code == 403
    assert client.get("/api/v1/elevator/projects/").status_code == 403


def test_staff_of_another_committee_see_nothing(login: Any, block: dict[str, Any]) -> None:
    client = login("committee_staff_2")
    assert "加梯项目1号" not in client.get(reverse("elevator:index")).content.decode()
    for name, arg in (
        ("project", block["p1"]),
        ("roll", block["p1"]),
        ("costs", block["p1"]),
        ("vote", block["v1"]),
    ):
        assert client.get(reverse(f"elevator:{name}", args=[arg.pk])).status_code == 404
    assert client.get(f"/api/v1/elevator/votes/{block['v1'].pk}/tally/").status_code == 404
    response = client.post(
        reverse("elevator:vote", args=[block["v1"].pk]),
        {"owner": owner(block, "101").pk, "choice": "agree", "channel": "paper"},
    )
    assert response.status_code == 404
    assert not Ballot.objects.exists()
    api = client.get("/api/v1/elevator/projects/").json()
    assert [p["name"] for p in api["results"]] == ["加梯项目2号"]


def test_street_staff_without_a_housing_department_cannot_enter_ballots(
    login: Any, block: dict[str, Any]
) -> None:
    client = login("street_staff")
    response = client.post(
        reverse("elevator:vote", args=[block["v1"].pk]),
        {"owner": owner(block, "101").pk, "choice": "agree", "channel": "paper"},
    )
    assert response.status_code == 403
    assert client.post(reverse("elevator:roll_build", args=[block["p1"].pk])).status_code == 403


def test_committee_staff_enter_a_paper_ballot_and_the_tally_updates(
    login: Any, block: dict[str, Any]
) -> None:
    client = login("committee_staff")
    url = reverse("elevator:vote", args=[block["v1"].pk])
    response = client.post(
        url, {"owner": owner(block, "101").pk, "choice": "agree", "channel": "paper"}
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "纸质票" in page and "待确认" in page
    data = client.get(f"/api/v1/elevator/votes/{block['v1'].pk}/tally/").json()
    assert data["agreeing_owners"] == 1 and data["agreeing_area"] == "50.00"
    assert data["rule"] == "SH-801-building"


def _owner_client(block: dict[str, Any], room: str = "101") -> tuple[Client, Owner]:
    issued = {o.pk: code for o, code in services.do_issue_codes(block["actor"], block["p1"])}
    o = owner(block, room)
    client = Client()
    n = ["101", "102", "201", "202", "301", "302", "401", "402", "501", "502", "601", "602"].index(
        room
    ) + 1
    response = client.post(
        reverse("elevator:owner_login"), {"code": issued[o.pk], "tail": id_number(n)[-4:]}
    )
    assert response.status_code == 302, response.content.decode()
    return client, o


def test_owner_sees_own_ballot_and_public_totals_only(block: dict[str, Any]) -> None:
    services.do_enter_ballot(block["actor"], block["v1"], owner(block, "202"), "against", "door")
    services.do_enter_ballot(block["actor"], block["v1"], owner(block, "101"), "agree", "paper")
    client, _o = _owner_client(block, "101")
    page = client.get(reverse("elevator:owner_ballot")).content.decode()
    assert "您目前的意见" in page and "同意" in page and "待您确认" in page
    assert "业主1202" not in page  # nobody else's name
    assert "业主1101" in page  # the owner's own name
    assert "310104" not in page  # no identity number, not even masked
    # Confirm, then the staff page shows it confirmed.
    vote_id = block["v1"].pk
    client.post(reverse("elevator:owner_confirm"), {"vote": vote_id})
    assert Ballot.objects.get(owner=owner(block, "101"), current=True).confirmed is not None
    # Override: the owner's own view replaces the one entered for them.
    client.post(reverse("elevator:owner_ballot"), {"vote": vote_id, "choice": "abstain"})
    assert Ballot.objects.get(owner=owner(block, "101"), current=True).choice == "abstain"
    assert Ballot.objects.filter(owner=owner(block, "101")).count() == 2


def test_owner_cannot_touch_another_project(block: dict[str, Any]) -> None:
    client, _o = _owner_client(block)
    response = client.post(
        reverse("elevator:owner_ballot"),
        {"vote": block["v2"].pk, "choice": "agree"},
    )
    assert response.status_code == 404
    services.do_enter_ballot(
        block["actor"], block["v2"], owner(block, "101", "2"), "agree", "paper"
    )
    confirm = client.post(reverse("elevator:owner_confirm"), {"vote": block["v2"].pk})
    assert confirm.status_code == 404
    assert Ballot.objects.get(vote=block["v2"]).confirmed is None


def test_owner_logout_ends_the_owner_session(block: dict[str, Any]) -> None:
    client, _o = _owner_client(block)
    assert client.get(reverse("elevator:owner_logout")).status_code == 405
    response = client.post(reverse("elevator:owner_logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("elevator:owner_login")
    assert client.get(reverse("elevator:owner_ballot")).status_code == 302


def test_owner_page_without_login_redirects_and_staff_pages_need_login(
    block: dict[str, Any],
) -> None:
    client = Client()
    assert client.get(reverse("elevator:owner_ballot")).status_code == 302
    assert client.get(reverse("elevator:owner_login")).status_code == 200
    assert client.get(reverse("elevator:guide")).status_code == 200
    assert client.get(reverse("elevator:index")).status_code == 302


def test_owner_login_is_throttled_per_address(block: dict[str, Any]) -> None:
    client = Client()
    url = reverse("elevator:owner_login")
    for _ in range(20):
        assert client.post(url, {"code": "AAAA-BBBB-CCCC", "tail": "1234"}).status_code == 200
    assert client.post(url, {"code": "AAAA-BBBB-CCCC", "tail": "1234"}).status_code == 429


def test_codes_page_shows_each_code_once(login: Any, block: dict[str, Any]) -> None:
    client = login("committee_staff")
    page = client.post(reverse("elevator:codes", args=[block["p1"].pk]))
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert page.content.decode().count("个人码：") == 12


def test_costs_add_up_to_the_residents_part(login: Any, block: dict[str, Any]) -> None:
    client = login("street_admin")
    url = reverse("elevator:costs", args=[block["p1"].pk])
    for method in ("coefficients", "segments", "hybrid", "area"):
        response = client.get(url, {"cost": "600000", "subsidy": "市级,1,240000", "method": method,
                                    "fixed_share": "1/2", "exempt_ground_floor": "on"})  # fmt: skip
        context = response.context
        assert "error" not in context, context.get("error")
        assert context["funding"]["residents"] == "360000.00"
        assert Decimal(context["total_share"]) == Decimal("360000.00")
        floor1 = [r for r in context["rows"] if r["floor"] == 1]
        assert all(r["share"] == "0.00" for r in floor1)
    coeff = client.get(url, {"cost": "600000", "subsidy": "市级,1,240000", "method": "coefficients",
                             "coefficients": "0.6,0.8,1.0,1.2,1.4", "exempt_ground_floor": "on"}).context  # fmt: skip
    assert [r["share"] for r in coeff["rows"] if r["floor"] == 6] == ["50400.00", "50400.00"]
    annex = client.get(
        reverse("elevator:annex", args=[block["p1"].pk]), {"cost": "600000", "method": "segments"}
    )
    assert "业主签名" in annex.content.decode()


def test_consultation_log_is_scoped(
    login: Any, block: dict[str, Any], street: dict[str, Any]
) -> None:
    client = login("committee_staff")
    response = client.post(reverse("elevator:consultation_new"), {
        "at": "2026-11-20T10:00", "channel": "phone", "asker": "陈先生", "committee": street["c2"].pk,
        "question": "一楼要出钱吗？", "answer": "", "follow_up": "2026-11-27",
    })  # fmt: skip
    assert response.status_code == 200  # committee of another scope is not offered
    response = client.post(reverse("elevator:consultation_new"), {
        "at": "2026-11-20T10:00", "channel": "phone", "asker": "陈先生", "committee": street["c1"].pk,
        "question": "一楼要出钱吗？", "answer": "", "follow_up": "2026-11-27",
    })  # fmt: skip
    assert response.status_code == 302
    assert "陈先生" in client.get(reverse("elevator:consultations")).content.decode()
    assert (
        "陈先生"
        not in login("committee_staff_2").get(reverse("elevator:consultations")).content.decode()
    )


def test_project_page_says_what_is_missing_and_next(login: Any, block: dict[str, Any]) -> None:
    page = (
        login("street_admin")
        .get(reverse("elevator:project", args=[block["p1"].pk]))
        .content.decode()
    )
    assert "工作组（三人小组）成立记录" in page and "缺少材料" in page
    assert "尚需" in page and "距全体一致" in page


def _make_projects(block: dict[str, Any], n: int) -> None:
    for i in range(n):
        project = services.do_save_project(
            block["actor"], Project(building=block["building1"], name=f"Q{i}")
        )
        project.members.create(name="x", role="y")


def test_list_query_count_is_constant(login: Any, block: dict[str, Any]) -> None:
    client = login("street_admin")
    _make_projects(block, 2)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("elevator:index"))
    _make_projects(block, 10)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("elevator:index"))
    assert len(many) == len(few)


def test_vote_page_query_count_is_constant(login: Any, block: dict[str, Any]) -> None:
    client = login("street_admin")
    services.work_calendar()  # read once per process, then one version check per page
    services.do_enter_ballot(block["actor"], block["v1"], owner(block, "101"), "agree", "paper")
    url = reverse("elevator:vote", args=[block["v1"].pk])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for room in ("102", "201", "202", "301", "302", "401"):
        services.do_enter_ballot(block["actor"], block["v1"], owner(block, room), "against", "door")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
    project_url = reverse("elevator:project", args=[block["p1"].pk])
    with CaptureQueriesContext(connection) as before:
        client.get(project_url)
    services.do_add_document(block["actor"], block["p1"], "working_group_record", None)
    block["p1"].members.create(name="a", role="b")
    with CaptureQueriesContext(connection) as after:
        client.get(project_url)
    assert len(after) == len(before)


def test_api_lists_are_paginated_and_ballots_keep_history(
    login: Any, block: dict[str, Any]
) -> None:
    o = owner(block, "101")
    services.do_enter_ballot(block["actor"], block["v1"], o, "agree", "paper")
    services.do_enter_ballot(block["actor"], block["v1"], o, "against", "paper")
    client = login("street_admin")
    data = client.get("/api/v1/elevator/projects/").json()
    assert data["count"] == 2 and "results" in data
    ballots = client.get(f"/api/v1/elevator/votes/{block['v1'].pk}/ballots/").json()
    assert [b["current"] for b in ballots["results"]] == [False, True]
    assert "name" not in ballots["results"][0]
    assert client.post("/api/v1/elevator/projects/", {}).status_code in (403, 405)


def test_ballot_register_exports_to_excel(login: Any, block: dict[str, Any]) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    services.do_enter_ballot(block["actor"], block["v1"], owner(block, "101"), "agree", "paper")
    response = login("committee_staff").get(
        reverse("elevator:vote", args=[block["v1"].pk]), {"export": "1"}
    )
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "业主" and len(rows) == 13
    assert (rows[1][0], rows[1][3]) == ("业主1101", "同意")


def test_project_is_created_from_the_page_and_audited(login: Any, block: dict[str, Any]) -> None:
    from linli.core.models import AuditRecord

    client = login("committee_staff")
    response = client.post(
        reverse("elevator:project_new"),
        {"name": "新项目", "building": block["building1"].pk, "works_cost_yuan": "580000"},
    )
    assert response.status_code == 302
    project = Project.objects.get(name="新项目")
    assert project.committee_id == block["p1"].committee_id
    assert project.works_cost_fen == 58_000_000
    assert AuditRecord.objects.filter(
        action="elevator.project.create", object_id=str(project.pk)
    ).exists()
    # A building of another committee is not offered.
    response = client.post(
        reverse("elevator:project_new"), {"name": "越权", "building": block["building2"].pk}
    )
    assert response.status_code == 200 and not Project.objects.filter(name="越权").exists()


@pytest.mark.parametrize("name", ["roll", "consultations", "reminders"])
def test_other_lists_have_constant_query_counts(
    login: Any, block: dict[str, Any], name: str
) -> None:
    from django.utils import timezone

    from linli.elevator.models import Consultation

    client = login("street_admin")
    url = (
        reverse(f"elevator:{name}", args=[block["p1"].pk])
        if name == "roll"
        else reverse(f"elevator:{name}")
    )

    def grow(n: int) -> None:
        for i in range(n):
            services.do_save_consultation(
                block["actor"],
                Consultation(at=timezone.now(), channel="phone", asker=f"A{i}", question="q",
                             project=block["p1"]),
            )  # fmt: skip
            services.do_add_maintenance(block["actor"], block["p1"], timezone.localdate(), "w", "")

    grow(1)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    grow(8)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
