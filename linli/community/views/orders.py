"""Staff pages of service orders and the wish box."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core import policy
from linli.core.errors import DomainError

from .. import filters, queries, services
from .. import forms as f
from ..models import Wish
from ._common import PAGE_SIZE, _actor, _fail, _posted_id, _render

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
            "positions": queries.network_positions(request.user).order_by("sort", "name"),
            "query": data.urlencode(),
        },
    )


def order(request: HttpRequest, pk: int) -> HttpResponse:
    """One order with a form per step it can take next (each posts to its own view)."""
    policy.require(request.user, "community.view")
    item = get_object_or_404(queries.orders(request.user), pk=pk)
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


def _order_step(
    request: HttpRequest, pk: int, service: Callable[..., Any], **kwargs: Any
) -> HttpResponse:
    """Apply one step to an order in reach (404 otherwise) and go back to its page."""
    policy.require(request.user, "community.view")
    item = get_object_or_404(queries.orders(request.user), pk=pk)
    try:
        service(_actor(request), item.pk, **kwargs)
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("订单已更新。"))
    return redirect("community:order", item.pk)


@require_POST
def order_accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _order_step(request, pk, services.do_accept_order)


@require_POST
def order_decline(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = request.POST.get("feedback", "")
    return _order_step(request, pk, services.do_decline_order, feedback=feedback)


@require_POST
def order_dispatch(request: HttpRequest, pk: int) -> HttpResponse:
    form = f.narrow_to_reach(f.DispatchForm(request.POST), request.user)
    kwargs = form.cleaned_data if form.is_valid() else {}  # the service names what is missing
    return _order_step(request, pk, services.do_dispatch_order, **kwargs)


@require_POST
def order_deliver(request: HttpRequest, pk: int) -> HttpResponse:
    return _order_step(request, pk, services.do_deliver_order)


@require_POST
def order_rate(request: HttpRequest, pk: int) -> HttpResponse:
    form = f.RateForm(request.POST)
    kwargs = form.cleaned_data if form.is_valid() else {}  # the service names what is missing
    return _order_step(request, pk, services.do_rate_order, **kwargs)


@require_POST
def order_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = request.POST.get("feedback", "")
    return _order_step(request, pk, services.do_cancel_order, feedback=feedback)


def wishes(request: HttpRequest) -> HttpResponse:
    """Wishes in reach; each new one offers an adopt form and a decline form (own views)."""
    policy.require(request.user, "community.view")
    can_manage = policy.can(request.user, "community.manage")
    # Wishes to the street are the party-mass office's; committee staff see their committee's.
    page = Paginator(queries.wishes(request.user).order_by("-created", "-id"), PAGE_SIZE).get_page(
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


def _wish(request: HttpRequest) -> Wish | None:
    """The wish the form names (404 outside the user's reach); None, with a message naming
    the field, when the form names none."""
    policy.require(request.user, "community.manage")
    posted = _posted_id(request, "wish")
    if posted is None:
        messages.error(request, _("心愿：请选择要处理的心愿。"))
        return None
    return get_object_or_404(queries.wishes(request.user), pk=posted)


@require_POST
def wish_adopt(request: HttpRequest) -> HttpResponse:
    """Turn a wish into a menu item (the adopt form under each wish)."""
    target = _wish(request)
    if target is None:
        return redirect("community:wishes")
    form = f.narrow_to_reach(f.AdoptWishForm(request.POST), request.user)
    if not form.is_valid():
        messages.error(request, _("请完整填写服务项目信息。"))
        return redirect("community:wishes")
    try:
        services.do_adopt_wish(_actor(request), target, **form.cleaned_data)
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("已转为服务项目。"))
    return redirect("community:wishes")


@require_POST
def wish_decline(request: HttpRequest) -> HttpResponse:
    """Answer a wish without adopting it (the decline form under each wish)."""
    target = _wish(request)
    if target is None:
        return redirect("community:wishes")
    try:
        services.do_decline_wish(_actor(request), target, request.POST.get("answer", ""))
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("已答复。"))
    return redirect("community:wishes")
