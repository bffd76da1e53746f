"""The school-and-culture alliance page for schools, units and street staff."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from linli.core import policy
from linli.core.errors import DomainError

from .. import forms as f
from .. import queries, services
from ..models import (
    AllianceProject,
    Category,
)
from ._common import PAGE_SIZE, _actor, _fail, _render

# --- the alliance -----------------------------------------------------------------------------


def alliance(request: HttpRequest) -> HttpResponse:
    if not (
        policy.can(request.user, "community.alliance") or policy.can(request.user, "community.view")
    ):
        raise PermissionDenied
    member = queries.alliance_member(request.user)
    is_school = member is not None and member.kind == "school"
    form = f.AllianceOrderForm(request.POST or None) if is_school else None
    if request.method == "POST":
        if "order" in request.POST:
            step = request.POST.get("step", "")
            kwargs: dict[str, Any] = {}
            if step == "schedule":
                sched = f.ScheduleForm(request.POST)
                if sched.is_valid():
                    kwargs = sched.cleaned_data
            if step == "feedback":
                rate = f.RateForm(request.POST)
                if rate.is_valid():
                    kwargs = rate.cleaned_data
            pk = request.POST.get("order", "")
            if not pk.isdigit() or not queries.alliance_orders(request.user).filter(pk=pk).exists():
                raise Http404
            try:
                services.do_advance_alliance_order(_actor(request), int(pk), step, **kwargs)
            except DomainError as exc:
                _fail(request, exc)
            else:
                messages.success(request, _("订单已更新。"))
            return redirect("community:alliance")
        if form is not None and form.is_valid():
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
    for p in AllianceProject.objects.select_related("unit__organisation").order_by(
        "category", "title"
    ):
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
            "figures": queries.alliance_figures()
            if policy.can(request.user, "community.view")
            else None,
            "category_labels": labels,
        },
    )
