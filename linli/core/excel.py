"""Excel in and out: typed columns, all-or-nothing imports with every bad row named.

A sheet is described once (its columns, with the parser of each); the same description
writes the export, so an exported list can be edited and imported back.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import IO, Any

from django.conf import settings
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
        if result[:1] == "'" and result[1:2] in FORMULA_STARTS:
            result = result[1:]  # our own export's neutralised formula, read back as written
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
Progress = Callable[[int], None]

MAX_IMPORT_ROWS = 100_000
MAX_IMPORT_COLUMNS = 64
PROGRESS_EVERY = 1000


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def max_import_rows() -> int:
    """Data rows an import may hold (``LINLI_IMPORT_MAX_ROWS``)."""
    return _limit("LINLI_IMPORT_MAX_ROWS", MAX_IMPORT_ROWS)


def _rejected(message: str, row: int = 0) -> ImportRejected:
    return ImportRejected([RowError(row, _("文件"), message)])


def check_workbook(file: IO[bytes]) -> None:
    """Refuse a file before parsing it when it could expand beyond the import limits.

    Looks only at the zip directory and the first sheet's declared dimension: the bytes,
    every part's declared unpacked size (a zip bomb: zipfile never inflates a part beyond its
    declared size) and the shared-strings table (openpyxl loads it whole). The sheet's
    declared rows and columns are checked once it is open (``_declared``).
    """
    max_bytes = _limit("LINLI_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
    unpacked_limit = _limit("LINLI_IMPORT_MAX_UNPACKED_BYTES", 400 * 1024 * 1024)
    strings_limit = _limit("LINLI_IMPORT_MAX_SHARED_STRINGS_BYTES", 100 * 1024 * 1024)
    file.seek(0, io.SEEK_END)
    size = file.tell()
    file.seek(0)
    if size > max_bytes:
        raise _rejected(
            _("文件过大：%(size)s MB，上限为 %(limit)s MB")
            % {"size": round(size / 2**20, 1), "limit": round(max_bytes / 2**20, 1)}
        )
    try:
        with zipfile.ZipFile(file) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _rejected(_("不是有效的 Excel (.xlsx) 文件")) from None
    finally:
        file.seek(0)
    unpacked = sum(i.file_size for i in infos)
    if unpacked > unpacked_limit:
        raise _rejected(
            _("文件解压后超过 %(limit)s MB 的上限，请拆分后分批导入")
            % {"limit": unpacked_limit // 2**20}
        )
    for info in infos:
        if info.filename.lower().endswith("sharedstrings.xml") and info.file_size > strings_limit:
            raise _rejected(
                _("文件中的文字表超过 %(limit)s MB 的上限，请拆分后分批导入")
                % {"limit": strings_limit // 2**20}
            )


def _declared(sheet: Any, max_rows: int, max_columns: int) -> int:
    """The data rows a read-only sheet declares; refuse one declaring too many rows/columns."""
    try:
        rows = sheet.max_row
        columns = sheet.max_column
    except Exception:  # a malformed <dimension>: fall back to counting while streaming
        return 0
    if columns is not None and columns > max_columns:
        raise _rejected(
            _("列数为 %(n)d，超过上限 %(limit)d 列") % {"n": columns, "limit": max_columns}
        )
    if rows is not None and rows - 1 > max_rows:
        raise _rejected(
            _("数据行数为 %(n)d，超过上限 %(limit)d 行，请拆分后分批导入")
            % {"n": rows - 1, "limit": max_rows}
        )
    return max(0, (rows or 1) - 1)


def read_sheet(
    file: IO[bytes],
    columns: Sequence[Column],
    max_rows: int | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
    max_columns: int | None = None,
) -> list[ParsedRow]:
    """Parse the first sheet; raise ImportRejected listing every bad header, row and cell.

    Streams the sheet (openpyxl read-only) after ``check_workbook`` bounded it; reports
    ``progress(rows_read, rows_declared)`` every ``PROGRESS_EVERY`` rows.
    """
    max_rows = max_rows or max_import_rows()
    max_columns = max_columns or _limit("LINLI_IMPORT_MAX_COLUMNS", MAX_IMPORT_COLUMNS)
    check_workbook(file)
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a file that is not xlsx
        raise _rejected(_("不是有效的 Excel (.xlsx) 文件")) from None
    try:
        return _read_rows(workbook, columns, max_rows, max_columns, progress)
    finally:
        workbook.close()


def _read_rows(
    workbook: Any,
    columns: Sequence[Column],
    max_rows: int,
    max_columns: int,
    progress: Callable[[int, int], None] | None,
) -> list[ParsedRow]:
    if not workbook.worksheets:
        raise _rejected(_("文件中没有工作表"))
    sheet = workbook.worksheets[0]
    declared = _declared(sheet, max_rows, max_columns)
    rows = sheet.iter_rows(values_only=True, max_col=max_columns)
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
    total = declared
    seen = 0
    every = PROGRESS_EVERY
    for row_number, cells in enumerate(rows, start=2):
        if progress is not None and row_number % every == 0:
            total = max(total, row_number - 1)
            progress(row_number - 1, total)
        if all(_blank(c) for c in cells):
            continue
        if len(parsed) >= max_rows:
            raise _rejected(_("数据行数超过上限 %(limit)d 行") % {"limit": max_rows}, row_number)
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
        seen = row_number - 1
    if progress is not None:
        progress(seen, max(total, seen))  # read to the end, valid or not
    if errors:
        raise ImportRejected(errors)
    if not parsed:
        raise ImportRejected([RowError(2, _("文件"), _("没有数据行"))])
    return parsed


# --------------------------------------------------------------------------- writing

FORMULA_STARTS = frozenset("=+-@")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_TITLE_FORBIDDEN = re.compile(r"[/\\?*\[\]:]")


def safe_cell(value: Any) -> Any:
    """A value as it may go into a cell: no control characters, never a live formula.

    Text starting with = + - or @ is prefixed with a single quote, so a spreadsheet shows it
    as text instead of evaluating it (formula injection). Numbers, dates and booleans pass.
    """
    if not isinstance(value, str):
        return value
    cleaned = _CONTROL.sub("", value)
    if cleaned[:1] in FORMULA_STARTS:
        return "'" + cleaned
    return cleaned


def safe_title(title: str) -> str:
    """A sheet title Excel accepts: none of / \\ ? * [ ] :, at most 31 characters."""
    cleaned = _CONTROL.sub("", _TITLE_FORBIDDEN.sub(" ", str(title))).strip().strip("'")
    return cleaned[:31] or "Sheet1"


def write_xlsx(
    target: IO[bytes] | str,
    title: str,
    labels: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    progress: Progress | None = None,
    every: int | None = None,
) -> int:
    """Stream rows into an .xlsx at ``target`` (a path or a binary file); return the row count.

    Write-only mode keeps memory flat whatever the size (openpyxl spools the sheet to a
    temporary file); every cell goes through ``safe_cell``; ``progress(n)`` every ``every``
    rows. The one writer of every Excel export.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=safe_title(title))
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDE7F0")
    header = []
    for label in labels:
        cell = WriteOnlyCell(sheet, value=safe_cell(str(label)))
        cell.font = bold
        cell.fill = fill
        header.append(cell)
    for index in range(len(labels)):
        sheet.column_dimensions[get_column_letter(index + 1)].width = 16
    sheet.freeze_panes = "A2"
    sheet.append(header)
    count = 0
    every = every or PROGRESS_EVERY
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
        count += 1
        if progress is not None and count % every == 0:
            progress(count)
    workbook.save(target)
    if progress is not None:
        progress(count)
    return count


def write_workbook(title: str, labels: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A small export in memory (the same writer as the large ones)."""
    buffer = io.BytesIO()
    write_xlsx(buffer, title, labels, rows)
    return buffer.getvalue()


def error_workbook(errors: Sequence[RowError]) -> bytes:
    """The problems as a sheet a clerk can keep beside the original file."""
    return write_workbook(
        _("导入问题"),
        [_("行"), _("列"), _("问题")],
        ((e.row, e.column, e.message) for e in errors),
    )
