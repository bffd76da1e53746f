"""The kiosk as a resident meets it: search, check-in at either hall, a card asked for."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from linli.hall import services
from linli.hall.models import Item, Queue, Slot, Ticket

from .conftest import VALID_OLD

pytestmark = pytest.mark.django_db


@pytest.fixture
def jzz(centre: dict[str, Any]) -> Item:
    return Item.objects.create(
        code="GA001", name="居住证办理", aliases="居住登记", pinyin="jzzbl jzdj",
        category="公安户政", hall=centre["B"], queue=centre["qb"],
    )  # fmt: skip


def test_kiosk_search_finds_the_queue_by_name_or_pinyin(
    client: Any, centre: dict[str, Any], jzz: Item
) -> None:
    at_b = client.get(reverse("hall:kiosk", args=["B"]), {"q": "居住证"}).content.decode()
    assert "居住证办理" in at_b and "在本厅取号：公安户政" in at_b
    at_a = client.get(reverse("hall:kiosk", args=["A"]), {"q": "jzz"}).content.decode()
    assert "居住证办理" in at_a and "请到 B厅 专业服务 取号（B 公安户政）" in at_a
    none = client.get(reverse("hall:kiosk", args=["A"]), {"q": "火箭"}).content.decode()
    assert "没有找到这项业务" in none


@pytest.fixture
def today_slot(centre: dict[str, Any]) -> Slot:
    Queue.objects.create(hall=centre["A"], prefix="Y", name="预约")
    return Slot.objects.create(
        item=centre["item"], day=timezone.localdate(), starts_at=time(23, 59), capacity=3
    )


def test_check_in_without_a_card_asks_for_the_card(client: Any, today_slot: Slot) -> None:
    refused = client.post(reverse("hall:kiosk", args=["A"]), {"checkin": "1", "id_number": ""})
    body = refused.content.decode()
    assert refused.status_code == 400 and "预约签到请先在读卡区刷身份证" in body
    assert "身份证号码无效" not in body


def test_kiosk_b_checks_in_and_the_slip_sends_the_resident_to_hall_a(
    client: Any, today_slot: Slot
) -> None:
    services.do_book_appointment(today_slot, VALID_OLD)
    url = reverse("hall:kiosk", args=["B"])
    assert 'name="checkin"' in client.get(url).content.decode()
    response = client.post(url, {"checkin": "1", "id_number": VALID_OLD})
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"].endswith("?k=B")
    slip = client.get(response["Location"]).content.decode()
    assert "请到 A厅 综合业务受理 等候叫号" in slip
    assert f'href="{reverse("hall:kiosk", args=["B"])}"' in slip  # back to the kiosk used
    assert ticket.number == "Y001"
