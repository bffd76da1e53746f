"""Appointments: booking and cancelling (public), opening slots (hall.manage)."""

from __future__ import annotations

from datetime import date
from datetime import time as time_cls

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from linli.core import policy
from linli.core.context import Actor

from .. import queries, services
from ..errors import HallError
from .common import (
    ChooseStreet,
    local_today,
    or_404,
    page_of,
    public_street,
    query_without_page,
)


@login_not_required
def book(request: HttpRequest) -> HttpResponse:
    """预约 (public): choose an item, a slot with free places, swipe or type the ID number.

    The items of one street's centre (``?street=<code>``, as the terminal; the choice of
    street first when the installation has several and none is named)."""
    try:
        street = public_street(request)
    except ChooseStreet:
        return render(
            request, "hall/book.html", {"choose": True, "streets": queries.public_streets()}
        )
    today = local_today()
    items = queries.bookable_items(street, today)
    item = items.filter(code=request.GET.get("item") or request.POST.get("item") or "").first()
    error, booked = "", None
    if request.method == "POST" and item is not None:
        slot = or_404(queries.slot_of(item, request.POST.get("slot")))
        try:
            booked = services.do_book_appointment(
                slot, request.POST.get("id_number", ""), phone=request.POST.get("phone", "")
            )
        except HallError as exc:
            error = exc.message
    slots = queries.free_slots(item, today) if item is not None else []
    return render(
        request,
        "hall/book.html",
        {
            "items": items,
            "item": item,
            "slots": slots,
            "error": error,
            "booked": booked,
            "street": street,
        },
        status=400 if error else 200,
    )


@login_not_required
def book_cancel(request: HttpRequest) -> HttpResponse:
    error, done = "", None
    if request.method == "POST":
        try:
            done = services.do_cancel_appointment(
                request.POST.get("code", ""), request.POST.get("id_number", "")
            )
        except HallError as exc:
            error = exc.message
    return render(
        request,
        "hall/book_cancel.html",
        {"error": error, "done": done},
        status=400 if error else 200,
    )


@policy.permission_required("hall.manage")
def slots(request: HttpRequest) -> HttpResponse:
    """Open appointment slots (hall.manage) and see their bookings."""
    if request.method == "POST":
        try:
            item = or_404(queries.item_by_pk(request.user, request.POST.get("item")))
            times = [
                time_cls.fromisoformat(t.strip())
                for t in request.POST.get("times", "").replace("，", ",").split(",")
                if t.strip()
            ]
            made = services.do_create_slots(
                Actor.from_request(request), item,
                date.fromisoformat(request.POST.get("first", "")),
                date.fromisoformat(request.POST.get("last", "")),
                times, int(request.POST.get("capacity") or 0),
                int(request.POST.get("reserve") or 0),
            )  # fmt: skip
            messages.success(request, _("已开放 %(n)s 个时段") % {"n": made})
        except (ValueError, HallError) as exc:
            messages.error(request, getattr(exc, "message", _("请检查日期、时间和人数。")))
        return redirect("hall:slots")
    qs = queries.upcoming_slots(request.user, local_today())
    return render(
        request,
        "hall/slots.html",
        {"page": page_of(request, qs), "query": query_without_page(request),
         "items": queries.active_items_brief(request.user), "today": local_today()},
    )  # fmt: skip
