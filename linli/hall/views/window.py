"""The window (前台): choosing a window, its page, and one handler per form on it."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core import policy
from linli.core.context import Actor

from .. import queries, services
from ..errors import HallError
from ..models import (
    Ticket,
    Window,
)
from .common import local_today


def _window(number: int) -> Window:
    window = queries.window_by_number(number)
    if window is None:
        raise Http404
    return window


@policy.permission_required("hall.serve")
def window_choose(request: HttpRequest) -> HttpResponse:
    mine = queries.window_of_clerk(request.user)
    if mine is not None and "change" not in request.GET:
        return redirect("hall:window", number=mine.number)
    return render(request, "hall/window_choose.html", {"windows": queries.windows()})


@policy.permission_required("hall.serve")
@require_POST
def window_take(request: HttpRequest, number: int) -> HttpResponse:
    services.do_take_window(Actor.from_request(request), _window(number))
    return redirect("hall:window", number=number)


@policy.permission_required("hall.serve")
def window_page(request: HttpRequest, number: int) -> HttpResponse:
    window = _window(number)
    current = queries.current_ticket(window)
    context = {
        "window": window,
        "on_duty": window.clerk_id == request.user.pk,
        "current": current,
        "waiting": queries.waiting_rows(window, timezone.now()),
        "no_shows": queries.no_shows(window, local_today()),
        "queues": queries.front_queues(),
        "items": queries.active_items_brief(),
        "cases": queries.cases_of_ticket(current) if current else [],
    }
    return render(request, "hall/window.html", context)


# One handler per form on the window page; each says what happened in the flash message.
# The forms post to one address with their ``action``; a handler gets the window and, except
# for calling the next number, the ticket the form names.


def _call_next(request: HttpRequest, actor: Actor, window: Window) -> None:
    ticket = services.do_call_next_ticket(actor, window)
    if ticket is None:
        messages.info(request, _("没有等候的号码。"))
    else:
        messages.success(request, _("已叫号 %(n)s") % {"n": ticket.number})


def _recall(request: HttpRequest, actor: Actor, ticket: Ticket) -> None:
    services.do_recall_ticket(actor, ticket)
    messages.success(request, _("已重呼 %(n)s。") % {"n": ticket.number})


def _start(request: HttpRequest, actor: Actor, ticket: Ticket) -> None:
    services.do_start_ticket(actor, ticket)
    messages.success(request, _("%(n)s 开始办理。") % {"n": ticket.number})


def _finish(request: HttpRequest, actor: Actor, ticket: Ticket) -> None:
    services.do_finish_ticket(actor, ticket)
    messages.success(request, _("%(n)s 已办结，可以叫下一位。") % {"n": ticket.number})


def _no_show(request: HttpRequest, actor: Actor, ticket: Ticket) -> None:
    services.do_mark_no_show(actor, ticket)
    messages.success(request, _("%(n)s 已记为过号。") % {"n": ticket.number})


def _requeue(request: HttpRequest, actor: Actor, ticket: Ticket) -> None:
    services.do_requeue_ticket(actor, ticket)
    messages.success(request, _("%(n)s 已重新排队（后移 3 位）。") % {"n": ticket.number})


def _transfer(request: HttpRequest, actor: Actor, ticket: Ticket) -> None:
    queue = queries.queue_by_pk(request.POST.get("queue"))
    if queue is None:
        raise Http404
    services.do_transfer_ticket(actor, ticket, queue, request.POST.get("reason", ""))
    messages.success(
        request, _("%(n)s 已转到 %(q)s 排队。") % {"n": ticket.number, "q": queue.name}
    )


def _escalate(request: HttpRequest, actor: Actor, ticket: Ticket) -> None:
    services.do_escalate_ticket(actor, ticket, request.POST.get("reason", ""))
    messages.success(
        request,
        _("%(n)s 已转中台，请居民稍候；中台处理后优先叫号或直接办结。") % {"n": ticket.number},
    )


def _open_case(request: HttpRequest, actor: Actor, ticket: Ticket) -> None:
    item = queries.item_by_pk(request.POST.get("item"))
    if item is None:
        raise Http404
    case = services.do_open_case(
        actor, item, ticket=ticket, citywide=bool(request.POST.get("citywide")),
        phone=request.POST.get("phone", ""),
    )  # fmt: skip
    messages.success(
        request, _("已受理办件 %(n)s，承诺 %(d)s 前办结") % {"n": case.number, "d": case.due_on}
    )


TICKET_FORMS: dict[str, Callable[[HttpRequest, Actor, Ticket], None]] = {
    "recall": _recall,
    "start": _start,
    "finish": _finish,
    "no_show": _no_show,
    "requeue": _requeue,
    "transfer": _transfer,
    "escalate": _escalate,
    "case": _open_case,
}


@policy.permission_required("hall.serve")
@require_POST
def window_act(request: HttpRequest, number: int) -> HttpResponse:
    window = _window(number)
    actor = Actor.from_request(request)
    action = request.POST.get("action", "")
    try:
        if action == "call":
            _call_next(request, actor, window)
        else:
            handler = TICKET_FORMS.get(action)
            ticket = queries.ticket_by_pk(request.POST.get("ticket"))
            if handler is None or ticket is None:
                raise Http404
            handler(request, actor, ticket)
    except HallError as exc:
        messages.error(request, exc.message)
    return redirect("hall:window", number=number)
