"""Business hours and holidays at the kiosk: closed means no ticket, and says when it opens."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from linli.core import workcalendar
from linli.core.context import Actor
from linli.hall import services
from linli.hall.models import Slot, Ticket

from .conftest import VALID_OLD

pytestmark = pytest.mark.django_db


def _at(monkeypatch: pytest.MonkeyPatch, *args: int) -> datetime:
    moment = timezone.make_aware(datetime(*args))  # type: ignore[misc]
    monkeypatch.setattr(services, "kiosk_clock", lambda: moment)
    return moment


def test_open_inside_hours_issues(client: Any, centre: dict[str, Any], monkeypatch: Any) -> None:
    _at(monkeypatch, 2026, 11, 25, 9, 0)  # Wednesday, opening time
    url = reverse("hall:kiosk", args=["A"])
    assert "综合业务受理" in client.get(url).content.decode()
    response = client.post(url, {"queue": centre["qa"].pk})
    assert response.status_code == 302 and Ticket.objects.count() == 1


def test_closed_after_hours_says_when_it_opens(
    client: Any, centre: dict[str, Any], monkeypatch: Any
) -> None:
    _at(monkeypatch, 2026, 11, 25, 17, 0)  # Wednesday, closing time
    url = reverse("hall:kiosk", args=["A"])
    page = client.get(url).content.decode()
    assert "不营业" in page and "2026-11-26（星期四）09:00" in page
    assert 'name="queue"' not in page
    response = client.post(url, {"queue": centre["qa"].pk})
    assert response.status_code == 400 and "2026-11-26" in response.content.decode()
    assert not Ticket.objects.exists()
    _at(monkeypatch, 2026, 11, 25, 8, 0)  # before opening: opens today
    assert "2026-11-25（星期三）09:00" in client.get(url).content.decode()


def test_closed_on_weekend_and_holiday(
    client: Any, centre: dict[str, Any], monkeypatch: Any, users: dict[str, Any]
) -> None:
    admin = Actor(users["street_admin"])
    workcalendar.set_day(admin, date(2026, 11, 30), "holiday", "测试假日")
    _at(monkeypatch, 2026, 11, 28, 10, 0)  # Saturday; Monday the 30th is a holiday
    page = client.get(reverse("hall:kiosk", args=["A"])).content.decode()
    assert "2026-12-01（星期二）09:00" in page
    _at(monkeypatch, 2026, 11, 30, 10, 0)
    response = client.post(reverse("hall:kiosk", args=["A"]), {"queue": centre["qa"].pk})
    assert response.status_code == 400 and not Ticket.objects.exists()
    # a 调休 Saturday, entered by staff, is a working day: open (the kiosk's cache is renewed)
    workcalendar.set_day(admin, date(2026, 12, 5), "workday")
    _at(monkeypatch, 2026, 12, 5, 10, 0)
    assert (
        client.post(reverse("hall:kiosk", args=["A"]), {"queue": centre["qa"].pk}).status_code
        == 302
    )


def test_json_endpoint_answers_hall_closed(centre: dict[str, Any], monkeypatch: Any) -> None:
    from django.test import Client

    _at(monkeypatch, 2026, 11, 25, 20, 0)
    client = Client()
    response = client.post(reverse("hall:kiosk_ticket", args=["A"]), {"queue": "A"})
    assert response.status_code == 409
    assert response.json()["code"] == "hall_closed" and "星期四" in response.json()["message"]
    assert not Ticket.objects.exists()


def test_check_in_follows_business_hours(
    client: Any, centre: dict[str, Any], monkeypatch: Any
) -> None:
    from linli.hall.models import Queue

    Queue.objects.create(hall=centre["A"], prefix="Y", name="预约")
    moment = _at(monkeypatch, 2026, 11, 25, 18, 0)
    slot = Slot.objects.create(
        item=centre["item"], day=moment.date(), starts_at=time(9, 0),
        capacity=2,
    )  # fmt: skip
    services.do_book_appointment(slot, VALID_OLD, now=moment.replace(hour=8))
    url = reverse("hall:kiosk", args=["A"])
    response = client.post(url, {"checkin": "1", "id_number": VALID_OLD})
    assert response.status_code == 400 and "不营业" in response.content.decode()
    assert not Ticket.objects.exists()


def test_a_resident_switches_the_kiosk_and_the_terminal_to_english_and_back(
    client: Any, centre: dict[str, Any], monkeypatch: Any
) -> None:
    _at(monkeypatch, 2026, 11, 25, 17, 0)  # closed: the next opening is spelled out
    kiosk = reverse("hall:kiosk", args=["A"])
    page = client.get(kiosk).content.decode()
    assert 'name="language" value="en"' in page and '<html lang="zh-Hans"' in page
    client.post(reverse("set_language"), {"language": "en", "next": kiosk})
    page = client.get(kiosk).content.decode()
    assert '<html lang="en"' in page and "Take a ticket" in page
    assert "Next opening:" in page and "Thursday 2026-11-26 at 09:00" in page
    assert "24-hour self-service terminal" in client.get(reverse("hall:terminal")).content.decode()
    client.post(reverse("set_language"), {"language": "zh-hans", "next": kiosk})
    assert "取号" in client.get(kiosk).content.decode()
