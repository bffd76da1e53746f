"""Excel as staff use it: a large export goes to the jobs page and downloads from there; an
import with a bad row shows the row and column on the import page (desktop and phone)."""

from __future__ import annotations

import io
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from linli.geo.models import Building, Household

SHOTS = os.environ.get("LINLI_SCREENSHOTS")  # a folder: keep the pages as PNG to look at


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.fixture
def households(street: Any, settings: Any) -> None:
    settings.LINLI_EXPORT_SYNC_ROWS = 10  # the lists below are "large"
    Household.objects.bulk_create(
        Household(
            entrance=street["entrance1"],
            committee=street["c1"],
            room=f"{i}室",
            floor=1,
            exclusive_area=Decimal("20.00"),
        )
        for i in range(40)
    )


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_a_large_export_is_downloaded_from_the_jobs_page(
    width: str, page: Any, phone_page: Any, login_as: Any, households: None
) -> None:
    page = login_as(page if width == "desktop" else phone_page, "street_staff")
    page.goto("/places/households/")
    _shot(page, f"excel-list-{width}")
    with page.expect_navigation():
        page.get_by_role("link", name="导出 Excel").click()
    assert page.url.endswith("/jobs/")
    assert (
        "已在后台生成导出文件，完成后在“后台任务”中下载" in page.locator(".messages").inner_text()
    )
    row = page.locator("tr[data-job]").first
    assert "已完成" in row.inner_text() and "42 / 42" in row.inner_text()
    _shot(page, f"excel-jobs-{width}")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    with page.expect_download() as download:
        row.get_by_role("link", name="下载结果").click()
    data = Path(download.value.path()).read_bytes()
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None and sheet.max_row == 43  # header + 42 households


def _bad_file(tmp_path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["居委代码", "小区/弄", "楼栋", "地址", "房屋类型", "结构", "建成年份", "层数",
               "风貌保护", "有电梯", "经度", "纬度"])  # fmt: skip
    for i in range(60):
        floors = "三" if i == 55 else 3  # spreadsheet row 57
        ws.append(["HN01", "长乐路100弄", f"{i}号楼", "", "里弄", "砖木", 1930, floors, "否", "否"])
    path = tmp_path / "楼栋.xlsx"
    wb.save(path)
    return path


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_an_import_with_a_bad_row_names_it_and_writes_nothing(
    width: str, page: Any, phone_page: Any, login_as: Any, street: Any, tmp_path: Path
) -> None:
    page = login_as(page if width == "desktop" else phone_page, "street_admin")
    before = Building.objects.count()
    page.goto("/places/buildings/import/")
    page.set_input_files("#id_file", str(_bad_file(tmp_path)))
    with page.expect_navigation():
        page.get_by_role("button", name="上传并导入").click()
    assert "?job=" in page.url
    errors = page.locator("#import-errors")
    assert "文件未导入：发现 1 个问题" in errors.inner_text()
    assert errors.locator("tbody tr").first.inner_text().split("\t")[:2] == ["57", "层数"]
    assert "失败" in page.locator(".job-state").inner_text()
    _shot(page, f"excel-import-errors-{width}")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    assert Building.objects.count() == before
