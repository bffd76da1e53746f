"""The catalogue (事项目录) as an Excel sheet: the same columns write the export and read the
import.

The machinery is ``core.sheets`` (typed columns, every problem named by row and column, all
rows or none, audited) and ``jobs.sheets`` (the import runs as a job); this module keeps the
catalogue's columns and how a row is resolved: its hall by key (``310104012-A``, as the export
writes it) or by code among the importer's street's halls, its queue by prefix (a front queue
of that hall), an existing item by its code in that hall's street (codes repeat from street
to street: every centre lists the standard catalogue).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core import excel
from linli.core.errors import RowError
from linli.core.excel import Column
from linli.core.sheets import Resolution, Sheet, duplicate_keys, yes_no

from .models import KEY_SEPARATOR, Hall, Item, Queue, split_hall_key
from .queries import street_halls
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
        Column("hall", HALL, excel.text(30)),
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
        halls = _halls({v["hall"] for _n, v in rows}, street)
        duplicate_keys(
            res,
            ((n, (_street_of(halls.get(v["hall"])), v["code"])) for n, v in rows),
            CODE,
        )
        queues = {
            (q.hall_id, q.prefix): q
            for q in Queue.objects.filter(
                hall__in=[h.pk for h in halls.values()], prefix__in={v["queue"] for _n, v in rows}
            )
        }
        streets = {h.subdistrict_id for h in halls.values()}
        near = Q(hall__subdistrict_id__in=streets - {None})
        if None in streets:
            near |= Q(hall__subdistrict__isnull=True)
        in_hall: dict[tuple[int, str], Item] = {}
        in_street: dict[tuple[int | None, str], Item] = {}
        for i in Item.objects.filter(near, code__in=[v["code"] for _n, v in rows]).select_related(
            "hall"
        ):
            in_hall[(i.hall_id, i.code)] = i
            in_street.setdefault((i.hall.subdistrict_id, i.code), i)
        was_in: dict[int, int] = {}  # row → the hall of the item it updates, before the row
        res.extra["was_in"] = was_in
        for number, v in rows:
            hall = halls.get(v["hall"])
            if hall is None:
                res.errors.append(RowError(number, HALL, _("没有这个大厅代码")))
                continue
            queue = queues.get((hall.pk, v["queue"]))
            if queue is None:  # perhaps another hall's of the street (a mistake worth naming)
                queue = Queue.objects.filter(prefix=v["queue"], hall__in=street_halls(hall)).first()
            if queue is None or queue.is_backoffice:
                res.errors.append(RowError(number, QUEUE, _("没有这个取号队列")))
            elif queue.hall_id != hall.pk:
                res.errors.append(RowError(number, QUEUE, _("该队列不属于这个大厅")))
            if queue is None or queue.is_backoffice or queue.hall_id != hall.pk:
                continue
            # The item with this code in this hall, else in another hall of its street (moving
            # into this one); another street's item of the same code is never touched.
            item = (
                in_hall.get((hall.pk, v["code"]))
                or in_street.get((hall.subdistrict_id, v["code"]))
                or Item(code=v["code"])
            )
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
            obj.code, obj.name, obj.aliases, obj.category, obj.hall.key, obj.queue.prefix,
            *(yes_no(getattr(obj, key)) for key in CHANNEL_FIELDS),
            obj.fee, obj.promised_days, format_materials(obj.materials), obj.legal_basis,
        ]  # fmt: skip


def _halls(names: set[str], street: int | None) -> dict[str, Hall]:
    """The halls a file's hall column names: a key names one hall; a bare code the hall of
    the importer's street with that code, else the one without a street, else the only hall
    with that code (the import's check then refuses another street's)."""
    halls = Hall.objects.select_related("subdistrict")
    codes = {n for n in names if KEY_SEPARATOR not in n}
    by_code: dict[str, list[Hall]] = defaultdict(list)
    for hall in halls.filter(code__in=codes).order_by("pk"):
        by_code[hall.code].append(hall)
    found: dict[str, Hall] = {}
    for code, candidates in by_code.items():
        mine = [h for h in candidates if street is not None and h.subdistrict_id == street]
        lone = [h for h in candidates if h.subdistrict_id is None]
        chosen = mine or lone or (candidates if len(candidates) == 1 else [])
        if chosen:
            found[code] = chosen[0]
    keys = names - codes
    if keys:  # every keyed hall in one query
        wanted = Q()
        for name in keys:
            code_of_street, code = split_hall_key(name)
            wanted |= Q(subdistrict__code=code_of_street, code=code)
        for hall in halls.filter(wanted):
            if hall.key in keys:
                found[hall.key] = hall
    return found


def _street_of(hall: Hall | None) -> Any:
    return None if hall is None else (hall.subdistrict_id or "")


ITEMS = ItemSheet()
