"""Staff pages of service orders and the wish box."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import policy
from linli.core.errors import DomainError

from .. import filters, queries, services
from .. import forms as f
from ..models import (
    Position,
    Wish,
)
from ._common import PAGE_SIZE, _actor, _fail, _render
from .network import _network

# --- staff: orders and wishes ----------------------------------------------------------------


def orders(request: HttpRequest) -> HttpResponse:
    """Service orders in reach, narrowed by ``filters.ServiceOrderFilter`` (as the API list)."""
    policy.require(request.user, "community.view")
    data = request.GET.copy()
    if data.get("status") == "overdue":  # the list's links before the filter had its own field
        data.pop("status")
        data["overdue"] = "true"
    filterset, qs = filters.apply(
        filters.ServiceOrderFilter, data, queries.orders(request.user), request
    )
    page = Paginator(qs.order_by("-created", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for o in page:
        o.overdue = services.is_overdue(o, today)  # type: ignore[attr-defined]
    data.pop("page", None)
    return _render(
        request,
        "community/orders.html",
        {
            "page": page,
            "filter": filterset,
            "positions": _network(request.user, Position.objects.order_by("sort", "name")),
            "query": data.urlencode(),
        },
    )


def order(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, "community.view")
    item = get_object_or_404(queries.orders(request.user), pk=pk)
    if request.method == "POST":
        step = request.POST.get("step", "")
        kwargs: dict[str, Any] = {}
        if step == "dispatch":
            form = f.narrow_to_reach(f.DispatchForm(request.POST), request.user)
            if form.is_valid():
                kwargs = form.cleaned_data
        if step == "rate":
            rate = f.RateForm(request.POST)
            if rate.is_valid():
                kwargs = rate.cleaned_data
        if step in ("decline", "cancel"):
            kwargs = {"feedback": request.POST.get("feedback", "")}
        try:
            services.do_advance_order(_actor(request), item.pk, step, **kwargs)
        except DomainError as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("订单已更新。"))
        return redirect("community:order", item.pk)
    return _render(
        request,
        "community/order.html",
        {
            "o": item,
            "overdue": services.is_overdue(item),
            "dispatch": f.narrow_to_reach(f.DispatchForm(), request.user),
            "rate": f.RateForm(),
            "can_manage": policy.can(request.user, "community.manage"),
        },
    )


def wishes(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, "community.view")
    can_manage = policy.can(request.user, "community.manage")
    if request.method == "POST":
        policy.require(request.user, "community.manage")
        target = get_object_or_404(
            policy.scoped(Wish.objects.all(), request.user, "committee_id"),
            pk=request.POST.get("wish"),
        )
        try:
            if request.POST.get("action") == "decline":
                services.do_decline_wish(_actor(request), target, request.POST.get("answer", ""))
                messages.success(request, _("已答复。"))
            else:
                form = f.narrow_to_reach(f.AdoptWishForm(request.POST), request.user)
                if not form.is_valid():
                    messages.error(request, _("请完整填写服务项目信息。"))
                    return redirect("community:wishes")
                services.do_adopt_wish(_actor(request), target, **form.cleaned_data)
                messages.success(request, _("已转为服务项目。"))
        except DomainError as exc:
            _fail(request, exc)
        return redirect("community:wishes")
    # Wishes to the street are the party-mass office's; committee staff see their committee's.
    wishes_qs = policy.scoped(
        Wish.objects.select_related("menu_item"), request.user, "committee_id"
    )
    page = Paginator(wishes_qs.order_by("-created", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for wish in page:  # one adopt form per wish, each with its own ids (unique per page)
        adopt = f.AdoptWishForm(auto_id=f"id_wish{wish.pk}_%s")
        wish.adopt_form = f.narrow_to_reach(adopt, request.user)  # type: ignore[attr-defined]
    return _render(
        request,
        "community/wishes.html",
        {"page": page, "can_manage": can_manage},
    )
