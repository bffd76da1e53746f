"""One filter definition per list: the orders page and the orders API narrow alike, within
reach, and bad filter input names the field instead of failing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from linli.community import services
from linli.community.models import ServiceOrder
from linli.core.context import Actor

from .conftest import at

pytestmark = pytest.mark.django_db

PUBLIC = Actor(None, "t")
ORDER_LINK = re.compile(r'href="/community/orders/(\d+)/"')


@pytest.fixture
def orders(net: dict[str, Any]) -> dict[str, ServiceOrder]:
    """Three orders at the centre: one overdue, one accepted, one new."""
    made = {}
    for key in ("late", "accepted", "new"):
        made[key] = services.do_place_order(
            PUBLIC, position=net["centre"], menu_item=net["lecture"], requester_kind="resident",
            requester_name=key, phone=f"1380000{len(made):04d}",
        )  # fmt: skip
    ServiceOrder.objects.filter(pk=made["late"].pk).update(due_by=at(-2, 0).date())
    ServiceOrder.objects.filter(pk=made["accepted"].pk).update(status="accepted")
    return made


def page_ids(client: Client, query: str) -> list[int]:
    response = client.get(f"{reverse('community:orders')}?{query}")
    assert response.status_code == 200
    return sorted({int(pk) for pk in ORDER_LINK.findall(response.content.decode())})


def api_ids(client: Client, query: str) -> list[int]:
    response = client.get(f"/api/v1/community/orders/?{query}")
    assert response.status_code == 200
    return sorted(o["id"] for o in response.json()["results"])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["late", "accepted", "new"]),
        ("overdue=true", ["late"]),
        ("overdue=false", ["accepted", "new"]),
        ("status=accepted", ["accepted"]),
        ("status=ordered&overdue=false", ["new"]),
    ],
)
def test_the_orders_page_and_the_api_filter_alike(
    client: Client,
    net: dict[str, Any],
    orders: dict[str, ServiceOrder],
    query: str,
    expected: list[str],
) -> None:
    client.force_login(net["dangqun"])
    want = sorted(orders[k].pk for k in expected)
    assert page_ids(client, query) == want
    assert api_ids(client, query) == want


def test_the_old_overdue_link_still_lists_the_overdue_orders(
    client: Client, net: dict[str, Any], orders: dict[str, ServiceOrder]
) -> None:
    client.force_login(net["dangqun"])
    assert page_ids(client, "status=overdue") == [orders["late"].pk]


@pytest.mark.parametrize(
    ("query", "field"),
    [("status=lost", "status"), ("committee=x", "committee"), ("position=abc", "position")],
)
def test_bad_order_filter_input_names_the_field(
    client: Client,
    net: dict[str, Any],
    orders: dict[str, ServiceOrder],
    query: str,
    field: str,
) -> None:
    client.force_login(net["dangqun"])
    page = client.get(f"{reverse('community:orders')}?{query}")
    assert page.status_code == 200
    body = page.content.decode()
    assert ORDER_LINK.findall(body) == []  # not the unfiltered list
    assert 'class="errorlist" role="alert"' in body
    api = client.get(f"/api/v1/community/orders/?{query}")
    assert api.status_code == 400
    assert list(api.json()["fields"]) == [field]


def test_a_committee_out_of_reach_is_a_field_error_not_its_orders(
    client: Client, net: dict[str, Any], orders: dict[str, ServiceOrder], street: dict[str, Any]
) -> None:
    from linli.core.models import User

    staff = User.objects.get(username="committee_staff")  # reaches 陕新 (HN01) only
    client.force_login(staff)
    query = f"committee={street['c2'].pk}"
    page = client.get(f"{reverse('community:orders')}?{query}")
    assert page.status_code == 200
    assert ORDER_LINK.findall(page.content.decode()) == []
    assert "居委：" in page.content.decode()
    api = client.get(f"/api/v1/community/orders/?{query}")
    assert api.status_code == 400
    assert list(api.json()["fields"]) == ["committee"]
