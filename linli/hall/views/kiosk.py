"""The kiosk (public): taking a number, the slip, the status page and its rating."""

from __future__ import annotations

import functools
import io
from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import get_script_prefix, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import queries, services
from ..errors import HallError
from ..models import (
    Hall,
    Queue,
    Ticket,
)


@login_not_required
def kiosk(request: HttpRequest, hall: str) -> HttpResponse:
    # Halls, queues and holidays from this process's cache (checked against the stored version
    # when the page is shown; issuing checks it in its numbering statement).
    # ``hall`` is the hall's key, or a bare code while only one hall has it (else 404).
    config = services.kiosk_config(check=request.method != "POST")
    hall_obj = config.hall(hall)
    if hall_obj is None:
        config = services.kiosk_config(check=True)
        hall_obj = config.hall(hall)
        if hall_obj is None:
            raise Http404
    queues = config.hall_queues(hall)
    error = ""
    now = services.kiosk_clock()
    if request.method == "POST":
        try:
            if request.POST.get("checkin"):
                services.require_open(hall_obj, now)
                if not request.POST.get("id_number", "").strip():
                    raise HallError(
                        _("预约签到请先在读卡区刷身份证，再按“预约签到”。"),
                        code="id_required",
                        field="id_number",
                    )
                ticket = services.do_check_in_appointment(
                    request.POST.get("id_number", ""), hall=hall_obj
                )
            else:
                chosen = request.POST.get("queue") or ""
                prefix = next((q.prefix for q in queues if str(q.pk) == chosen), "")
                if not prefix:
                    raise Http404
                ticket = services.do_issue_kiosk_ticket(
                    hall, prefix, request.POST.get("id_number", "")
                )
        except HallError as exc:
            error = exc.message
            config = services.kiosk_config(check=True)
            hall_obj = config.hall(hall) or hall_obj
            queues = config.hall_queues(hall)
        else:
            slip = reverse("hall:slip", args=[ticket.token])
            if ticket.queue.hall_id != hall_obj.pk:
                slip = f"{slip}?k={hall_obj.key}"  # the slip's "back" goes to this kiosk
            return redirect(slip)
    calendar = config.calendar
    closed = (
        ""
        if services.is_open(hall_obj, now, calendar)
        else services.closed_message(hall_obj, now, calendar)
    )
    return render(
        request,
        "hall/kiosk.html",
        {
            "hall": hall_obj,
            "queues": queues,
            "error": error,
            # Any kiosk of the street checks in: the slip then says which hall serves it.
            "appointments": config.street_has_appointments(hall_obj),
            "closed": closed,
            **_kiosk_search(request, hall_obj, queues),
        },
        status=400 if error else 200,
    )


KIOSK_HITS = 8


def _kiosk_search(request: HttpRequest, hall: Hall, queues: list[Queue]) -> dict[str, Any]:
    """The kiosk's 事项 search (name, alias or pinyin initials): where each is queued.

    Items of the kiosk's street only. An item queued in this hall gets its queue's button;
    one in another hall of the street says where to go.
    """
    text = request.GET.get("q", "").strip()[:40]
    if not text:
        return {"q": ""}
    here = {q.pk: q for q in queues}
    found = queries.kiosk_items(text, KIOSK_HITS, hall)
    hits = [{"item": i, "queue": here.get(i.queue_id)} for i in found]
    return {"q": text, "hits": hits}


@login_not_required
@require_POST
def kiosk_ticket(request: HttpRequest, hall: str) -> JsonResponse:
    """The kiosk's JSON form (ticket machines with their own front end, the benchmark).

    POST ``queue`` (prefix) and optionally ``id_number``; CSRF-protected like the page.
    Halls, queues and holidays come from the process's cache (``services.kiosk_config``).
    """
    try:
        ticket = services.do_issue_kiosk_ticket(
            hall, request.POST.get("queue", ""), request.POST.get("id_number", "")
        )
    except HallError as exc:
        status = {"hall_closed": 409, "unknown_queue": 404}.get(exc.code, 400)
        return JsonResponse({"code": exc.code, "message": exc.message}, status=status)
    return JsonResponse(
        {
            "number": ticket.number,
            "queue": ticket.queue.prefix,
            "priority": ticket.priority,
            "slip": _token_url("hall:slip", ticket.token),
            "status": _token_url("hall:status", ticket.token),
        },
        status=201,
    )


_TOKEN_MARK = "TOKEN-MARK"  # noqa: S105 (a placeholder in a cached URL, no secret)


@functools.cache
def _token_url_parts(name: str, script_prefix: str) -> tuple[str, str]:
    before, after = reverse(name, args=[_TOKEN_MARK]).split(_TOKEN_MARK, 1)
    return before, after


def _token_url(name: str, token: str) -> str:
    """``reverse(name, args=[token])`` for a URL-safe ticket token, without resolving each time
    (the kiosk answers many tickets a second)."""
    before, after = _token_url_parts(name, get_script_prefix())
    return f"{before}{token}{after}"


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    text = buffer.getvalue().decode()
    return text[text.index("<svg") :]


def _ticket_context(request: HttpRequest, ticket: Ticket) -> dict[str, Any]:
    status_url = request.build_absolute_uri(reverse("hall:status", args=[ticket.token]))
    return {
        "ticket": ticket,
        "position": queries.position(ticket),
        "status_url": status_url,
        "qr": mark_safe(_qr_svg(status_url)),  # noqa: S308 (SVG drawn by segno)
    }


def _ticket(token: str) -> Ticket:
    ticket = queries.ticket_by_token(token)
    if ticket is None:
        raise Http404
    return ticket


@login_not_required
def slip(request: HttpRequest, token: str) -> HttpResponse:
    """The printed slip; ``?k=<hall key>`` when taken at another hall's kiosk (预约签到 at
    kiosk B)."""
    ticket = _ticket(token)
    at = services.kiosk_config().hall(request.GET.get("k", ""))
    kiosk = at.key if at is not None else ticket.queue.hall.key
    return render(request, "hall/slip.html", {**_ticket_context(request, ticket), "kiosk": kiosk})


@login_not_required
def status(request: HttpRequest, token: str) -> HttpResponse:
    ticket = _ticket(token)
    child = queries.latest_child(ticket)
    if child is not None:
        return redirect("hall:status", token=child.token)
    context = _ticket_context(request, ticket)
    context["rated"] = queries.rating_of_ticket(ticket)
    context["stars"] = range(5, 0, -1)
    return render(request, "hall/status.html", context)


@login_not_required
@require_POST
def rate(request: HttpRequest, token: str) -> HttpResponse:
    ticket = _ticket(token)
    try:
        services.do_rate_ticket(
            ticket, int(request.POST.get("stars") or 0), request.POST.get("comment", "")
        )
        messages.success(request, _("感谢您的评价。"))
    except (HallError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", _("请选择 1 到 5 星。")))
    return redirect("hall:status", token=token)
