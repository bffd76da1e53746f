"""The school-and-culture alliance page for schools, units and street staff, and one view per
step form of an order (each calls its own service)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core import policy
from linli.core.context import Actor
from linli.core.errors import DomainError

from .. import forms as f
from .. import queries, services
from ..models import AllianceProject, Category
from ._common import PAGE_SIZE, _actor, _fail, _posted_id, _render

# --- the alliance -----------------------------------------------------------------------------


def _require_alliance(request: HttpRequest) -> None:
    if not (
        policy.can(request.user, "community.alliance") or policy.can(request.user, "community.view")
    ):
        raise PermissionDenied


def alliance(request: HttpRequest) -> HttpResponse:
    """The menu, the orders in reach, the figures; a school's order form posts here."""
    _require_alliance(request)
    member = queries.alliance_member(request.user)
    is_school = member is not None and member.kind == "school"
    form = f.AllianceOrderForm(request.POST or None) if is_school else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.do_order_alliance_project(_actor(request), **form.cleaned_data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("已下单，等待文化单位接单。"))
            return redirect("community:alliance")
    orders_qs = queries.alliance_orders(request.user).order_by("-created", "-id")
    page = Paginator(orders_qs, PAGE_SIZE).get_page(request.GET.get("page"))
    labels = dict(Category.choices)
    projects_by_cat: dict[str, list[AllianceProject]] = {str(v): [] for v in labels.values()}
    for p in queries.alliance_projects(request.user):
        projects_by_cat[str(labels[p.category])].append(p)
    return _render(
        request,
        "community/alliance.html",
        {
            "member": member,
            "is_school": is_school,
            "form": form,
            "page": page,
            "menu": {k: v for k, v in projects_by_cat.items() if v},
            "schedule": f.ScheduleForm(),
            "rate": f.RateForm(),
            "figures": queries.alliance_figures(request.user)
            if policy.can(request.user, "community.view")
            else None,
            "category_labels": labels,
        },
    )


def _step(request: HttpRequest, service: Callable[..., Any], **kwargs: Any) -> HttpResponse:
    """Apply one step to the order the form names and go back to the alliance page with the
    outcome; a form naming no order says so, an order outside the user's reach is a 404."""
    _require_alliance(request)
    posted = _posted_id(request, "order")
    if posted is None:
        messages.error(request, _("订单：请选择要处理的订单。"))
        return redirect("community:alliance")
    order_id = queries.alliance_order_id(request.user, posted)
    if order_id is None:
        raise Http404
    actor: Actor = _actor(request)
    try:
        service(actor, order_id, **kwargs)
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("订单已更新。"))
    return redirect("community:alliance")


@require_POST
def alliance_accept(request: HttpRequest) -> HttpResponse:
    return _step(request, services.do_accept_alliance_order)


@require_POST
def alliance_decline(request: HttpRequest) -> HttpResponse:
    return _step(request, services.do_decline_alliance_order)


@require_POST
def alliance_schedule(request: HttpRequest) -> HttpResponse:
    form = f.ScheduleForm(request.POST)
    kwargs = form.cleaned_data if form.is_valid() else {}  # the service names what is missing
    return _step(request, services.do_schedule_alliance_order, **kwargs)


@require_POST
def alliance_deliver(request: HttpRequest) -> HttpResponse:
    return _step(request, services.do_deliver_alliance_order)


@require_POST
def alliance_feedback(request: HttpRequest) -> HttpResponse:
    form = f.RateForm(request.POST)
    kwargs = form.cleaned_data if form.is_valid() else {}  # the service names what is missing
    return _step(request, services.do_rate_alliance_order, **kwargs)
