"""The catalogue of items (事项): list, Excel export and import, one item."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core import policy
from linli.core.context import Actor
from linli.core.errors import ImportRejected, RowError

from .. import filters, queries, services
from ..models import (
    Item,
)
from .common import (
    bad_filter,
    filtered,
    page_of,
    query_without_page,
    show_errors,
    xlsx_response,
)

ITEM_SORTS = {
    "code": gettext_lazy("编码"),
    "name": gettext_lazy("名称"),
    "promised_days": gettext_lazy("承诺时限"),
}


CHANNELS = filters.CHANNELS


def _items_filtered(request: HttpRequest) -> tuple[QuerySet[Item], list[str]]:
    qs, errors = filtered(request, filters.ItemFilter, queries.items(request.user))
    sort = request.GET.get("sort", "")
    if sort.lstrip("-") in ITEM_SORTS:
        qs = qs.order_by(sort, "code")
    return qs, errors


def item_list(request: HttpRequest) -> HttpResponse:
    qs, errors = _items_filtered(request)
    status = show_errors(request, errors)
    return render(
        request,
        "hall/item_list.html",
        {
            "page": page_of(request, qs),
            "query": query_without_page(request),
            **queries.setup_lists(),
            "categories": queries.item_categories(request.user),
            "channels": {k: v[1] for k, v in CHANNELS.items()},
            "counts": queries.item_channel_counts(request.user, CHANNELS.values()),
            "total": queries.active_item_total(request.user),
            "sorts": ITEM_SORTS,
            "sort": request.GET.get("sort", ""),
            "can_manage": policy.can(request.user, "hall.manage"),
        },
        status=status,
    )


def item_export(request: HttpRequest) -> HttpResponse:
    items, errors = _items_filtered(request)
    if errors:
        return bad_filter(errors)
    labels = [c.label for c in services.ITEM_COLUMNS]
    rows = [
        [i.code, i.name, i.aliases, i.category, i.hall.code, i.queue.prefix,
         *("是" if v else "否" for v in (i.channel_window, i.channel_self_service,
                                        i.channel_online, i.channel_citywide)),
         i.fee, i.promised_days, services.format_materials(i.materials), i.legal_basis]
        for i in items
    ]  # fmt: skip
    return xlsx_response("hall-items", "事项目录", labels, rows)


@policy.permission_required("hall.manage")
def item_import(request: HttpRequest) -> HttpResponse:
    errors: list[Any] = []
    if request.method == "POST" and request.FILES.get("file"):
        upload: Any = request.FILES["file"]
        if upload.size and upload.size > 5 * 1024 * 1024:
            errors = [RowError(0, _("文件"), _("文件超过 5 MB"))]
        else:
            try:
                created, updated = services.do_import_items(
                    Actor.from_request(request), upload, upload.name or ""
                )
            except ImportRejected as exc:
                errors = exc.errors
            else:
                messages.success(
                    request,
                    _("已导入：新增 %(c)s 项，更新 %(u)s 项") % {"c": created, "u": updated},
                )
                return redirect("hall:items")
    return render(
        request,
        "hall/item_import.html",
        {"errors": errors, "columns": services.ITEM_COLUMNS},
        status=400 if errors else 200,
    )


def item_detail(request: HttpRequest, code: str) -> HttpResponse:
    item = get_object_or_404(queries.items(request.user), code=code)
    return render(request, "hall/item_detail.html", {"item": item})
