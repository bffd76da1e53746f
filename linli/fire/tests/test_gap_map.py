"""The coverage gap map: pure gap and projection rules, and the page that draws them."""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from linli.fire.models import Station
from linli.fire.rules import (
    BuildingEquipment,
    FireRuleError,
    Gap,
    Location,
    coverage_gaps,
    map_frame,
)

from .factories import extinguisher, sprinkler

LON, LAT = 121.4470, 31.2140
METRES_PER_DEGREE = 6_371_008.8 * math.pi / 180


def north(id_: str, metres: float, east: float = 0) -> Location:
    lon = LON + east / (METRES_PER_DEGREE * math.cos(math.radians(LAT)))
    return Location(id_, lon, LAT + metres / METRES_PER_DEGREE)


def test_each_gap_alone_and_together() -> None:
    station = Location("S", LON, LAT)
    buildings = [
        BuildingEquipment(north("fine", 100), extinguishers=2),
        BuildingEquipment(north("bare", 100)),
        BuildingEquipment(north("pending", 100), extinguishers=1, sprinklers_planned=2),
        BuildingEquipment(north("far", 601), extinguishers=1),
        BuildingEquipment(north("worst", 900), sprinklers_planned=1),
    ]
    got = {g.building_id: g.gaps for g in coverage_gaps(buildings, [station])}
    assert got == {
        "fine": (),
        "bare": (Gap.NO_EXTINGUISHER,),
        "pending": (Gap.SPRINKLER_PENDING,),
        "far": (Gap.OUT_OF_REACH,),
        "worst": (Gap.NO_EXTINGUISHER, Gap.SPRINKLER_PENDING, Gap.OUT_OF_REACH),
    }


def test_no_station_leaves_every_building_out_of_reach_and_speed_counts() -> None:
    b = [BuildingEquipment(north("b", 500), extinguishers=1)]
    assert coverage_gaps(b, [])[0].gaps == (Gap.OUT_OF_REACH,)
    station = Location("S", LON, LAT)
    assert coverage_gaps(b, [station], speed_m_per_min=200)[0].gaps == ()
    assert coverage_gaps(b, [station], speed_m_per_min=100)[0].gaps == (Gap.OUT_OF_REACH,)


def test_bad_counts_and_coordinates_are_refused() -> None:
    with pytest.raises(FireRuleError):
        coverage_gaps([BuildingEquipment(north("b", 0), extinguishers=-1)], [])
    with pytest.raises(FireRuleError):
        coverage_gaps([BuildingEquipment(Location("b", 200, 0))], [])
    with pytest.raises(ValueError, match="no points"):
        map_frame([])


def test_frame_keeps_true_proportions() -> None:
    # 1,000 m east and 500 m north of the origin: twice as wide as high on the drawing.
    points = [north("o", 0), north("e", 0, east=1000), north("n", 500)]
    frame = map_frame(points, width=1020, margin=10)
    ox, oy = frame.point(points[0])
    ex, ey = frame.point(points[1])
    nx, ny = frame.point(points[2])
    assert (ox, ex) == (10, 1010) and oy == ey  # the full width, west to east
    assert ny < oy and ox == nx  # north is up
    assert (oy - ny) == pytest.approx((ex - ox) / 2, abs=0.2)
    assert frame.height == pytest.approx(20 + 500, abs=0.5)
    assert frame.metres(600) == pytest.approx(600, abs=0.5)  # 1 unit per metre here


def test_one_point_gets_a_meaningful_frame() -> None:
    frame = map_frame([north("o", 0)], width=520, margin=10)
    assert frame.point(north("o", 0)) == (10, 10)
    assert frame.metres(500) == pytest.approx(500, abs=0.5)


@pytest.mark.django_db
def test_coverage_page_draws_the_gaps(login: Any, street: Any) -> None:
    b1, b2 = street["building1"], street["building2"]
    b1.lon, b1.lat = Decimal("121.447000"), Decimal("31.214000")
    b2.lon, b2.lat = Decimal("121.447000"), Decimal("31.224000")  # about 1.1 km north
    b1.save()
    b2.save()
    Station.objects.create(
        committee=street["c1"], name="一号站", lon=Decimal("121.447000"), lat=Decimal("31.214500")
    )
    extinguisher(street, serial="E-B1")  # building 1 has one; building 2 none
    sprinkler(street, key="2", status="planned", installed_on=None, last_visual=None,
              last_end_of_line=None, last_service=None)  # fmt: skip
    client = login("street_admin")

    def page() -> str:
        with CaptureQueriesContext(connection) as ctx:
            body = client.get("/fire/coverage/").content.decode()
        page.queries = len(ctx.captured_queries)  # type: ignore[attr-defined]
        return body

    html = page()
    first = page.queries  # type: ignore[attr-defined]
    drawn = re.findall(
        r'<circle class="b gap-(\w+)(?: many)?"[^>]*><title>[^<]*?(长乐路\d00弄)', html
    )
    points = {estate: cls for cls, estate in drawn}
    assert points[b1.estate.name] == "ok"
    assert points[b2.estate.name] == "out_of_reach"  # and more: no extinguisher, sprinkler pending
    assert re.search(r'class="b gap-out_of_reach many"', html)
    # The worst gap first, then the others.
    assert "长乐路200弄 1支弄：3 分钟内无微型消防站、未登记灭火器、简易喷淋待安装" in html
    assert 'class="reach"' in html and "一号站" in html
    # More buildings and stations: the map still reads the same number of queries.
    for i in range(3):
        Station.objects.create(
            committee=street["c2"], name=f"站{i}", lon=Decimal("121.45"), lat=Decimal("31.22")
        )
    page()
    assert page.queries == first  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_committee_clerk_sees_only_its_buildings(login: Any, street: Any) -> None:
    for key, lat in (("1", "31.214000"), ("2", "31.215000")):
        b = street[f"building{key}"]
        b.lon, b.lat = Decimal("121.447000"), Decimal(lat)
        b.save()
    html = login("committee_staff").get("/fire/coverage/").content.decode()
    assert len(re.findall(r'<circle class="b ', html)) == 1
