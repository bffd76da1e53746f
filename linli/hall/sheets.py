"""The catalogue (事项目录) as an Excel sheet: the same columns write the export and read the
import.

The machinery is ``core.sheets`` (typed columns, every problem named by row and column, all
rows or none, audited) and ``jobs.sheets`` (the import runs as a job); this module keeps the
catalogue's columns and how a row is resolved: its hall by code, its queue by prefix (a
front queue of that hall), an existing item by its code.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core import excel
from linli.core.errors import RowError
from linli.core.excel import Column
from linli.core.sheets import Resolution, Sheet, duplicate_keys, yes_no

from .models import Hall, Item, Queue
from .services import format_materials, parse_materials, pinyin_initials

CHANNEL_FIELDS = ("channel_window", "channel_self_service", "channel_online", "channel_citywide")

CODE, HALL, QUEUE = "事项编码", "大厅", "队列"


class ItemSheet(Sheet):
    """One catalogue item per row, matched by its code: existing items are updated."""

    name = "items"
    title = gettext_lazy("事项目录")
    model = Item
    permission = "hall.manage"
    columns = (
        Column("code", CODE, excel.text(40)),
        Column("name", "事项名称", excel.text(120)),
        Column("aliases", "别名", excel.text(200), required=False),
        Column("category", "类别", excel.text(40)),
        Column("hall", HALL, excel.text(4)),
        Column("queue", QUEUE, excel.text(3)),
        Column("channel_window", "窗口办理", excel.boolean, required=False),
        Column("channel_self_service", "自助办理", excel.boolean, required=False),
        Column("channel_online", "一网通办", excel.boolean, required=False),
        Column("channel_citywide", "全市通办", excel.boolean, required=False),
        Column("fee", "收费", excel.text(60), required=False),
        Column("promised_days", "承诺时限(工作日)", excel.integer(0, 365), required=False),
        Column("materials", "申请材料", excel.text(4000), required=False),
        Column("legal_basis", "设定依据", excel.text(2000), required=False),
    )
    fields = {"code": CODE, "hall": HALL, "queue": QUEUE}

    def resolve(
        self, rows: Sequence[excel.ParsedRow], scope: int | None, street: int | None = None
    ) -> Resolution:
        res = Resolution()
        duplicate_keys(res, ((n, v["code"]) for n, v in rows), CODE)
        halls = {h.code: h for h in Hall.objects.filter(code__in={v["hall"] for _n, v in rows})}
        queues = {
            q.prefix: q for q in Queue.objects.filter(prefix__in={v["queue"] for _n, v in rows})
        }
        existing = {i.code: i for i in Item.objects.filter(code__in=[v["code"] for _n, v in rows])}
        was_in: dict[int, int] = {}  # row → the hall of the item it updates, before the row
        res.extra["was_in"] = was_in
        for number, v in rows:
            hall = halls.get(v["hall"])
            queue = queues.get(v["queue"])
            if hall is None:
                res.errors.append(RowError(number, HALL, _("没有这个大厅代码")))
            if queue is None or queue.is_backoffice:
                res.errors.append(RowError(number, QUEUE, _("没有这个取号队列")))
            elif hall is not None and queue.hall_id != hall.pk:
                res.errors.append(RowError(number, QUEUE, _("该队列不属于这个大厅")))
            if hall is None or queue is None or queue.is_backoffice or queue.hall_id != hall.pk:
                continue
            item = existing.get(v["code"]) or Item(code=v["code"])
            if item.pk is not None:
                was_in[number] = item.hall_id
            item.name, item.category = v["name"], v["category"]
            item.aliases = v["aliases"] or ""
            item.hall, item.queue = hall, queue
            for key in CHANNEL_FIELDS:
                setattr(item, key, bool(v[key]) if v[key] is not None else key == "channel_window")
            item.fee = v["fee"] or "不收费"
            item.promised_days = v["promised_days"] or 0
            item.materials = parse_materials(v["materials"] or "")
            item.legal_basis = v["legal_basis"] or ""
            item.pinyin = pinyin_initials(item.name, item.aliases)
            res.instances.append((number, item))
        return res

    def export_row(self, obj: Any) -> list[Any]:
        return [
            obj.code, obj.name, obj.aliases, obj.category, obj.hall.code, obj.queue.prefix,
            *(yes_no(getattr(obj, key)) for key in CHANNEL_FIELDS),
            obj.fee, obj.promised_days, format_materials(obj.materials), obj.legal_basis,
        ]  # fmt: skip


ITEMS = ItemSheet()
