"""Excel in and out: cells that cannot become formulas, sheet titles Excel accepts, and files
refused before parsing when they would expand beyond the import limits."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from linli.core.errors import ImportRejected
from linli.core.excel import Column, read_sheet, safe_cell, safe_title, text, write_workbook

COLUMNS = (Column("name", "姓名", text(50)),)


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+8613800000000", "'+8613800000000"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("a\x00b\x1bc\x7f", "abc"),
        ("\x01=1", "'=1"),  # a control character cannot hide a formula
        ("第一行\n第二行\t完", "第一行\n第二行\t完"),
        ("长乐路100弄", "长乐路100弄"),
        (-5, -5),
        (None, None),
    ],
)
def test_safe_cell(value: Any, written: Any) -> None:
    assert safe_cell(value) == written


def test_safe_title_drops_what_excel_refuses() -> None:
    assert safe_title("小区/弄") == "小区 弄"
    assert not set("/\\?*[]:") & set(safe_title("a/b\\c?d*e[f]g:h"))
    assert len(safe_title("居" * 40)) == 31
    assert safe_title("[]") == "Sheet1"


def test_an_exported_formula_stays_text_and_reads_back_as_written() -> None:
    data = write_workbook("名单", ["姓名"], [['=HYPERLINK("http://x")']])
    cell = load_workbook(io.BytesIO(data)).active["A2"]  # type: ignore[index]
    assert (cell.data_type, cell.value) == ("s", '\'=HYPERLINK("http://x")')
    rows = read_sheet(io.BytesIO(data), COLUMNS)
    assert rows == [(2, {"name": '=HYPERLINK("http://x")'})]


def _book(rows: int, columns: int = 1, word: str = "张三") -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["姓名", *[f"列{i}" for i in range(1, columns)]])
    for i in range(rows):
        ws.append([f"{word}{i}", *[i] * (columns - 1)])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def _problem(file: io.BytesIO) -> str:
    with pytest.raises(ImportRejected) as exc:
        read_sheet(file, COLUMNS)
    assert len(exc.value.errors) == 1
    return exc.value.errors[0].message


def test_a_sheet_declaring_more_rows_than_the_limit_is_refused_naming_it(settings: Any) -> None:
    settings.LINLI_IMPORT_MAX_ROWS = 10
    assert len(read_sheet(_book(10), COLUMNS)) == 10
    assert _problem(_book(11)) == "数据行数为 11，超过上限 10 行，请拆分后分批导入"


def test_a_sheet_wider_than_the_limit_is_refused(settings: Any) -> None:
    settings.LINLI_IMPORT_MAX_COLUMNS = 5
    assert _problem(_book(2, columns=6)) == "列数为 6，超过上限 5 列"


def _with_part(name: str, size: int) -> io.BytesIO:
    """A small valid workbook plus a part that unpacks to ``size`` bytes (compresses to little)."""
    out = io.BytesIO()
    with zipfile.ZipFile(_book(2)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr(name, b"<si><t>a</t></si>" * (size // 16))
    out.seek(0)
    return out


def test_shared_strings_or_parts_that_would_expand_too_far_are_refused(settings: Any) -> None:
    settings.LINLI_IMPORT_MAX_SHARED_STRINGS_BYTES = 2 * 1024 * 1024
    bomb = _with_part("xl/sharedStrings.xml", 3 * 1024 * 1024)
    assert len(bomb.getvalue()) < 100_000
    assert _problem(bomb) == "文件中的文字表超过 2 MB 的上限，请拆分后分批导入"
    settings.LINLI_IMPORT_MAX_UNPACKED_BYTES = 4 * 1024 * 1024
    assert _problem(_with_part("xl/media/big.bin", 5 * 1024 * 1024)) == (
        "文件解压后超过 4 MB 的上限，请拆分后分批导入"
    )


def test_files_too_big_or_not_excel_are_refused(settings: Any) -> None:
    assert _problem(io.BytesIO(b"name\n1\n")) == "不是有效的 Excel (.xlsx) 文件"
    settings.LINLI_MAX_UPLOAD_BYTES = 1024
    assert _problem(_book(500)).startswith("文件过大")
