"""Role matrix of the pages and API, lists (search, export), statistics and query counts."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from linli.core.context import Actor
from linli.hall import services
from linli.hall.models import Hall, Item

pytestmark = pytest.mark.django_db

ALL = ["street_admin", "street_staff", "committee_staff", "committee_staff_2", "inspector",
       "window_clerk", "backoffice_clerk", "partner", "auditor"]  # fmt: skip
MATRIX = {
    "hall:index": {"street_admin", "street_staff", "window_clerk", "backoffice_clerk"},
    "hall:items": {"street_admin", "street_staff", "window_clerk", "backoffice_clerk"},
    "hall:cases": {"street_admin", "street_staff", "window_clerk", "backoffice_clerk"},
    "hall:ratings": {"street_admin", "street_staff"},
    "hall:stats": {"street_admin", "street_staff"},
    "hall:staffing": {"street_admin", "street_staff"},
    "hall:window_choose": {"window_clerk"},
    "hall:backoffice": {"backoffice_clerk"},
    "hall:supervise": {"street_admin"},
}


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_role_matrix(client: Any, centre: dict[str, Any], users: Any, name: str) -> None:
    for role in ALL:
        client.force_login(users[role])
        code = client.get(reverse(name)).status_code
        assert (
            code in (200, 302 if name == "hall:window_choose" else 200)
            if role in MATRIX[name]
            else code == 403
        ), (role, code)


def test_anonymous_is_sent_to_login_but_public_pages_open(
    client: Any, centre: dict[str, Any]
) -> None:
    assert client.get(reverse("hall:index")).status_code == 302
    assert client.get(reverse("hall:window_choose")).status_code == 302
    for url in (reverse("hall:kiosk", args=["A"]), reverse("hall:board", args=["B"]),
                reverse("hall:board_data", args=["A"])):  # fmt: skip
        assert client.get(url).status_code == 200


def test_api_matrix_and_no_personal_data(client: Any, centre: dict[str, Any], users: Any) -> None:
    services.do_issue_ticket(centre["qa"], "11010519491231002X")
    for role in ALL:
        client.force_login(users[role])
        response = client.get("/api/v1/hall/tickets/")
        assert response.status_code == (200 if role in {"street_admin", "street_staff"} else 403), (
            role
        )
    client.force_login(users["street_admin"])
    body = client.get("/api/v1/hall/tickets/").json()
    assert body["results"][0]["number"] == "A001"
    assert "id_hash" not in body["results"][0] and "age_band" not in body["results"][0]
    items = client.get("/api/v1/hall/items/").json()
    assert items["results"][0]["code"] == "SB002"


def test_catalogue_search_by_alias_and_pinyin(
    client: Any, centre: dict[str, Any], users: Any
) -> None:
    item = Item(code="GA001", name="居住证办理", aliases="居住登记", category="公安户政",
                hall=centre["B"], queue=centre["qb"])  # fmt: skip
    services.do_save_item(Actor(users["street_admin"], "t"), item)
    assert item.pinyin == "jzzbl jzdj"
    client.force_login(users["window_clerk"])
    for q in ("jzz", "居住登记", "GA001"):
        page = client.get(reverse("hall:items"), {"q": q}).content.decode()
        assert "居住证办理" in page and "社会保障卡申领" not in page, q
    page = client.get(reverse("hall:items"), {"q": "ybk"}).content.decode()  # 医保卡 alias
    assert "社会保障卡申领" in page
    export = client.get(reverse("hall:item_export"), {"channel": "citywide"})
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["SB002"]


def _fill(centre: dict[str, Any], users: Any, n: int) -> None:
    clerk = Actor(users["window_clerk"], "t")
    start = Item.objects.count()
    for i in range(start, start + n):
        Item.objects.create(code=f"X{i:03d}", name=f"事项{i}", category="其他",
                            hall=centre["A"], queue=centre["qa"])  # fmt: skip
        ticket = services.do_issue_ticket(centre["qa"])
        services.do_call_next_ticket(clerk, centre["w1"])
        services.do_start_ticket(clerk, ticket)
        services.do_open_case(clerk, centre["item"], ticket=ticket)
        services.do_finish_ticket(clerk, ticket)
        services.do_rate_ticket(ticket, 1 + i % 5)


def _count(client: Any, url: str) -> int:
    Hall.objects.update(board_seen_at=None)  # the board's heartbeat write happens every time
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_constant_query_counts(client: Any, centre: dict[str, Any], users: Any) -> None:
    urls = [reverse("hall:items"), reverse("hall:cases"), reverse("hall:ratings"),
            reverse("hall:stats"), reverse("hall:board_data", args=["A"]),
            reverse("hall:window", args=[1]), "/api/v1/hall/tickets/", "/api/v1/hall/cases/"]  # fmt: skip
    _fill(centre, users, 2)
    client.force_login(users["street_admin"])
    small = {u: _count(client, u) for u in urls if "window" not in u}
    _fill(centre, users, 12)
    large = {u: _count(client, u) for u in urls if "window" not in u}
    assert small == large
    client.force_login(users["window_clerk"])
    before = _count(client, reverse("hall:window", args=[1]))
    for _ in range(5):
        services.do_issue_ticket(centre["qa"])
    assert _count(client, reverse("hall:window", args=[1])) == before


def test_statistics_and_staffing_pages(client: Any, centre: dict[str, Any], users: Any) -> None:
    _fill(centre, users, 6)
    client.force_login(users["street_staff"])
    page = client.get(reverse("hall:stats")).content.decode()
    assert "<svg" in page and "过号率" in page
    export = client.get(reverse("hall:stats_export"))
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert ("合计", "取号", 6) in rows
    staffing = client.get(reverse("hall:staffing"), {"target": "0.8", "within": "10"})
    assert staffing.status_code == 200 and "每小时所需窗口" in staffing.content.decode()


def test_case_list_overdue_and_export(client: Any, centre: dict[str, Any], users: Any) -> None:
    _fill(centre, users, 3)
    client.force_login(users["street_staff"])
    page = client.get(reverse("hall:cases")).content.decode()
    assert "社会保障卡申领" in page
    assert (
        "社会保障卡申领" not in client.get(reverse("hall:cases"), {"overdue": "1"}).content.decode()
    )
    export = client.get(reverse("hall:case_export"))
    assert len(list(load_workbook(io.BytesIO(export.content)).active.iter_rows())) == 4


def test_setup_windows_hours_and_holidays(client: Any, centre: dict[str, Any], users: Any) -> None:
    from linli.core.models import AuditRecord
    from linli.hall.models import Queue

    url = reverse("hall:setup")
    client.force_login(users["window_clerk"])
    assert client.get(url).status_code == 403
    client.force_login(users["street_admin"])
    page = client.get(url).content.decode()
    assert 'form="win-' in page
    w1 = centre["w1"]
    qy = Queue.objects.create(hall=centre["A"], prefix="Y", name="预约")
    configure = reverse("hall:setup_window")
    client.post(configure, {"window": w1.pk, "queues": [centre["qa"].pk, qy.pk],
                            "active": "1", "off_duty": "1"})  # fmt: skip
    w1.refresh_from_db()
    assert sorted(w1.skills.values_list("prefix", flat=True)) == ["A", "Y"] and w1.clerk is None
    response = client.post(configure, {"window": w1.pk, "active": "1"}, follow=True)
    assert "至少要受理一个队列" in response.content.decode()
    for bad in ("²", "A", "9" * 40):
        response = client.post(configure, {"window": w1.pk, "queues": [bad]}, follow=True)
        assert "受理队列：请从列表中勾选" in response.content.decode()
    assert sorted(w1.skills.values_list("prefix", flat=True)) == ["A", "Y"]
    hours = {"hall": centre["A"].pk, "opens": "08:30", "closes": "17:30"}
    client.post(reverse("hall:setup_hours"), hours)
    centre["A"].refresh_from_db()
    assert str(centre["A"].opens_at) == "08:30:00"
    # Holidays are the street's one calendar now: the page links to it.
    assert reverse("work_calendar") in client.get(url).content.decode()
    assert AuditRecord.objects.filter(action="hall.window.configure").exists()


def test_ticket_log_list_detail_export(client: Any, centre: dict[str, Any], users: Any) -> None:
    _fill(centre, users, 3)
    from linli.core.models import User

    # A window clerk reads the tickets they served, and no one else's (issue 10).
    other = User.objects.create(username="clerk_b", role="window_clerk")
    client.force_login(other)
    page = client.get(reverse("hall:tickets"), {"state": "done"}).content.decode()
    assert "A001" not in page
    client.force_login(users["window_clerk"])
    page = client.get(reverse("hall:tickets"), {"state": "done"}).content.decode()
    assert "A001" in page and "A003" in page
    client.force_login(users["partner"])
    assert client.get(reverse("hall:tickets")).status_code == 403
    client.force_login(users["street_staff"])
    page = client.get(reverse("hall:tickets"), {"state": "done"}).content.decode()
    assert "A001" in page and "A003" in page
    from linli.hall.models import Ticket

    ticket = Ticket.objects.get(number="A002")
    detail = client.get(reverse("hall:ticket", args=[ticket.pk])).content.decode()
    assert "叫号" in detail and "开始办理" in detail and "办理中 → 办结" in detail
    export = client.get(reverse("hall:ticket_export"))
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert len(rows) == 4 and rows[1][0] == "A001"
    urls = [reverse("hall:tickets")]
    before = _count(client, urls[0])
    _fill(centre, users, 5)
    assert _count(client, urls[0]) == before
