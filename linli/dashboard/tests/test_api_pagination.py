"""Every API list pages with cursors: whole walks, walks while rows are added, the same
cost on every page, and bad cursors answered 400 naming the field."""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from linli.geo.models import Building, Household

pytestmark = pytest.mark.django_db


def _households(street: dict[str, Any], n: int) -> list[Household]:
    """``n`` more households in committee 1, with areas that repeat (ties need the pk)."""
    return Household.objects.bulk_create(
        Household(entrance=street["entrance1"], committee=street["c1"], room=f"{i}室",
                  floor=1 + i % 4, exclusive_area=Decimal(10 + i % 3))
        for i in range(n)
    )  # fmt: skip


def _walk(client: Any, url: str, *, between: Any = None) -> tuple[list[int], int]:
    """Follow ``next`` from ``url`` to the end: the ids in order and the number of pages."""
    ids: list[int] = []
    pages = 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        ids += [row["id"] for row in body["results"]]
        pages += 1
        url = body["next"]
        if between is not None and url:
            between(pages)
    return ids, pages


def test_walking_every_page_returns_every_row_once_in_order(
    login: Any, street: dict[str, Any]
) -> None:
    _households(street, 10)
    client = login("street_admin")
    # Rows of committees come committee by committee, by id inside each.
    expected = list(Household.objects.order_by("committee_id", "pk").values_list("pk", flat=True))
    ids, pages = _walk(client, "/api/v1/households/?page_size=3")
    assert ids == expected
    assert pages == 4  # 12 rows in pages of 3
    first = client.get("/api/v1/households/?page_size=3").json()
    assert first["count"] == 12
    assert first["previous"] is None
    assert "cursor=" in first["next"] and "page_size=3" in first["next"]


def test_previous_links_walk_back_over_the_same_pages(login: Any, street: dict[str, Any]) -> None:
    _households(street, 7)
    client = login("street_admin")
    forward = []
    url = "/api/v1/households/?page_size=4"
    last: dict[str, Any] = {}
    while url:
        last = client.get(url).json()
        forward.append([row["id"] for row in last["results"]])
        url = last["next"]
    backward = []
    url = last["previous"]
    while url:
        body = client.get(url).json()
        backward.append([row["id"] for row in body["results"]])
        url = body["previous"]
    assert backward == forward[-2::-1]


@pytest.mark.parametrize("ordering", ["exclusive_area", "-exclusive_area", "floor", "-room"])
def test_a_sorted_walk_keeps_ties_apart_by_id(
    login: Any, street: dict[str, Any], ordering: str
) -> None:
    _households(street, 10)
    client = login("street_admin")
    expected = list(
        Household.objects.order_by(ordering, ("-pk" if ordering.startswith("-") else "pk"))
        .values_list("pk", flat=True)
    )  # fmt: skip
    ids, _pages = _walk(client, f"/api/v1/households/?ordering={ordering}&page_size=3")
    assert ids == expected


@pytest.mark.parametrize("ordering", ["year_built", "-year_built"])
def test_a_column_with_empty_values_is_walked_whole(
    login: Any, street: dict[str, Any], ordering: str
) -> None:
    for i, year in enumerate([None, 1950, None, 1930, 1990, None]):
        Building.objects.create(
            estate=street["estate1"], committee=street["c1"], name=f"{i}号楼",
            housing_type="lane", structure="brick_timber", floors=3, year_built=year,
        )  # fmt: skip
    client = login("street_admin")
    ids, _pages = _walk(client, f"/api/v1/buildings/?ordering={ordering}&page_size=2")
    assert sorted(ids) == sorted(Building.objects.values_list("pk", flat=True))
    years = dict(Building.objects.values_list("pk", "year_built"))
    shown = [years[i] for i in ids]
    known = [y for y in shown if y is not None]
    # Empty years come last going up and first going down; the rest in order.
    if ordering == "year_built":
        assert shown[len(known) :] == [None, None, None]
        assert known == sorted(known)
    else:
        assert shown[:3] == [None, None, None]
        assert known == sorted(known, reverse=True)


def test_rows_added_between_requests_skip_or_repeat_no_row(
    login: Any, street: dict[str, Any]
) -> None:
    made = _households(street, 10)
    client = login("street_admin")
    before = set(Household.objects.values_list("pk", flat=True))
    added: list[Household] = []

    def add_rows(page: int) -> None:
        # One row sorts before the pages already read (smallest area), one after them.
        added.append(Household.objects.create(
            entrance=street["entrance1"], committee=street["c1"], room=f"前{page}",
            floor=1, exclusive_area=Decimal("1.00")))  # fmt: skip
        added.append(Household.objects.create(
            entrance=street["entrance1"], committee=street["c1"], room=f"后{page}",
            floor=1, exclusive_area=Decimal("99.00")))  # fmt: skip

    ids, _pages = _walk(
        client, "/api/v1/households/?ordering=exclusive_area&page_size=3", between=add_rows
    )
    assert len(ids) == len(set(ids))  # none twice
    assert before <= set(ids)  # none of the rows there from the start missed
    later = {h.pk for h in added if h.exclusive_area == Decimal("99.00")}
    assert later <= set(ids)  # rows added after the cursor's place are reached
    assert made  # the walk had rows of its own


def test_the_last_page_costs_the_queries_of_the_first(login: Any, street: dict[str, Any]) -> None:
    _households(street, 20)
    client = login("street_admin")
    url = "/api/v1/households/?page_size=5&ordering=-exclusive_area"
    client.get(url)  # the session and the user are cached after the first request
    with CaptureQueriesContext(connection) as first:
        body = client.get(url).json()
    while body["next"]:
        last_url = body["next"]
        body = client.get(last_url).json()
    with CaptureQueriesContext(connection) as last:
        assert client.get(last_url).json()["next"] is None
    assert len(last.captured_queries) == len(first.captured_queries)
    assert "OFFSET" not in last.captured_queries[-1]["sql"].upper()


def _cursor(payload: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        "%%%",
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        _cursor(["a", "list"]),
        _cursor({"o": "pk", "r": False}),
        _cursor({"o": "pk", "r": "no", "v": [1]}),
        _cursor({"o": "-pk", "r": False, "v": [1]}),  # another order's cursor
        _cursor({"o": "pk", "r": False, "v": [1, 2]}),
        _cursor({"o": "pk", "r": False, "v": [None]}),
        _cursor({"o": "pk", "r": False, "v": [{"x": 1}]}),
        _cursor({"o": "pk", "r": False, "v": ["abc"]}),
    ],
)
def test_a_bad_cursor_is_refused_naming_the_field(
    login: Any, street: dict[str, Any], cursor: str
) -> None:
    response = login("street_admin").get("/api/v1/committees/", {"cursor": cursor})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_cursor"
    assert body["field"] == "cursor"
    assert "游标" in body["message"]


def test_a_cursor_past_every_row_gives_an_empty_page_back_to_the_start(
    login: Any, street: dict[str, Any]
) -> None:
    cursor = _cursor({"o": "committee_id,pk", "r": False, "v": [10**30, 10**30]})
    body = login("street_admin").get("/api/v1/households/", {"cursor": cursor}).json()
    assert body["results"] == []
    assert body["next"] is None
    assert body["previous"] == "http://testserver/api/v1/households/"


@pytest.mark.parametrize("value", ["abc", "2026-13-45", "1\x00"])
def test_a_cursor_value_the_column_cannot_hold_is_refused(
    login: Any, street: dict[str, Any], value: str
) -> None:
    cursor = _cursor({"o": "exclusive_area,pk", "r": False, "v": [value, 1]})
    response = login("street_admin").get(
        "/api/v1/households/", {"ordering": "exclusive_area", "cursor": cursor}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_cursor"


def test_a_cursor_is_no_key_to_another_streets_rows(login: Any, street: dict[str, Any]) -> None:
    client = login("committee_staff")
    cursor = _cursor({"o": "committee_id,pk", "r": False, "v": [0, 0]})
    body = client.get("/api/v1/households/", {"cursor": cursor}).json()
    ids = [row["id"] for row in body["results"]]
    assert ids == [street["household1"].pk]
