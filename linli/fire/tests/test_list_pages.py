"""The registers, the due lists and the plans page by keyset; a district account narrows the
registers to one street."""

from __future__ import annotations

import base64
import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from linli.core.context import Actor
from linli.core.models import User
from linli.core.roles import Role
from linli.fire.models import Extinguisher, WorkPlan
from linli.fire.rules import add_years
from linli.geo import divisions
from linli.geo.models import Committee, District, Subdistrict

from .factories import extinguisher, today

pytestmark = pytest.mark.django_db

URL = "/fire/registry/extinguishers/"


def _next(html: str) -> str:
    found = re.search(r'rel="next" href="\?([^"]*)"', html)
    assert found
    return "?" + found.group(1).replace("&amp;", "&")


def _count(client: Any, url: str, status: int = 200) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == status, url
    assert not [q for q in ctx.captured_queries if "OFFSET" in q["sql"].upper()], url
    return response.content.decode(), len(ctx.captured_queries)


def _overdue(street: Any, start: int, n: int) -> None:
    """Units 10 to 12 days overdue and inspected 40 to 42 days ago, so that date order is not
    serial order."""
    for i in range(start, start + n):
        made = add_years(today() - timedelta(days=10 + (i * 7) % 3), -5)
        seen = today() - timedelta(days=40 + (i * 5) % 3)
        extinguisher(
            street, key="1" if i % 2 else "2", serial=f"D{i:03d}", manufactured=made,
            placed_on=made, last_inspected=seen,
        )  # fmt: skip


def _walk(client: Any, url: str) -> tuple[list[list[str]], list[int]]:
    """Every page of ``url`` by its "next" links: the rows of each page and its query count."""
    pages, counts = [], []
    html, n = _count(client, url)
    while True:
        pages.append(re.findall(r'data-(?:serial|plan)="([^"]+)"', html))
        counts.append(n)
        if 'rel="next"' not in html:
            return pages, counts
        html, n = _count(client, url.split("?")[0] + _next(html))


@pytest.mark.parametrize("which", ["overdue", "30", "inspection"])
def test_the_due_lists_page_by_keyset_in_due_date_order(
    login: Any, street: Any, which: str
) -> None:
    _overdue(street, 0, 60)
    client = login("street_admin")
    field = "next_inspection" if which == "inspection" else "next_due"
    expected = list(Extinguisher.objects.order_by(field, "serial").values_list("serial", flat=True))
    assert len(set(Extinguisher.objects.values_list(field, flat=True))) == 3
    url = f"/fire/due/?list={which}&committee={street['c1'].pk}"
    in_c1 = [s for s in expected if int(s[1:]) % 2]
    pages, counts = _walk(client, url)
    assert [len(p) for p in pages] == [30]  # 30 of the 60 units are in c1: one page
    assert pages[0] == in_c1

    url = f"/fire/due/?list={which}"
    pages, counts = _walk(client, url)
    assert pages[0] == expected[:50] and pages[1] == expected[50:]  # no overlap, no gap
    first = client.get(url).content.decode()
    assert "共 60 条" in first and f"list={which}" in _next(first)
    assert "page=" not in first
    assert len(set(counts)) == 1

    _overdue(street, 60, 60)  # twice the rows: the same number of queries
    more, bigger = _walk(client, url)
    assert [len(p) for p in more] == [50, 50, 20]
    assert [row for page in more for row in page] == list(
        Extinguisher.objects.order_by(field, "serial").values_list("serial", flat=True)
    )
    assert set(bigger) == set(counts)

    bad, n = _count(client, url + "&cursor=not-a-cursor", status=400)
    assert "分页位置无效" in bad and re.findall(r'data-serial="([^"]+)"', bad) == more[0]
    assert n == counts[0]
    forged = json.dumps({"o": f"{field},serial,pk", "r": False, "v": ["x", "D1", 1]}).encode()
    _count(client, f"{url}&cursor={base64.urlsafe_b64encode(forged).decode()}", status=400)
    export = re.search(r'href="(/fire/due/export/\?[^"]*)"', bad)
    assert export and "cursor" not in export.group(1) and f"list={which}" in export.group(1)


def test_the_plans_list_pages_by_keyset_newest_first(login: Any, street: Any) -> None:
    def grow(start: int, n: int) -> None:
        for i in range(start, start + n):
            plan = WorkPlan.objects.create(name=f"计划{i}", committee=street[f"c{i % 2 + 1}"])
            stamp = plan.created_at - timedelta(days=(i * 7) % 5)
            WorkPlan.objects.filter(pk=plan.pk).update(created_at=stamp)

    grow(0, 60)
    client = login("street_admin")

    def expected() -> list[str]:
        return [str(pk) for pk in WorkPlan.objects.order_by("-created_at", "-pk")
                .values_list("pk", flat=True)]  # fmt: skip

    pages, counts = _walk(client, "/fire/plans/")
    assert pages[0] == expected()[:50] and pages[1] == expected()[50:]
    assert len(set(counts)) == 1
    grow(60, 60)
    more, bigger = _walk(client, "/fire/plans/")
    assert [len(p) for p in more] == [50, 50, 20] and [
        row for page in more for row in page
    ] == expected()
    assert set(bigger) == set(counts)
    bad, n = _count(client, "/fire/plans/?cursor=eyJvIjoiLWNyZWF0ZWRfYXQifQ", status=400)
    assert "分页位置无效" in bad and re.findall(r'data-plan="([^"]+)"', bad) == more[0]
    assert n == counts[0]


def test_the_extinguisher_register_pages_by_keyset(login: Any, street: Any) -> None:
    for n in range(60):
        extinguisher(street, serial=f"MH{n:03d}")
    client = login("street_admin")
    first = client.get(URL).content.decode()
    assert "共 60 条" in first and "MH000" in first and "MH059" not in first
    with CaptureQueriesContext(connection) as ctx_first:
        client.get(URL)
    with CaptureQueriesContext(connection) as ctx_next:
        second = client.get(URL + _next(first)).content.decode()
    assert "MH059" in second and "MH000" not in second
    assert len(ctx_first.captured_queries) == len(ctx_next.captured_queries)
    assert not [q for q in ctx_next.captured_queries if "OFFSET" in q["sql"].upper()]
    bad = client.get(URL, {"cursor": "not-a-cursor"})
    assert bad.status_code == 400 and "分页位置无效" in bad.content.decode()


def test_a_district_user_narrows_the_registers_to_one_street(client: Any, street: Any) -> None:
    divisions.load(Actor.system("test"))
    tianping = Subdistrict.objects.get(code="310104003")
    other = Committee.objects.create(subdistrict=tianping, code="TP01", name="天平居委")
    extinguisher(street, serial="HN-E1")
    extinguisher(street, serial="TP-E1", committee=other, building=None, entrance=None)
    client.force_login(User.objects.create(
        username="d", role=Role.DISTRICT_SAFETY, district=District.objects.get(code="310104")
    ))  # fmt: skip
    whole = client.get(URL).content.decode()
    assert 'name="street"' in whole and "HN-E1" in whole and "TP-E1" in whole
    narrowed = client.get(URL, {"street": tianping.pk}).content.decode()
    assert "TP-E1" in narrowed and "HN-E1" not in narrowed
