"""The catalogue of items (事项): list, Excel export and import (``hall.sheets``), one item."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy

from linli.core import policy
from linli.jobs import sheetviews

from .. import filters, queries, services
from ..models import Item
from ..sheets import ITEMS
from .common import bad_filter, filtered, page_of, query_without_page, show_errors, street_choices

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
            "streets": street_choices(request),
            **queries.setup_lists(request.user),
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
    """The catalogue as filtered on the page; a large one is written by a job."""
    _items, errors = _items_filtered(request)
    if errors:
        return bad_filter(errors)
    return sheetviews.export_response(
        request, services.export_items, ITEMS.name,
        kind=services.EXPORT_JOB, task=services.EXPORT_TASK,
    )  # fmt: skip


@policy.permission_required("hall.manage")
def item_import(request: HttpRequest) -> HttpResponse:
    """Upload the catalogue: it is saved and imported by a job; this page follows that job,
    with every problem named by row and column (nothing is written if there is one)."""
    return sheetviews.import_page(
        request,
        sheet=ITEMS,
        kind=services.IMPORT_JOB,
        key=ITEMS.name,
        start=services.do_start_item_import,
        url=reverse("hall:item_import"),
        template="hall/item_import.html",
        context={},
    )


@policy.permission_required("hall.manage")
def item_import_template(request: HttpRequest) -> HttpResponse:
    """The empty catalogue sheet (its header row) to fill in and import."""
    return sheetviews.template_response(ITEMS, "hall-items-template")


def item_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One item by its code, in the hall ``?hall=<key>`` names; when the code is in several
    halls the user reaches (every street's centre lists the standard codes) and none is
    named, the page lists them to choose from."""
    found = queries.items_by_code(request.user, code, request.GET.get("hall", "").strip())
    if not found:
        raise Http404
    if len(found) > 1:
        return render(request, "hall/item_choose.html", {"code": code, "items": found})
    return render(request, "hall/item_detail.html", {"item": found[0]})
