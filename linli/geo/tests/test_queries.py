"""Every list page and API list runs a constant number of queries, whatever the size."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from linli.core.context import Actor
from linli.geo import services
from linli.geo.models import Building, Entrance, Household, Resident

pytestmark = pytest.mark.django_db

URLS = [
    "/places/committees/", "/places/estates/", "/places/buildings/", "/places/entrances/",
    "/places/households/", "/places/residents/", "/api/v1/committees/", "/api/v1/estates/",
    "/api/v1/buildings/", "/api/v1/entrances/", "/api/v1/households/", "/api/v1/residents/",
    "/places/buildings/?sort=-year_built&housing_type=lane", "/api/v1/households/?ordering=-exclusive_area",
]  # fmt: skip


def _grow(street: dict[str, Any], n: int, admin: Any, start: int = 0) -> None:
    """Add n buildings, each with an entrance, a household and a resident, in both committees."""
    for i in range(start, start + n):
        key = "1" if i % 2 else "2"
        b = Building.objects.create(
            estate=street[f"estate{key}"], committee=street[f"c{key}"], name=f"G{i}",
            housing_type="public", structure="brick_concrete", floors=6,
        )  # fmt: skip
        e = Entrance.objects.create(building=b, number=f"{i}号")
        h = Household.objects.create(
            entrance=e, committee=b.committee, room="101", exclusive_area=Decimal(40)
        )
        services.do_save_resident(
            Actor(admin), Resident(household=h, name=f"居民{i}"), phone="13900000000"
        )


def _counts(client: Any) -> dict[str, int]:
    out = {}
    for url in URLS:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200, url
        out[url] = len(ctx)
    return out


@pytest.mark.parametrize("role", ["street_admin", "committee_staff"])
def test_query_counts_do_not_grow_with_the_data(
    login: Any, street: Any, users: Any, role: str
) -> None:
    client = login(role)
    _grow(street, 4, users["street_admin"])
    small = _counts(client)
    _grow(street, 40, users["street_admin"], start=100)
    large = _counts(client)
    assert small == large
    assert max(large.values()) <= 12
