"""The catalogue of items (事项): saving one, and its Excel import and export (the sheet is
``hall.sheets.ItemSheet``; the import and large exports run as jobs)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import SimpleNamespace
from typing import IO, Any

from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from linli.core import audit, policy, sheets
from linli.core.context import Actor
from linli.core.errors import RowError
from linli.core.sheets import ImportResult, Resolution
from linli.jobs import sheets as jobsheets
from linli.jobs.models import Job
from linli.jobs.sheets import Export

from .. import queries
from ..models import Item
from .common import pinyin_initials


def do_save_item(actor: Actor, item: Item) -> Item:
    policy.require(actor.user, "hall.manage")
    with transaction.atomic():
        created = item.pk is None
        item.pinyin = pinyin_initials(item.name, item.aliases)
        item.save()
        audit.record(actor, "hall.item.create" if created else "hall.item.update", item)
    return item


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


# --------------------------------------------------------------------------- the Excel import

ITEM_SORT_FIELDS = ("code", "name", "promised_days")
IMPORT_JOB = "hall.import"
IMPORT_TASK = "linli.hall.tasks.import_items"
EXPORT_JOB = "hall.export"
EXPORT_TASK = "linli.hall.tasks.export_items"


def do_import_items(
    actor: Actor,
    file: IO[bytes],
    filename: str = "",
    *,
    progress: Callable[[int, int], None] | None = None,
    record: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Catalogue import (``hall.sheets.ItemSheet``): every row valid or nothing written;
    existing codes are updated. Every row's hall, and the hall of an item it updates, must
    be one the importer reaches."""
    from ..sheets import CODE, HALL, ITEMS

    reached = set(queries.halls(actor.user).values_list("pk", flat=True))

    def check(number: int, obj: Model, res: Resolution) -> list[RowError]:
        assert isinstance(obj, Item)
        if obj.hall_id not in reached:
            return [RowError(number, HALL, _("无权导入其他街道的数据"))]
        if res.extra["was_in"].get(number, obj.hall_id) not in reached:
            return [RowError(number, CODE, _("该编码已登记在其他街道"))]
        return []

    return sheets.import_sheet(
        actor, ITEMS, file, filename, check=check, progress=progress, record=record
    )


def do_start_item_import(actor: Actor, upload: Any) -> Job:
    """Save the upload and queue its import (permission checked now and again in the job)."""
    from ..sheets import ITEMS

    policy.require(actor.user, ITEMS.permission)
    return jobsheets.do_start_import(
        actor,
        kind=IMPORT_JOB,
        task=IMPORT_TASK,
        title=_("导入%(list)s：%(file)s") % {"list": ITEMS.title, "file": upload.name},
        upload=upload,
        params={"list": ITEMS.name},
    )


def do_run_item_import(job: Job) -> None:
    jobsheets.do_run_import(job, do_import_items)


def export_items(user: Any, key: str, query: Mapping[str, Any]) -> Export:
    """The catalogue as the user reaches it, filtered like its page (``filters.ItemFilter``).
    Raises PermissionDenied, or KeyError for another list."""
    from ..filters import ItemFilter
    from ..sheets import ITEMS

    if key != ITEMS.name:
        raise KeyError(key)
    found = ItemFilter(query, queryset=queries.items(user), request=SimpleNamespace(user=user))
    qs = found.qs if found.is_valid() else Item.objects.none()
    sort = str(query.get("sort", ""))
    order = (sort, "code") if sort.lstrip("-") in ITEM_SORT_FIELDS else ("code",)
    return Export(
        str(ITEMS.title), ITEMS.labels(), qs.order_by(*order), ITEMS.export_row, "hall-items"
    )


def do_run_item_export(job: Job) -> None:
    jobsheets.do_run_export(job, export_items)
