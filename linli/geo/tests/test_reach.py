"""Reach by level (policy.reach, scoped, in_scope) and the division table it stands on."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from linli.core import policy
from linli.core.context import Actor
from linli.core.models import User
from linli.core.roles import REACH, Level, Role, separation_problems
from linli.geo import divisions
from linli.geo.models import (
    Building,
    City,
    Committee,
    District,
    Entrance,
    Estate,
    Household,
    Subdistrict,
)


@pytest.mark.parametrize(
    ("path", "level", "expected"),
    [
        ("committee_id", Level.COMMITTEE, "committee_id"),
        ("committee_id", Level.STREET, "committee__subdistrict_id"),
        ("committee_id", Level.DISTRICT, "committee__subdistrict__district_id"),
        ("committee_id", Level.CITY, "committee__subdistrict__district__city_id"),
        ("pk", Level.STREET, "subdistrict_id"),
        ("pk", Level.CITY, "subdistrict__district__city_id"),
        ("project__committee_id", Level.DISTRICT, "project__committee__subdistrict__district_id"),
    ],
)
def test_the_path_to_each_level(path: str, level: Level, expected: str) -> None:
    assert policy.place_path(path, level) == expected


def test_every_role_has_a_reach_and_the_matrix_stays_separated() -> None:
    assert set(REACH) == set(Role)
    assert separation_problems() == []
    assert REACH[Role.DISTRICT_CIVIL] == Level.DISTRICT
    assert REACH[Role.CITY_VIEWER] == Level.CITY


def test_the_shipped_table_has_shanghais_districts_and_xuhuis_streets() -> None:
    rows = divisions.parse(divisions.shipped())
    districts = {d.code: d.name for d in rows if d.level == "district"}
    assert len(districts) == 16
    assert districts["310104"] == "徐汇区" and districts["310151"] == "崇明区"
    xuhui = {d.code: d.name for d in rows if d.level == "street" and d.parent == "310104"}
    assert len(xuhui) == 13
    assert xuhui["310104004"] == "湖南路街道" and xuhui["310104103"] == "华泾镇"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"cities": [{"code": "31", "name": "上海市"}]}, "code must be 6 digits"),
        (
            {"cities": [{"code": "310000", "name": "上海市", "districts": [
                {"code": "320104", "name": "错区"}]}]},
            "错区",
        ),
        (
            {"cities": [{"code": "310000", "name": "上海市", "districts": [
                {"code": "310104", "name": "徐汇区", "streets": [
                    {"code": "310105001", "name": "华阳路街道"}]}]}]},
            "华阳路街道",
        ),
    ],
)  # fmt: skip
def test_a_bad_table_is_refused_naming_the_entry(table: dict[str, Any], message: str) -> None:
    with pytest.raises(divisions.DivisionError, match=message):
        divisions.parse(table)


@pytest.mark.django_db
def test_loading_twice_creates_nothing_new() -> None:
    first = divisions.load(Actor.system("test"))
    assert first["district"] == 16 and first["street"] >= 23
    assert divisions.load(Actor.system("test")) == {"city": 0, "district": 0, "street": 0}


@pytest.mark.django_db
def test_each_level_reaches_its_place_and_nothing_beyond(street: dict[str, Any]) -> None:
    divisions.load(Actor.system("test"))
    tianping = Subdistrict.objects.get(code="310104003")
    huayang = Subdistrict.objects.get(code="310105001")
    other = Committee.objects.create(subdistrict=tianping, code="TP01", name="天平居委")
    far = Committee.objects.create(subdistrict=huayang, code="HY01", name="华阳居委")
    c1 = street["c1"]

    def seen(user: User) -> set[int]:
        user._linli_reach = None  # a fresh request
        return set(policy.scoped(Committee.objects.all(), user, "pk").values_list("pk", flat=True))

    committee = User.objects.create(username="c", role=Role.COMMITTEE_STAFF, committee=c1)
    mine = User.objects.create(
        username="s", role=Role.STREET_ADMIN, subdistrict=street["subdistrict"]
    )
    xuhui = User.objects.create(
        username="d", role=Role.DISTRICT_SAFETY, district=District.objects.get(code="310104")
    )
    city = User.objects.create(
        username="m", role=Role.CITY_VIEWER, city=City.objects.get(code="310000")
    )
    unplaced = User.objects.create(username="u", role=Role.STREET_STAFF)
    partner = User.objects.create(username="p", role=Role.PARTNER)

    assert seen(committee) == {c1.pk}
    assert seen(mine) == {c1.pk, street["c2"].pk}
    assert seen(xuhui) == {c1.pk, street["c2"].pk, other.pk}
    assert seen(city) == {c1.pk, street["c2"].pk, other.pk, far.pk}
    assert seen(unplaced) == set()  # many streets: no assignment, no reach
    assert seen(partner) == set()  # assignment decides, per module
    assert policy.in_scope(mine, c1.pk) and not policy.in_scope(mine, other.pk)
    assert policy.in_scope(xuhui, other.pk) and not policy.in_scope(xuhui, far.pk)
    households = policy.scoped(Household.objects.all(), mine, "committee_id")
    assert set(households.values_list("committee_id", flat=True)) == {c1.pk, street["c2"].pk}


@pytest.mark.django_db
def test_one_street_reaches_its_unassigned_street_accounts(street: dict[str, Any]) -> None:
    """A one-street installation needs no assignment; a second street takes it away."""
    user = User.objects.create(username="s", role=Role.STREET_STAFF)
    assert policy.committees_in_reach(user) == {street["c1"].pk, street["c2"].pk}
    Subdistrict.objects.create(
        code="310104003", name="天平路街道", district=divisions.district("310104")
    )
    fresh = User.objects.get(pk=user.pk)
    assert policy.committees_in_reach(fresh) == frozenset()


@pytest.mark.django_db
def test_the_committee_lists_area_filter_offers_only_the_streets_own_areas(
    client: Any, street: dict[str, Any]
) -> None:
    from django.urls import reverse

    from linli.geo.models import Area

    divisions.load(Actor.system("test"))
    tianping = Subdistrict.objects.get(code="310104003")
    Area.objects.get_or_create(subdistrict=street["subdistrict"], name="新路片区")
    Area.objects.create(subdistrict=tianping, name="天平东片区")
    mine = User.objects.create(
        username="s", role=Role.STREET_ADMIN, subdistrict=street["subdistrict"]
    )
    client.force_login(mine)
    page = client.get(reverse("geo:list", args=["committees"])).content.decode()
    assert "新路片区" in page
    assert "天平东片区" not in page


@pytest.mark.django_db
def test_in_a_many_street_installation_one_streets_admin_cannot_change_everyones_calendar(
    client: Any, users: Any
) -> None:
    from linli.core import workcalendar
    from linli.core.models import CalendarDay

    workcalendar.sync_from_package(Actor.system("test"))
    admin = users["street_admin"]
    mine = Subdistrict.objects.get()
    admin.subdistrict = mine
    admin.save(update_fields=["subdistrict"])
    Subdistrict.objects.create(
        district=mine.district, code="310104003", name="天平路街道"
    )  # a second street shares the installation
    with pytest.raises(PermissionDenied):
        workcalendar.set_day(Actor(admin), date(2026, 10, 5), "workday", "街道值班")
    assert not CalendarDay.objects.filter(source=CalendarDay.Source.STREET).exists()
    client.force_login(admin)
    page = client.get(reverse("work_calendar"), {"year": 2026}).content.decode()
    assert "2026-10-01" in page  # the street still reads the calendar
    assert 'name="form" value="set"' not in page
    response = client.post(reverse("work_calendar"), {"form": "set", "day": "2026-10-05"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_a_district_user_narrows_the_household_list_to_one_street(
    client: Any, street: dict[str, Any]
) -> None:
    divisions.load(Actor.system("test"))
    tianping = Subdistrict.objects.get(code="310104003")
    other = Committee.objects.create(subdistrict=tianping, code="TP01", name="天平居委")
    estate = Estate.objects.create(committee=other, name="天平弄", kind="lane")
    building = Building.objects.create(
        estate=estate, committee=other, name="天平1号楼", housing_type="lane", structure="brick_timber",
        floors=3, year_built=1930,
    )  # fmt: skip
    Household.objects.create(
        entrance=Entrance.objects.create(building=building, number="9号"), committee=other,
        room="天平9室", floor=1, exclusive_area=Decimal("20"),
    )  # fmt: skip
    xuhui = User.objects.create(
        username="d", role=Role.DISTRICT_CIVIL, district=District.objects.get(code="310104")
    )
    mine = User.objects.create(
        username="s", role=Role.STREET_ADMIN, subdistrict=street["subdistrict"]
    )
    url = reverse("geo:list", args=["households"])
    client.force_login(xuhui)
    whole = client.get(url).content.decode()
    assert 'name="street"' in whole and "天平路街道" in whole and "天平9室" in whole
    narrowed = client.get(url, {"street": street["subdistrict"].pk}).content.decode()
    assert "天平9室" not in narrowed and "1楼前楼" in narrowed
    client.force_login(mine)
    own = client.get(url, {"street": tianping.pk}).content.decode()
    assert 'name="street"' not in own and "1楼前楼" in own


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "mine", "theirs"),
    [
        ("committees", "陕新居委", "天平居委"),
        ("estates", "长乐路100弄", "天平弄"),
        ("buildings", "1支弄", "天平1号楼"),
        ("entrances", "长乐路100弄 1支弄", "天平9号"),
    ],
)
def test_a_district_user_narrows_the_other_place_lists_to_one_street(
    client: Any, street: dict[str, Any], kind: str, mine: str, theirs: str
) -> None:
    divisions.load(Actor.system("test"))
    tianping = Subdistrict.objects.get(code="310104003")
    other = Committee.objects.create(subdistrict=tianping, code="TP01", name="天平居委")
    estate = Estate.objects.create(committee=other, name="天平弄", kind="lane")
    building = Building.objects.create(
        estate=estate, committee=other, name="天平1号楼", housing_type="lane", structure="brick_timber",
        floors=3, year_built=1930,
    )  # fmt: skip
    Entrance.objects.create(building=building, number="天平9号")
    xuhui = User.objects.create(
        username="d", role=Role.DISTRICT_CIVIL, district=District.objects.get(code="310104")
    )
    url = reverse("geo:list", args=[kind])
    client.force_login(xuhui)
    whole = client.get(url).content.decode()
    assert 'name="street"' in whole and mine in whole and theirs in whole
    narrowed = client.get(url, {"street": tianping.pk}).content.decode()
    assert theirs in narrowed and mine not in narrowed
    client.force_login(User.objects.create(
        username="s", role=Role.STREET_ADMIN, subdistrict=street["subdistrict"]
    ))  # fmt: skip
    assert 'name="street"' not in client.get(url).content.decode()
