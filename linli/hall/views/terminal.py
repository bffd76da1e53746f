"""The 24-hour self-service terminal (public): consult, apply, query, rate, collect.

A terminal stands in one street's centre and shows that street's catalogue only: its pages
carry ``?street=<street code>`` (not needed while the installation's halls are one street's;
without it on a larger one, the terminal's first page lets the resident choose the street)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core import ratelimit
from linli.core.context import Actor, client_address

from .. import queries, services
from ..errors import HallError
from .common import ChooseStreet, local_today, or_404, public_street


def _or_choose(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The view, or the terminal's street choice when the street is missing."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except ChooseStreet:
            return redirect("hall:terminal")

    return wrapped


@login_not_required
def terminal(request: HttpRequest) -> HttpResponse:
    """The terminal's menu; the choice of street when the installation has several."""
    try:
        street = public_street(request)
    except ChooseStreet:
        return render(
            request,
            "hall/terminal.html",
            {"kiosk": True, "streets": queries.public_streets(), "choose": True},
        )
    return render(request, "hall/terminal.html", {"kiosk": True, "street": street})


@login_not_required
@_or_choose
def terminal_consult(request: HttpRequest) -> HttpResponse:
    street = public_street(request)
    q = request.GET.get("q", "").strip()
    found = queries.public_items(street, q, 20) if q else []
    return render(request, "hall/terminal_consult.html", {"q": q, "found": found, "street": street})


@login_not_required
@_or_choose
def terminal_item(request: HttpRequest, code: str) -> HttpResponse:
    street = public_street(request)
    item = or_404(queries.public_item(street, code))
    return render(request, "hall/terminal_item.html", {"item": item, "street": street})


@login_not_required
@_or_choose
def terminal_apply(request: HttpRequest) -> HttpResponse:
    """智能办理: a self-service item of the street, the ID swipe and a short form open a case."""
    street = public_street(request)
    items = queries.self_service_items(street)
    item = items.filter(code=request.GET.get("item") or request.POST.get("item") or "").first()
    error, case = "", None
    if request.method == "POST" and item is not None:
        if not request.POST.get("confirm"):
            error = _("请确认已备齐材料并同意提交。")
        else:
            try:
                case = services.do_open_case(
                    Actor(None, "terminal", "24h-terminal"), item,
                    id_number=request.POST.get("id_number", ""),
                    note=_("自助终端申请：") + request.POST.get("note", "")[:150],
                    phone=request.POST.get("phone", ""),
                )  # fmt: skip
            except HallError as exc:
                error = exc.message
    return render(
        request,
        "hall/terminal_apply.html",
        {"items": items, "item": item, "error": error, "case": case, "street": street},
        status=400 if error else 200,
    )


RATE_CASE_SALT = "hall.rate_case"


@login_not_required
@require_POST
def terminal_rate(request: HttpRequest) -> HttpResponse:
    """Rate a finished case right after the query (a signed, 10-minute token, no ID in the page)."""
    try:
        case_pk = signing.loads(request.POST.get("token", ""), salt=RATE_CASE_SALT, max_age=600)
        case = or_404(queries.case_by_pk(case_pk))
        services.do_rate_case(
            case, int(request.POST.get("stars") or 0), request.POST.get("comment", "")
        )
    except (signing.BadSignature, ValueError):
        messages.error(request, _("评价已过期，请重新查询。"))
    except HallError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("感谢您的评价。"))
    return redirect(reverse("hall:terminal_query") + _street_query(request))


def _street_query(request: HttpRequest) -> str:
    """``?street=<code>`` as the page was opened with (the street-independent pages keep it
    for their way back to the menu)."""
    try:
        return public_street(request).query
    except (ChooseStreet, Http404):
        return ""


# Wrong ID numbers for one case number from one address (the terminal) per 15 minutes: guessing
# an applicant's number stops here, other residents at the same terminal are not held up.
TERMINAL_QUERY_LIMIT = 5


@login_not_required
def terminal_query(request: HttpRequest) -> HttpResponse:
    """自助查询: case number plus the applicant's ID number; nothing else is shown."""
    case = None
    error = ""
    status = 200
    if request.method == "POST":
        number = request.POST.get("number", "").strip()[:40]
        tries = f"hall-terminal-query:{client_address(request)}:{number}"
        if ratelimit.exceeded(tries, TERMINAL_QUERY_LIMIT):
            error, status = _("查询次数过多，请 15 分钟后再试，或到窗口咨询。"), 429
        else:
            case = queries.find_case(number, request.POST.get("id_number", ""))
            if case is None:
                ratelimit.hit(tries, 15 * 60)
                error, status = _("未找到办件：请核对办件编号和身份证号码。"), 404
    token = ""
    if case is not None and case.closed_on and queries.rating_of_case(case) is None:
        token = signing.dumps(case.pk, salt=RATE_CASE_SALT)
    return render(
        request,
        "hall/terminal_query.html",
        {
            "case": case,
            "error": error,
            "today": local_today(),
            "token": token,
            "stars": range(5, 0, -1),
            "street_query": _street_query(request),
        },
        status=status,
    )


@login_not_required
def terminal_pickup(request: HttpRequest) -> HttpResponse:
    error, pickup = "", None
    if request.method == "POST":
        try:
            pickup = services.do_collect_pickup(
                request.POST.get("code", ""), request.POST.get("id_number", "")
            )
        except HallError as exc:
            error = exc.message
    return render(
        request, "hall/terminal_pickup.html",
        {"error": error, "pickup": pickup, "street_query": _street_query(request)},
        status=400 if error else 200,
    )  # fmt: skip
