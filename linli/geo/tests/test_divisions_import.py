"""Divisions from Excel: cities, districts and streets beyond the shipped table."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from linli.core.context import Actor
from linli.core.errors import ImportRejected
from linli.geo import divisions, services
from linli.geo.models import City, District, Subdistrict
from linli.jobs.models import Job

from .helpers import xlsx

pytestmark = pytest.mark.django_db

HEADER = ["区划代码", "名称", "上级代码", "类别"]
SUZHOU = [
    ["320500", "苏州市", "", ""],
    ["320508", "姑苏区", "320500", ""],
    ["320508001", "平江街道", "320508", "街道"],
    ["320508100", "沧浪镇", "320508", "镇"],
]


def _import(users: Any, rows: list[list[Any]]) -> Any:
    return services.do_import_divisions(
        Actor(users["system_admin"]), xlsx(HEADER, rows), "divisions.xlsx"
    )


def test_a_city_its_districts_and_streets_import_and_reimport_changes_nothing(
    users: Any,
) -> None:
    result = _import(users, SUZHOU)
    assert (result.created, result.updated) == (4, 0)
    gusu = District.objects.get(code="320508")
    assert gusu.city == City.objects.get(code="320500", name="苏州市")
    town = Subdistrict.objects.get(code="320508100")
    assert (town.district, town.name, town.kind) == (gusu, "沧浪镇", "town")
    again = _import(users, SUZHOU)
    assert (again.created, again.updated) == (0, 0)
    assert Subdistrict.objects.filter(district=gusu).count() == 2


def test_streets_join_a_shipped_district_and_an_existing_one_is_renamed(users: Any) -> None:
    divisions.load(Actor.system("test"))
    before = Subdistrict.objects.get(code="310104003")
    result = _import(
        users,
        [["310104003", "天平路街道（新）", "310104", ""], ["310104999", "测试街道", "310104", ""]],
    )
    assert (result.created, result.updated) == (1, 1)
    renamed = Subdistrict.objects.get(code="310104003")
    assert renamed.pk == before.pk and renamed.name == "天平路街道（新）"


def test_every_bad_row_is_named_and_nothing_is_written(users: Any) -> None:
    rows = [
        ["320500", "苏州市", "", ""],
        ["32050", "短代码", "320500", ""],  # 3: neither 6 nor 9 digits
        ["320508001", "平江街道", "320599", ""],  # 4: not a code under its parent's
        ["320508", "姑苏区", "330100", ""],  # 5: a district under another province's city
        ["320500", "苏州市", "", ""],  # 6: repeated
    ]
    with pytest.raises(ImportRejected) as caught:
        _import(users, rows)
    found = {(e.row, e.column) for e in caught.value.errors}
    assert found == {(3, "区划代码"), (4, "上级代码"), (5, "上级代码"), (6, "区划代码")}
    assert not City.objects.filter(code="320500").exists()
    rows = [["320500", "苏州市", "", ""], ["320599001", "平江街道", "320599", ""]]  # no such 区
    with pytest.raises(ImportRejected) as caught:
        _import(users, rows)
    assert [(e.row, e.column) for e in caught.value.errors] == [(3, "上级代码")]
    assert not City.objects.filter(code="320500").exists()


def test_two_districts_of_one_city_may_not_share_a_name(users: Any) -> None:
    divisions.load(Actor.system("test"), streets=False)
    with pytest.raises(ImportRejected) as caught:
        _import(users, [["310199", "徐汇区", "310000", ""]])
    assert [(e.row, e.column) for e in caught.value.errors] == [(2, "名称")]


def test_only_the_system_administrator_imports_divisions(
    login: Any, django_capture_on_commit_callbacks: Any
) -> None:
    url = reverse("geo:divisions_import")
    assert login("street_admin").get(url).status_code == 403
    client = login("system_admin")
    page = client.get(url).content.decode()
    assert "导入行政区划" in page and "上级代码" in page
    template = client.get(reverse("geo:divisions_template"))
    assert template.status_code == 200 and template["Content-Type"].startswith("application/")
    errors = client.get(reverse("geo:divisions_errors"))
    assert errors.status_code == 302 and errors["Location"] == url
    upload = xlsx(HEADER, SUZHOU)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"file": upload})
    job = Job.objects.get(params__list="divisions")
    assert response.status_code == 302 and response["Location"].endswith(f"?job={job.pk}")
    done = client.get(response["Location"]).content.decode()
    assert "导入完成：新增 4 条，更新 0 条。" in done
    assert Subdistrict.objects.filter(district__code="320508").count() == 2
