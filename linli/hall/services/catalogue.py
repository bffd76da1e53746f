"""The catalogue of items (事项): saving one, the Excel import and its columns."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from linli.core import audit, excel, policy
from linli.core.context import Actor
from linli.core.errors import ImportRejected, RowError
from linli.core.excel import Column, read_sheet

from ..models import (
    Hall,
    Item,
    Queue,
)
from .common import pinyin_initials


def do_save_item(actor: Actor, item: Item) -> Item:
    policy.require(actor.user, "hall.manage")
    with transaction.atomic():
        created = item.pk is None
        item.pinyin = pinyin_initials(item.name, item.aliases)
        item.save()
        audit.record(actor, "hall.item.create" if created else "hall.item.update", item)
    return item


ITEM_COLUMNS = [
    Column("code", "事项编码", excel.text(40)),
    Column("name", "事项名称", excel.text(120)),
    Column("aliases", "别名", excel.text(200), required=False),
    Column("category", "类别", excel.text(40)),
    Column("hall", "大厅", excel.text(4)),
    Column("queue", "队列", excel.text(3)),
    Column("channel_window", "窗口办理", excel.boolean, required=False),
    Column("channel_self_service", "自助办理", excel.boolean, required=False),
    Column("channel_online", "一网通办", excel.boolean, required=False),
    Column("channel_citywide", "全市通办", excel.boolean, required=False),
    Column("fee", "收费", excel.text(60), required=False),
    Column("promised_days", "承诺时限(工作日)", excel.integer(0, 365), required=False),
    Column("materials", "申请材料", excel.text(4000), required=False),
    Column("legal_basis", "设定依据", excel.text(2000), required=False),
]


def format_materials(materials: list[dict[str, Any]]) -> str:
    """``本人办理：居民身份证、户口簿；代办：…`` — the Excel form of the materials."""
    return "；".join(
        f"{m.get('situation', '')}：{'、'.join(m.get('materials', []))}" for m in materials
    )


def parse_materials(text: str) -> list[dict[str, Any]]:
    out = []
    for part in (text or "").replace(";", "；").split("；"):
        if not part.strip():
            continue
        situation, _sep, rest = part.replace(":", "：").partition("：")
        if not rest:
            situation, rest = "", situation
        out.append(
            {
                "situation": situation.strip(),
                "materials": [m.strip() for m in rest.replace(",", "、").split("、") if m.strip()],
            }
        )
    return out


def do_import_items(actor: Actor, file: Any, filename: str = "") -> tuple[int, int]:
    """Catalogue import: every row valid or nothing written; existing codes are updated."""
    policy.require(actor.user, "hall.manage")
    rows = read_sheet(file, ITEM_COLUMNS)
    halls = {h.code: h for h in Hall.objects.all()}
    queues = {q.prefix: q for q in Queue.objects.all()}
    existing = {i.code: i for i in Item.objects.filter(code__in=[r["code"] for _n, r in rows])}
    errors: list[RowError] = []
    seen: set[str] = set()
    items = []
    for number, row in rows:
        if row["code"] in seen:
            errors.append(RowError(number, "事项编码", _("文件中重复")))
        seen.add(row["code"])
        hall = halls.get(row["hall"])
        queue = queues.get(row["queue"])
        if hall is None:
            errors.append(RowError(number, "大厅", _("没有这个大厅代码")))
        if queue is None or queue.is_backoffice:
            errors.append(RowError(number, "队列", _("没有这个取号队列")))
        item = existing.get(row["code"]) or Item(code=row["code"])
        item.name, item.category = row["name"], row["category"]
        item.aliases = row["aliases"] or ""
        item.hall, item.queue = hall, queue  # type: ignore[assignment]
        for key in ("channel_window", "channel_self_service", "channel_online", "channel_citywide"):
            setattr(item, key, bool(row[key]) if row[key] is not None else key == "channel_window")
        item.fee = row["fee"] or "不收费"
        item.promised_days = row["promised_days"] or 0
        item.materials = parse_materials(row["materials"] or "")
        item.legal_basis = row["legal_basis"] or ""
        item.pinyin = pinyin_initials(item.name, item.aliases)
        items.append(item)
    if errors:
        raise ImportRejected(errors)
    created = sum(1 for i in items if i.pk is None)
    with transaction.atomic():
        for item in items:
            item.save()
        audit.record(
            actor, "hall.item.import", object_type="hall.item", object_repr=filename[:200],
            details={"created": created, "updated": len(items) - created},
        )  # fmt: skip
    return created, len(items) - created
