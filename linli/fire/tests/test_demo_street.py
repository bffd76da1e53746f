"""The district demo's other streets get a small fire registry of their own."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from linli.fire import demo
from linli.fire.models import Extinguisher, Station

pytestmark = pytest.mark.django_db


def test_a_street_gets_extinguishers_some_overdue_and_a_station(street: Any) -> None:
    made = demo.build_street(street["subdistrict"])
    mine = Extinguisher.objects.filter(committee__subdistrict=street["subdistrict"])
    assert made["extinguishers"] == mine.count() == 8  # 4 in each of the street's 2 committees
    overdue = mine.filter(next_due__lt=timezone.localdate())
    assert made["overdue"] == overdue.count() >= 1
    assert set(mine.values_list("building", flat=True)) == {
        street["building1"].pk,
        street["building2"].pk,
    }
    station = Station.objects.get(committee__subdistrict=street["subdistrict"])
    assert station.name == "湖南路街道微型消防站"
    again = demo.build_street(street["subdistrict"])
    assert again == made and mine.count() == 8 and Station.objects.count() == 1


def test_the_district_build_gives_every_other_street_of_the_district_its_registry(
    street: Any,
) -> None:
    from linli.geo import divisions
    from linli.geo.demo import HOME_STREET
    from linli.geo.models import Subdistrict

    assert demo.build_district()["streets"] == 0  # no demo street yet: nothing to add to
    Subdistrict.objects.create(
        code=HOME_STREET, name="演示街道", district=divisions.district("310104")
    )
    made = demo.build_district()
    assert made["streets"] == 1 and made["extinguishers"] == 8 and made["stations"] == 1
    assert Station.objects.get().committee.subdistrict == street["subdistrict"]
