"""List pages page by keyset: every page costs the same queries, with no OFFSET."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from linli.geo import paging
from linli.geo.models import Household

pytestmark = pytest.mark.django_db

URL = "/places/households/"
ROW = re.compile(r"<a href=\"/places/households/(\d+)/\">")


@pytest.fixture
def many(street: dict[str, Any]) -> list[int]:
    """120 more households in the first committee (123 in the street with the fixture's)."""
    Household.objects.bulk_create(
        Household(
            entrance=street["entrance1"],
            committee=street["c1"],
            room=f"{n:03d}室",
            floor=n % 6 + 1,
            exclusive_area=Decimal(10 + n),
        )
        for n in range(120)
    )
    return list(Household.objects.values_list("pk", flat=True))


def _link(html: str, rel: str) -> str:
    found = re.search(rf'rel="{rel}" href="\?([^"]*)"', html)
    assert found, f"no {rel} link"
    return "?" + found.group(1).replace("&amp;", "&")


def _rows(html: str) -> list[int]:
    return [int(pk) for pk in ROW.findall(html)]


def test_pages_walk_the_whole_list_forward_and_back(login: Any, many: list[int]) -> None:
    client = login("street_admin")
    first = client.get(URL).content.decode()
    assert "共 122 条" in first and 'rel="prev"' not in first
    second = client.get(URL + _link(first, "next")).content.decode()
    third = client.get(URL + _link(second, "next")).content.decode()
    assert 'rel="next"' not in third
    seen = _rows(first) + _rows(second) + _rows(third)
    assert len(_rows(first)) == len(_rows(second)) == 50
    assert sorted(seen) == sorted(many) and len(seen) == len(set(seen))
    back = client.get(URL + _link(third, "prev")).content.decode()
    assert _rows(back) == _rows(second)
    assert _rows(client.get(URL + _link(back, "prev")).content.decode()) == _rows(first)
    last = client.get(URL, {"cursor": "last"}).content.decode()
    assert _rows(last) == seen[-50:] and 'rel="next"' not in last


def test_the_first_and_a_far_page_run_the_same_queries_without_offset(
    login: Any, many: list[int]
) -> None:
    client = login("street_admin")
    first = client.get(URL).content.decode()
    far = URL + _link(client.get(URL + _link(first, "next")).content.decode(), "next")
    counts = []
    for url in (URL, far, URL + "?cursor=last"):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        assert not [q["sql"] for q in ctx.captured_queries if "OFFSET" in q["sql"].upper()]
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] == counts[2]


def test_sorting_and_filters_survive_paging(login: Any, many: list[int], street: Any) -> None:
    client = login("street_admin")
    query = {"sort": "-exclusive_area", "committee": street["c1"].pk}
    first = client.get(URL, query).content.decode()
    assert "共 121 条" in first
    areas = list(
        Household.objects.filter(committee=street["c1"])
        .order_by("-exclusive_area", "pk")
        .values_list("pk", flat=True)
    )
    assert _rows(first) == areas[:50]
    following = _link(first, "next")
    assert "sort=-exclusive_area" in following and f"committee={street['c1'].pk}" in following
    assert _rows(client.get(URL + following).content.decode()) == areas[50:100]


def test_a_bad_cursor_shows_the_first_page_and_says_so(login: Any, many: list[int]) -> None:
    client = login("street_admin")
    first = client.get(URL).content.decode()
    for cursor in ("garbage", "eyJ4IjoxfQ==", _link(first, "next").split("cursor=")[1] + "x"):
        response = client.get(URL, {"cursor": cursor})
        assert response.status_code == 400
        html = response.content.decode()
        assert "分页位置无效" in html and _rows(html) == _rows(first)
    # A cursor of another sort is refused the same way.
    other = client.get(URL + _link(first, "next").replace("?", "?sort=floor&", 1))
    assert other.status_code == 400 and "分页位置无效" in other.content.decode()


def test_a_long_list_shows_a_capped_count(login: Any, many: list[int], monkeypatch: Any) -> None:
    monkeypatch.setattr(paging, "COUNT_CAP", 100)
    html = login("street_admin").get(URL).content.decode()
    assert "超过 100 条" in html and "共 " not in html
