"""Cases (办件) and ratings (好差评): lists, one case, the export."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from linli.core import policy
from linli.core.context import Actor

from .. import filters, queries, services
from ..errors import HallError
from ..models import (
    Case,
)
from .common import (
    bad_filter,
    filtered,
    local_today,
    page_of,
    person_label,
    query_without_page,
    show_errors,
    street_choices,
    xlsx_response,
)


def _cases_filtered(request: HttpRequest) -> tuple[QuerySet[Case], list[str]]:
    qs, errors = filtered(request, filters.CaseFilter, queries.cases(request.user))
    sort = request.GET.get("sort", "")
    if sort.lstrip("-") in ("number", "due_on", "accepted_on"):
        qs = qs.order_by(sort, "pk")
    return qs, errors


def case_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        case = get_object_or_404(queries.cases(request.user), pk=request.POST.get("case") or 0)
        try:
            services.do_set_case_status(
                Actor.from_request(request), case, request.POST.get("status", "")
            )
            messages.success(request, _("办件 %(n)s 状态已更新") % {"n": case.number})
        except (HallError, PermissionDenied) as exc:
            messages.error(request, getattr(exc, "message", _("无权操作。")))
        return redirect(request.get_full_path())
    today = local_today()
    cases, errors = _cases_filtered(request)
    status = show_errors(request, errors)
    return render(
        request,
        "hall/case_list.html",
        {
            "page": page_of(request, cases),
            "query": query_without_page(request),
            "streets": street_choices(request),
            "statuses": Case.Status.choices,
            "today": today,
            "can_change": policy.can(request.user, "hall.serve")
            or policy.can(request.user, "hall.backoffice"),
        },
        status=status,
    )


def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    """One case: its item and materials, the ticket it came from, its history and rating."""
    case = get_object_or_404(queries.cases(request.user), number=number)
    if request.method == "POST":
        try:
            services.do_set_case_status(
                Actor.from_request(request), case, request.POST.get("status", "")
            )
            messages.success(
                request,
                _("办件 %(n)s 已改为“%(s)s”。")
                % {"n": case.number, "s": case.get_status_display()},
            )
        except (HallError, PermissionDenied) as exc:
            messages.error(request, getattr(exc, "message", _("无权操作。")))
        return redirect("hall:case", number=case.number)
    return render(
        request,
        "hall/case_detail.html",
        {
            "case": case,
            "pickups": queries.pickups_of(case),
            "clerk": person_label(case.clerk),
            "rating": queries.rating_of_case(case),
            "today": local_today(),
            "can_change": policy.can(request.user, "hall.serve")
            or policy.can(request.user, "hall.backoffice"),
            "can_see_ticket": policy.can(request.user, "hall.view")
            or policy.can(request.user, "hall.manage"),
        },
    )


def case_export(request: HttpRequest) -> HttpResponse:
    cases, errors = _cases_filtered(request)
    if errors:
        return bad_filter(errors)
    labels = [
        "办件编号",
        "事项",
        "状态",
        "全市通办",
        "受理日期",
        "承诺办结日期",
        "办结日期",
        "窗口",
    ]
    rows = [
        [
            c.number,
            c.item.name,
            c.get_status_display(),
            c.citywide,
            c.accepted_on,
            c.due_on,
            c.closed_on,
            c.window.number if c.window else "",
        ]
        for c in cases
    ]
    return xlsx_response("hall-cases", "办件", labels, rows)


def rating_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        rating = get_object_or_404(
            queries.ratings(request.user), pk=request.POST.get("rating") or 0
        )
        try:
            services.do_close_follow_up(
                Actor.from_request(request), rating, request.POST.get("note", "")
            )
            messages.success(request, _("整改已记录"))
        except (HallError, PermissionDenied) as exc:
            messages.error(request, getattr(exc, "message", _("无权操作。")))
        return redirect(request.get_full_path())
    qs, errors = filtered(request, filters.RatingFilter, queries.ratings(request.user))
    status = show_errors(request, errors)
    return render(
        request,
        "hall/rating_list.html",
        {
            "page": page_of(request, qs),
            "query": query_without_page(request),
            "streets": street_choices(request),
            "today": local_today(),
            "can_manage": policy.can(request.user, "hall.manage"),
        },
        status=status,
    )
