"""The offline checklist: one Excel sheet per sample (one row per sub-unit or per finding)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from linli.core.excel import Column, boolean, integer, text

RESULTS = {"无问题": "clean", "不适用": "na", "有问题": "findings", "未检查": "open"}


def result(value: Any) -> str:
    from linli.core.excel import CellError

    word = str(value).strip()
    if word in RESULTS:
        return RESULTS[word]
    if word in RESULTS.values():
        return word
    raise CellError(str(_("应为：无问题、不适用、有问题")))


COLUMNS = [
    Column("code", str(_("子单元代码")), text(10)),
    Column("name", str(_("子单元")), text(100), required=False),
    Column("check", str(_("检查内容")), text(300), required=False),
    Column("s0", str(_("S0")), integer(1, 5), required=False),
    Column("result", str(_("结果")), result),
    Column("likelihood", str(_("可能性L")), integer(1, 5), required=False),
    Column("reason", str(_("严重性上调理由")), text(30), required=False),
    Column("description", str(_("问题描述")), text(300), required=False),
    Column("location", str(_("位置")), text(100), required=False),
    Column("rule", str(_("违反条款")), text(150), required=False),
    Column("major", str(_("重大火灾隐患")), boolean, required=False),
]
