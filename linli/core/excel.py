"""Excel in and out: typed columns, all-or-nothing imports with every bad row named.

A sheet is described once (its columns, with the parser of each); the same description
writes the export, so an exported list can be edited and imported back.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from .errors import ImportRejected, RowError

Parser = Callable[[Any], Any]


class CellError(ValueError):
    """Raised by a parser; the message is shown to the clerk next to row and column."""


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    parse: Parser
    required: bool = True
    width: int = 14


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(max_length: int) -> Parser:
    def parse(value: Any) -> str:
        result = str(value).strip()
        if isinstance(value, float) and value.is_integer():
            result = str(int(value))
        if len(result) > max_length:
            raise CellError(_("不能超过 %(n)d 个字符") % {"n": max_length})
        return result

    return parse


def integer(minimum: int | None = None, maximum: int | None = None) -> Parser:
    def parse(value: Any) -> int:
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise CellError(_("应为整数")) from None
        if number != number.to_integral_value():
            raise CellError(_("应为整数"))
        result = int(number)
        if minimum is not None and result < minimum:
            raise CellError(_("不能小于 %(n)d") % {"n": minimum})
        if maximum is not None and result > maximum:
            raise CellError(_("不能大于 %(n)d") % {"n": maximum})
        return result

    return parse


def decimal(places: int, minimum: Decimal | None = None) -> Parser:
    def parse(value: Any) -> Decimal:
        try:
            # str() of a float cell gives its shortest repr, so 45.6 stays 45.6.
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise CellError(_("应为数字")) from None
        if not number.is_finite():
            raise CellError(_("应为数字"))
        exponent = number.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > places:
            raise CellError(_("最多 %(n)d 位小数") % {"n": places})
        if minimum is not None and number < minimum:
            raise CellError(_("不能小于 %(n)s") % {"n": minimum})
        return number.quantize(Decimal(1).scaleb(-places))

    return parse


YES = {"是", "有", "y", "yes", "true", "1", "√"}
NO = {"否", "无", "n", "no", "false", "0", "×"}


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in YES:
        return True
    if word in NO:
        return False
    raise CellError(_("应为“是”或“否”"))


def choice(choices: type[Enum]) -> Parser:
    """Accept a choice's label (as shown in exports) or its stored value."""

    def parse(value: Any) -> str:
        word = str(value).strip()
        for member in choices:
            stored = str(member.value)
            if word in (stored, str(getattr(member, "label", stored))):
                return stored
        labels = "、".join(str(getattr(m, "label", m.value)) for m in choices)
        raise CellError(_("应为以下之一：%(labels)s") % {"labels": labels})

    return parse


def iso_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise CellError(_("日期格式应为 YYYY-MM-DD")) from None


ParsedRow = tuple[int, dict[str, Any]]


def read_sheet(
    file: IO[bytes], columns: Sequence[Column], max_rows: int = 100_000
) -> list[ParsedRow]:
    """Parse the first sheet; raise ImportRejected listing every bad header, row and cell."""
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a file that is not xlsx
        raise ImportRejected([RowError(0, _("文件"), _("不是有效的 Excel (.xlsx) 文件"))]) from None
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        raise ImportRejected([RowError(1, _("表头"), _("文件是空的"))])
    names = [str(h).strip() if h is not None else "" for h in header]
    positions: dict[str, int] = {}
    errors: list[RowError] = []
    for col in columns:
        for index, name in enumerate(names):
            if name in (col.label, col.key):
                positions[col.key] = index
                break
        else:
            if col.required:
                errors.append(RowError(1, col.label, _("缺少这一列")))
    if errors:
        raise ImportRejected(errors)
    parsed: list[ParsedRow] = []
    for row_number, cells in enumerate(rows, start=2):
        if all(_blank(c) for c in cells):
            continue
        if len(parsed) >= max_rows:
            raise ImportRejected([RowError(row_number, _("文件"), _("行数超过上限"))])
        values: dict[str, Any] = {}
        for col in columns:
            position = positions.get(col.key)
            raw = cells[position] if position is not None and position < len(cells) else None
            if _blank(raw):
                if col.required:
                    errors.append(RowError(row_number, col.label, _("必填")))
                values[col.key] = None
                continue
            try:
                values[col.key] = col.parse(raw)
            except CellError as exc:
                shown = str(raw)[:30]
                message = _("%(problem)s（现为“%(value)s”）") % {"problem": exc, "value": shown}
                errors.append(RowError(row_number, col.label, message))
        parsed.append((row_number, values))
    workbook.close()
    if errors:
        raise ImportRejected(errors)
    if not parsed:
        raise ImportRejected([RowError(2, _("文件"), _("没有数据行"))])
    return parsed


def write_workbook(title: str, labels: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """Stream rows into an .xlsx (write-only mode keeps memory flat for large exports)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDE7F0")
    header = []
    for label in labels:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        cell.fill = fill
        header.append(cell)
    for index in range(len(labels)):
        sheet.column_dimensions[get_column_letter(index + 1)].width = 16
    sheet.freeze_panes = "A2"
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def error_workbook(errors: Sequence[RowError]) -> bytes:
    """The problems as a sheet a clerk can keep beside the original file."""
    return write_workbook(
        _("导入问题"),
        [_("行"), _("列"), _("问题")],
        ((e.row, e.column, e.message) for e in errors),
    )
