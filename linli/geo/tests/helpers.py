"""Build small Excel files for import tests."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook


def xlsx(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "test.xlsx"
    return buffer


BUILDING_HEADER = ["居委代码", "小区/弄", "楼栋", "地址", "房屋类型", "结构", "建成年份", "层数",
                   "风貌保护", "有电梯", "经度", "纬度"]  # fmt: skip
