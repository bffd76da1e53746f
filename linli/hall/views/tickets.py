"""The ticket log: list, Excel export and one ticket's history."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy

from .. import filters, queries
from ..models import (
    Ticket,
)
from .common import (
    bad_filter,
    filtered,
    local_today,
    page_of,
    query_without_page,
    show_errors,
    street_choices,
    xlsx_response,
)

TICKET_SORTS = {
    "issued_at": gettext_lazy("取号时间"),
    "number": gettext_lazy("号码"),
    "first_called_at": gettext_lazy("叫号时间"),
}


def _tickets_filtered(request: HttpRequest) -> tuple[QuerySet[Ticket], list[str]]:
    """The day's tickets (today unless ``day`` is given; every day with ``all_days``, as the
    operations screen's escalations still open from an earlier day need), narrowed like the API
    list."""
    data = request.GET.copy()
    if data.get("all_days"):
        data.pop("day", None)
    elif not data.get("day"):
        data["day"] = local_today().isoformat()
    qs, errors = filtered(request, filters.TicketFilter, queries.tickets(request.user), data)
    sort = request.GET.get("sort", "")
    ordered = (
        qs.order_by(sort, "pk")
        if sort.lstrip("-") in TICKET_SORTS
        else qs.order_by("issued_at", "pk")
    )
    return ordered, errors


def ticket_list(request: HttpRequest) -> HttpResponse:
    tickets, errors = _tickets_filtered(request)
    status = show_errors(request, errors)
    return render(
        request,
        "hall/ticket_list.html",
        {
            "page": page_of(request, tickets),
            "query": query_without_page(request),
            "streets": street_choices(request),
            "states": Ticket.State.choices,
            "queues": queries.front_queues(request.user),
            "sorts": TICKET_SORTS,
            "day": request.GET.get("day") or local_today().isoformat(),
            "all_days": bool(request.GET.get("all_days")),
        },
        status=status,
    )


def ticket_export(request: HttpRequest) -> HttpResponse:
    tickets, errors = _tickets_filtered(request)
    if errors:
        return bad_filter(errors)
    labels = ["号码", "队列", "状态", "优先级", "取号方式", "事项", "取号", "首次叫号", "重呼",
              "开始办理", "结束", "窗口", "人员"]  # fmt: skip

    def at(moment: Any) -> str:
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else ""

    rows = [
        [t.number, t.queue.prefix, t.get_state_display(), t.priority, t.get_source_display(),
         t.item.name if t.item else "", at(t.issued_at), at(t.first_called_at), t.recalls,
         at(t.started_at), at(t.ended_at), t.window.number if t.window else "",
         t.clerk.username if t.clerk else ""]
        for t in tickets
    ]  # fmt: skip
    return xlsx_response("hall-tickets", "排队记录", labels, rows)


ACTION_LABELS = {
    "issue": gettext_lazy("取号"),
    "call": gettext_lazy("叫号"),
    "recall": gettext_lazy("重呼"),
    "start": gettext_lazy("开始办理"),
    "finish": gettext_lazy("办结"),
    "no_show": gettext_lazy("过号"),
    "requeue": gettext_lazy("重新排队"),
    "transfer": gettext_lazy("转窗"),
    "transfer_in": gettext_lazy("转入"),
    "escalate": gettext_lazy("转中台"),
    "return": gettext_lazy("中台退回"),
    "call_by_number": gettext_lazy("指定叫号"),
    "cancel": gettext_lazy("取消"),
}


def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_object_or_404(queries.tickets(request.user), pk=pk)
    states = dict(Ticket.State.choices)
    events = [
        {"e": e, "action": ACTION_LABELS.get(e.action, e.action),
         "from": states.get(e.from_state, e.from_state), "to": states.get(e.to_state, e.to_state)}
        for e in queries.ticket_events(ticket)
    ]  # fmt: skip
    family = queries.ticket_family(ticket)
    return render(
        request, "hall/ticket_detail.html", {"ticket": ticket, "events": events, "family": family}
    )
