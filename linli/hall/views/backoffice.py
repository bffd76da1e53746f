"""The back office (中台) and the supervisor's call by number."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core import policy
from linli.core.context import Actor

from .. import queries, services
from ..errors import HallError
from .common import local_today, or_404


@policy.permission_required("hall.backoffice")
def backoffice(request: HttpRequest) -> HttpResponse:
    return render(request, "hall/backoffice.html", {"rows": queries.escalated_rows(request.user)})


@policy.permission_required("hall.backoffice")
@require_POST
def backoffice_return(request: HttpRequest) -> HttpResponse:
    """Send an escalated ticket back to its window with the back office's note."""
    ticket = or_404(queries.ticket_by_pk(request.user, request.POST.get("ticket")))
    try:
        services.do_return_ticket(Actor.from_request(request), ticket, request.POST.get("note", ""))
        messages.success(
            request,
            _("%(n)s 已退回 %(w)s，连同处理意见，将优先叫号。")
            % {"n": ticket.number, "w": ticket.window or _("前台")},
        )
    except HallError as exc:
        messages.error(request, exc.message)
    return redirect("hall:backoffice")


@policy.permission_required("hall.backoffice")
@require_POST
def backoffice_finish(request: HttpRequest) -> HttpResponse:
    """Finish an escalated ticket in the back office; the resident need not go back."""
    ticket = or_404(queries.ticket_by_pk(request.user, request.POST.get("ticket")))
    try:
        services.do_finish_ticket_in_backoffice(
            Actor.from_request(request), ticket, request.POST.get("note", "")
        )
        messages.success(
            request, _("%(n)s 已由中台办结，居民无需再到窗口。") % {"n": ticket.number}
        )
    except HallError as exc:
        messages.error(request, exc.message)
    return redirect("hall:backoffice")


@policy.permission_required("hall.supervise")
def supervise(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        window = or_404(queries.window_by_pk(request.user, request.POST.get("window")))
        try:
            ticket = services.do_call_ticket_by_number(
                Actor.from_request(request), window, request.POST.get("number", "")
            )
            messages.success(
                request,
                _("已将 %(n)s 叫到 %(w)s 号窗口（已记录审计）")
                % {"n": ticket.number, "w": window.number},
            )
        except HallError as exc:
            messages.error(request, exc.message)
        return redirect("hall:supervise")
    return render(
        request,
        "hall/supervise.html",
        {
            "windows": queries.supervised_windows(request.user),
            "data": [queries.board(h, local_today()) for h in queries.halls(request.user)],
        },
    )
