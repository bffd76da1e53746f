"""A micro fire station's name is unique within its street: two streets may each keep a
一号站, while one street naming a second station like its first gets an error on the name, from
the service, the form and the sheet alike, and nothing is written."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client, TestCase
from openpyxl import Workbook

from linli.core.context import Actor
from linli.core.errors import ImportRejected
from linli.core.models import User
from linli.core.roles import Role
from linli.fire import services
from linli.fire.errors import DuplicateRecord
from linli.fire.models import Station
from linli.fire.sheets import SHEETS


def _admin(username: str, street: Any) -> User:
    user = User(username=username, role=Role.STREET_ADMIN, subdistrict=street)
    user.set_password("pw-for-tests-123")
    user.save()
    return user


@pytest.fixture
def two(street: dict[str, Any]) -> dict[str, Any]:
    from linli.geo.models import Committee, Subdistrict

    a = street["subdistrict"]
    b = Subdistrict.objects.create(code="S2", name="天平路街道", district=a.district)
    tp = Committee.objects.create(subdistrict=b, code="TP01", name="天平居委")
    admin_a, admin_b = _admin("admin_a", a), _admin("admin_b", b)
    return {"a": a, "b": b, "tp": tp, "admin_a": admin_a, "admin_b": admin_b,
            "actor_a": Actor(admin_a, "t"), "actor_b": Actor(admin_b, "t")}  # fmt: skip


def test_two_streets_each_keep_a_station_of_the_same_name(
    street: dict[str, Any], two: dict[str, Any]
) -> None:
    services.do_save_item(two["actor_a"], Station(committee=street["c1"], name="一号站"))
    services.do_save_item(two["actor_b"], Station(committee=two["tp"], name="一号站"))
    assert Station.objects.filter(name="一号站").count() == 2


def test_a_street_repeating_a_station_name_gets_a_field_error(
    street: dict[str, Any], two: dict[str, Any]
) -> None:
    first = services.do_save_item(two["actor_a"], Station(committee=street["c1"], name="一号站"))
    with pytest.raises(DuplicateRecord) as caught:  # another committee of the same street
        services.do_save_item(two["actor_a"], Station(committee=street["c2"], name="一号站"))
    assert caught.value.field == "name"
    assert Station.objects.filter(name="一号站").count() == 1
    first.address = "陕西南路1号"  # saving a station under its own name is no clash
    services.do_save_item(two["actor_a"], first, ["address"])
    with pytest.raises(IntegrityError), transaction.atomic():  # the database's key
        Station.objects.create(committee=street["c1"], name="一号站")


def test_station_form_names_the_field_of_a_repeated_name(
    client: Client, street: dict[str, Any], two: dict[str, Any]
) -> None:
    Station.objects.create(committee=street["c1"], name="一号站")
    client.force_login(two["admin_a"])
    page = client.post(
        "/fire/registry/stations/new/", {"committee": street["c2"].pk, "name": "一号站"}
    )
    assert page.status_code == 200
    assert page.context["form"].errors["name"] == ["本街道已有同名微型消防站"]
    assert Station.objects.filter(name="一号站").count() == 1


def _file(rows: list[list[Any]]) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(SHEETS["stations"].labels())
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def test_station_sheet_keys_names_by_street(street: dict[str, Any], two: dict[str, Any]) -> None:
    own = Station.objects.create(committee=street["c1"], name="一号站")
    with TestCase.captureOnCommitCallbacks(execute=True):
        done = services.do_import_registry(
            two["actor_b"], "stations", _file([["TP01", "一号站", "天平路1号"]]), "x.xlsx"
        )
    assert done.created == 1
    assert Station.objects.filter(name="一号站").count() == 2
    own.refresh_from_db()
    assert own.committee_id == street["c1"].pk  # street A's station is untouched
    rows = [["HN01", "二号站", ""], ["HN02", "二号站", ""]]
    with pytest.raises(ImportRejected) as refused:
        services.do_import_registry(two["actor_a"], "stations", _file(rows), "x.xlsx")
    assert [(e.row, e.column) for e in refused.value.errors] == [(3, "名称")]
    assert not Station.objects.filter(name="二号站").exists()
