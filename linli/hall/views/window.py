"""The window (前台): choosing a window, its page, and one view per form on it."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
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
from .common import local_today, or_404


def _hall(request: HttpRequest) -> str:
    """``?hall=<key>``: which hall's window ``number`` is, where the user reaches halls that
    repeat window numbers (window numbers are per hall)."""
    return request.GET.get("hall", "").strip()[:30]


def _window(request: HttpRequest, number: int) -> Window:
    window = queries.window_by_number(request.user, number, _hall(request))
    if window is None:
        raise Http404
    return window


def _window_url(window: Window) -> str:
    return reverse("hall:window", args=[window.number]) + f"?hall={window.hall.key}"


@policy.permission_required("hall.serve")
def window_choose(request: HttpRequest) -> HttpResponse:
    mine = queries.window_of_clerk(request.user)
    if mine is not None and "change" not in request.GET:
        return redirect(_window_url(mine))
    return render(request, "hall/window_choose.html", {"windows": queries.windows(request.user)})


@policy.permission_required("hall.serve")
@require_POST
def window_take(request: HttpRequest, number: int) -> HttpResponse:
    window = _window(request, number)
    services.do_take_window(Actor.from_request(request), window)
    return redirect(_window_url(window))


@policy.permission_required("hall.serve")
def window_page(request: HttpRequest, number: int) -> HttpResponse:
    window = _window(request, number)
    current = queries.current_ticket(window)
    context = {
        "window": window,
        "on_duty": window.clerk_id == request.user.pk,
        "current": current,
        "waiting": queries.waiting_rows(window, timezone.now()),
        "no_shows": queries.no_shows(window, local_today()),
        "queues": queries.front_queues(request.user),
        "items": queries.active_items_brief(request.user),
        "cases": queries.cases_of_ticket(current) if current else [],
    }
    return render(request, "hall/window.html", context)


# One view per form on the window page: each parses its form, calls one service, says what
# happened in the flash message and goes back to the window. A form that names a ticket sends it
# as ``ticket``; a refused step (``HallError``) comes back as an error message.


def _ticket(request: HttpRequest) -> Ticket:
    return or_404(queries.ticket_by_pk(request.user, request.POST.get("ticket")))


def _back(request: HttpRequest, number: int) -> HttpResponse:
    hall = _hall(request)
    url = reverse("hall:window", args=[number])
    return redirect(f"{url}?{urlencode({'hall': hall})}" if hall else url)


@policy.permission_required("hall.serve")
@require_POST
def window_call(request: HttpRequest, number: int) -> HttpResponse:
    window = _window(request, number)
    try:
        ticket = services.do_call_next_ticket(Actor.from_request(request), window)
    except HallError as exc:
        messages.error(request, exc.message)
        return _back(request, number)
    if ticket is None:
        messages.info(request, _("没有等候的号码。"))
    else:
        messages.success(request, _("已叫号 %(n)s") % {"n": ticket.number})
    return _back(request, number)


@policy.permission_required("hall.serve")
@require_POST
def window_recall(request: HttpRequest, number: int) -> HttpResponse:
    _window(request, number)
    ticket = _ticket(request)
    try:
        services.do_recall_ticket(Actor.from_request(request), ticket)
        messages.success(request, _("已重呼 %(n)s。") % {"n": ticket.number})
    except HallError as exc:
        messages.error(request, exc.message)
    return _back(request, number)


@policy.permission_required("hall.serve")
@require_POST
def window_start(request: HttpRequest, number: int) -> HttpResponse:
    _window(request, number)
    ticket = _ticket(request)
    try:
        services.do_start_ticket(Actor.from_request(request), ticket)
        messages.success(request, _("%(n)s 开始办理。") % {"n": ticket.number})
    except HallError as exc:
        messages.error(request, exc.message)
    return _back(request, number)


@policy.permission_required("hall.serve")
@require_POST
def window_finish(request: HttpRequest, number: int) -> HttpResponse:
    _window(request, number)
    ticket = _ticket(request)
    try:
        services.do_finish_ticket(Actor.from_request(request), ticket)
        messages.success(request, _("%(n)s 已办结，可以叫下一位。") % {"n": ticket.number})
    except HallError as exc:
        messages.error(request, exc.message)
    return _back(request, number)


@policy.permission_required("hall.serve")
@require_POST
def window_no_show(request: HttpRequest, number: int) -> HttpResponse:
    _window(request, number)
    ticket = _ticket(request)
    try:
        services.do_mark_no_show(Actor.from_request(request), ticket)
        messages.success(request, _("%(n)s 已记为过号。") % {"n": ticket.number})
    except HallError as exc:
        messages.error(request, exc.message)
    return _back(request, number)


@policy.permission_required("hall.serve")
@require_POST
def window_requeue(request: HttpRequest, number: int) -> HttpResponse:
    _window(request, number)
    ticket = _ticket(request)
    try:
        services.do_requeue_ticket(Actor.from_request(request), ticket)
        messages.success(request, _("%(n)s 已重新排队（后移 3 位）。") % {"n": ticket.number})
    except HallError as exc:
        messages.error(request, exc.message)
    return _back(request, number)


@policy.permission_required("hall.serve")
@require_POST
def window_transfer(request: HttpRequest, number: int) -> HttpResponse:
    _window(request, number)
    ticket = _ticket(request)
    queue = or_404(queries.queue_by_pk(request.user, request.POST.get("queue")))
    try:
        services.do_transfer_ticket(
            Actor.from_request(request), ticket, queue, request.POST.get("reason", "")
        )
        messages.success(
            request, _("%(n)s 已转到 %(q)s 排队。") % {"n": ticket.number, "q": queue.name}
        )
    except HallError as exc:
        messages.error(request, exc.message)
    return _back(request, number)


@policy.permission_required("hall.serve")
@require_POST
def window_escalate(request: HttpRequest, number: int) -> HttpResponse:
    _window(request, number)
    ticket = _ticket(request)
    try:
        services.do_escalate_ticket(
            Actor.from_request(request), ticket, request.POST.get("reason", "")
        )
        messages.success(
            request,
            _("%(n)s 已转中台，请居民稍候；中台处理后优先叫号或直接办结。") % {"n": ticket.number},
        )
    except HallError as exc:
        messages.error(request, exc.message)
    return _back(request, number)


@policy.permission_required("hall.serve")
@require_POST
def window_open_case(request: HttpRequest, number: int) -> HttpResponse:
    _window(request, number)
    ticket = _ticket(request)
    item = or_404(queries.item_by_pk(request.user, request.POST.get("item")))
    try:
        case = services.do_open_case(
            Actor.from_request(request), item, ticket=ticket,
            citywide=bool(request.POST.get("citywide")), phone=request.POST.get("phone", ""),
        )  # fmt: skip
        messages.success(
            request,
            _("已受理办件 %(n)s，承诺 %(d)s 前办结") % {"n": case.number, "d": case.due_on},
        )
    except HallError as exc:
        messages.error(request, exc.message)
    return _back(request, number)
