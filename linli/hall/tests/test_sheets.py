"""The catalogue's Excel import and export on the shared sheet machinery (``hall.sheets``)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import TestCase
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from linli.core.models import AuditRecord
from linli.hall.models import Item
from linli.hall.sheets import ITEMS

pytestmark = pytest.mark.django_db

GOOD = ["GA003", "居民身份证换领", "身份证到期", "公安户政", "B", "B", "是", "否", "是", "是",
        "20元", 20, "本人办理：居民身份证、户口簿", "《居民身份证法》"]  # fmt: skip


def _sheet(rows: list[list[Any]]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(ITEMS.labels())
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "items.xlsx"  # type: ignore[attr-defined]
    return out


def _import(client: Any, upload: Any) -> Any:
    """Upload, let the import job run (eagerly, after commit), and open the page it leads to."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("hall:item_import"), {"file": upload})
    assert response.status_code == 302
    return client.get(response["Location"])


def _rows(content: bytes) -> list[tuple[Any, ...]]:
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def test_import_needs_hall_manage(client: Any, centre: dict[str, Any], users: Any) -> None:
    client.force_login(users["street_staff"])  # no service-centre department
    assert client.get(reverse("hall:item_import")).status_code == 403
    assert client.get(reverse("hall:item_import_template")).status_code == 403
    assert client.post(reverse("hall:item_import"), {"file": _sheet([GOOD])}).status_code == 403
    assert not Item.objects.filter(code="GA003").exists()


def test_a_good_file_creates_and_updates_items(
    client: Any, centre: dict[str, Any], users: Any
) -> None:
    client.force_login(users["street_admin"])
    exported = _rows(client.get(reverse("hall:item_export")).content)
    assert list(exported[0]) == ITEMS.labels()
    updated = list(exported[1])
    updated[1] = "社会保障卡申领（含补换）"
    page = _import(client, _sheet([GOOD, updated])).content.decode()
    assert "导入完成：新增 1 条，更新 1 条。" in page
    item = Item.objects.get(code="GA003")
    assert item.hall == centre["B"] and item.queue == centre["qb"]
    assert item.channel_citywide and not item.channel_self_service and item.promised_days == 20
    assert item.pinyin.startswith("jmsfzhl")
    assert item.materials == [{"situation": "本人办理", "materials": ["居民身份证", "户口簿"]}]
    assert Item.objects.get(code="SB002").name == "社会保障卡申领（含补换）"
    record = AuditRecord.objects.get(action="hall.item.import")
    assert record.details["created"] == 1 and record.details["updated"] == 1


def test_a_bad_row_is_named_by_row_and_column_and_nothing_is_written(
    client: Any, centre: dict[str, Any], users: Any
) -> None:
    client.force_login(users["street_admin"])
    bad_hall = [
        "GA004",
        "临时身份证",
        "",
        "公安户政",
        "X",
        "B",
        "是",
        "否",
        "否",
        "否",
        "",
        0,
        "",
        "",
    ]
    wrong_queue = [
        "GA005",
        "户口迁移",
        "",
        "公安户政",
        "B",
        "A",
        "是",
        "否",
        "否",
        "否",
        "",
        0,
        "",
        "",
    ]
    backoffice = ["GA006", "疑难", "", "公安户政", "A", "Z", "是", "否", "否", "否", "", 0, "", ""]
    page = _import(client, _sheet([GOOD, bad_hall, wrong_queue, backoffice]))
    text = page.content.decode()
    assert 'id="import-errors"' in text and "文件未导入：发现 3 个问题" in text
    assert '<td data-label="行">3</td><td data-label="列">大厅</td>' in text
    assert "没有这个大厅代码" in text
    assert '<td data-label="行">4</td><td data-label="列">队列</td>' in text
    assert "该队列不属于这个大厅" in text
    assert '<td data-label="行">5</td><td data-label="列">队列</td>' in text
    assert "没有这个取号队列" in text
    assert not Item.objects.filter(code__startswith="GA").exists()  # not even the good row
    assert not AuditRecord.objects.filter(action="hall.item.import").exists()
    # a cell of the wrong type is named too, before anything is looked up
    bad_days = [*GOOD[:11], "三十", *GOOD[12:]]
    text = _import(client, _sheet([GOOD[:], bad_days])).content.decode()
    assert '<td data-label="行">3</td><td data-label="列">承诺时限(工作日)</td>' in text
    assert "应为整数" in text and not Item.objects.filter(code="GA003").exists()


def test_a_code_given_twice_names_the_earlier_row(
    client: Any, centre: dict[str, Any], users: Any
) -> None:
    client.force_login(users["street_admin"])
    text = _import(client, _sheet([GOOD, GOOD])).content.decode()
    assert "与第 2 行重复" in text and not Item.objects.filter(code="GA003").exists()


def test_the_template_is_the_header_row(client: Any, centre: dict[str, Any], users: Any) -> None:
    client.force_login(users["street_admin"])
    response = client.get(reverse("hall:item_import_template"))
    assert response.status_code == 200
    assert _rows(response.content) == [tuple(ITEMS.labels())]
    page = client.get(reverse("hall:item_import")).content.decode()
    assert reverse("hall:item_import_template") in page
