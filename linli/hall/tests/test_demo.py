"""The demo centre builds, twice, with the same counts."""

from __future__ import annotations

from typing import Any

import pytest

from linli.hall import demo
from linli.hall.models import Item, Ticket, Window

pytestmark = pytest.mark.django_db


def test_demo_is_deterministic_and_idempotent(users: Any) -> None:
    first = demo.build()
    second = demo.build()
    assert first == second
    assert first["windows"] == 10 and Window.objects.count() == 10
    assert first["items"] >= 40 and Item.objects.filter(hall__code="B").count() >= 15
    assert first["items_citywide"] > 0 and first["items_online"] > 0
    assert Ticket.objects.count() == first["tickets"] > 500
    assert first["cases"] > 0 and first["ratings"] > 0
    assert not Ticket.objects.exclude(id_hash="").filter(id_hash__regex=r"^\d{17}").exists()
