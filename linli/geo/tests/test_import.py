"""Excel import: all rows or nothing, every bad row and column named; export round-trips."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from linli.core.context import Actor
from linli.core.errors import ImportRejected
from linli.core.models import AuditRecord
from linli.geo import services
from linli.geo.models import Building, Household, Resident

from .helpers import BUILDING_HEADER, xlsx

pytestmark = pytest.mark.django_db

GOOD = [
    "HN01",
    "长乐路100弄",
    "2支弄",
    "长乐路100弄2支弄",
    "里弄",
    "砖木",
    1932,
    3,
    "是",
    "否",
    121.4453,
    31.2108,
]


def test_good_file_creates_buildings_and_one_audit_record(users: Any) -> None:
    rows = [GOOD, [*GOOD[:2], "3支弄", "", "里弄", "砖木", 1935, 2, "否", "否", None, None]]
    result = services.do_import_places(
        Actor(users["street_admin"]), "buildings", xlsx(BUILDING_HEADER, rows)
    )
    assert (result.created, result.updated) == (2, 0)
    b = Building.objects.get(name="2支弄")
    assert (b.housing_type, b.structure, b.heritage_protected, b.committee.code) == (
        "lane",
        "brick_timber",
        True,
        "HN01",
    )
    assert str(b.lon) == "121.445300"
    record = AuditRecord.objects.get(action="geo.building.import")
    assert record.details == {"created": 2, "updated": 0, "rows": 2}


def test_one_bad_row_rejects_the_whole_file_naming_row_and_column(users: Any) -> None:
    bad = [*GOOD[:2], "4支弄", "", "别墅", "砖木", 1935, "三", "否", "否", None, None]
    rows = [GOOD, bad, [*GOOD[:2], "5支弄", *GOOD[3:]]]
    with pytest.raises(ImportRejected) as exc:
        services.do_import_places(
            Actor(users["street_admin"]), "buildings", xlsx(BUILDING_HEADER, rows)
        )
    problems = {(e.row, e.column) for e in exc.value.errors}
    assert problems == {(3, "房屋类型"), (3, "层数")}
    assert not Building.objects.filter(name__in=["2支弄", "4支弄", "5支弄"]).exists()
    assert not AuditRecord.objects.filter(action="geo.building.import").exists()


def test_references_and_duplicates_are_checked(users: Any) -> None:
    rows = [
        ["HN99", *GOOD[1:]],
        ["HN01", "没有这个弄", *GOOD[2:]],
        GOOD,
        GOOD,
    ]
    with pytest.raises(ImportRejected) as exc:
        services.do_import_places(
            Actor(users["street_admin"]), "buildings", xlsx(BUILDING_HEADER, rows)
        )
    messages = {(e.row, e.column): e.message for e in exc.value.errors}
    assert "HN99" in messages[(2, "居委代码")]
    assert (3, "小区/弄") in messages
    assert "第 4 行" in messages[(5, "楼栋")]


def test_missing_columns_and_non_excel_files_are_named(users: Any) -> None:
    with pytest.raises(ImportRejected) as exc:
        services.do_import_places(
            Actor(users["street_admin"]), "buildings", xlsx(["居委代码", "楼栋"], [["HN01", "x"]])
        )
    assert {e.column for e in exc.value.errors} >= {"小区/弄", "房屋类型", "层数"}
    with pytest.raises(ImportRejected) as exc:
        services.do_import_places(
            Actor(users["street_admin"]), "buildings", io.BytesIO(b"not a workbook")
        )
    assert exc.value.errors[0].column == "文件"


def test_committee_staff_cannot_import_into_another_committee(users: Any) -> None:
    rows = [["HN02", "长乐路200弄", *GOOD[2:]]]
    with pytest.raises(ImportRejected) as exc:
        services.do_import_places(
            Actor(users["committee_staff"]), "buildings", xlsx(BUILDING_HEADER, rows)
        )
    assert exc.value.errors[0].column == "居委代码"


def test_export_then_import_updates_instead_of_duplicating(login: Any, street: Any) -> None:
    client = login("street_admin")
    response = client.get(reverse("geo:export", args=["households"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][:5] == ["居委代码", "小区/弄", "楼栋", "门牌号", "室号"]
    assert len(rows) == 3
    rows[1][6] = 31.25  # change the area
    imported = services.do_import_places(Actor(_admin()), "households", xlsx(rows[0], rows[1:]))
    assert (imported.created, imported.updated) == (0, 2)
    assert Household.objects.count() == 2
    assert {str(h.exclusive_area) for h in Household.objects.all()} == {"31.25", "23.50"}


def _admin() -> Any:
    from linli.core.models import User

    return User.objects.get(username="street_admin")


def test_residents_round_trip_with_masked_numbers(login: Any, street: Any) -> None:
    admin = _admin()
    header = [
        "居委代码",
        "小区/弄",
        "楼栋",
        "门牌号",
        "室号",
        "姓名",
        "身份证号",
        "手机号",
        "与户主关系",
        "独居",
    ]
    rows = [
        [
            "HN01",
            "长乐路100弄",
            "1支弄",
            "1号",
            "1楼前楼",
            "王芳",
            "11010519491231002x",
            "13912345678",
            "户主",
            "是",
        ]
    ]
    assert services.do_import_places(Actor(admin), "residents", xlsx(header, rows)).created == 1
    exported = login("street_admin").get(reverse("geo:export", args=["residents"]))
    back = [
        list(r)
        for r in load_workbook(io.BytesIO(exported.content)).active.iter_rows(values_only=True)
    ]
    assert back[1][6] == "110105********002X" and back[1][7] == "139****5678"
    back[1][9] = "否"
    result = services.do_import_places(Actor(admin), "residents", xlsx(back[0], back[1:]))
    assert (result.created, result.updated) == (0, 1)
    resident = Resident.objects.get()
    assert resident.lives_alone is False and resident.id_masked == "110105********002X"
