"""Rounds: create one, draw its samples, its overview, sample list and committee page."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core import policy
from linli.core.context import Actor
from linli.core.errors import DomainError
from linli.core.excel import write_workbook
from linli.core.models import User
from linli.core.redirects import safe_next
from linli.core.roles import Role
from linli.geo.models import Committee

from .. import filters, queries, services
from .. import forms as risk_forms
from ..models import MethodVersion, Sample
from ._common import _chosen, _error, _filtered, _streets


def round_create(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, "risk.manage")
    mine = policy.scoped(Committee.objects.order_by("code"), request.user, "pk")
    form = risk_forms.RoundForm(
        request.POST or None,
        initial={"committees": mine, "method": MethodVersion.objects.first()},
    )
    form.fields["committees"].queryset = mine  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            rnd = services.do_create_round(
                Actor.from_request(request),
                name=d["name"],
                method=d["method"],
                committees=d["committees"],
                samples_per_committee=d["samples_per_committee"],
                seed=d["seed"],
                assessor=d["assessor"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("轮次已创建，可以抽样。"))
            return redirect("risk:round", pk=rnd.pk)
    return render(request, "risk/round_form.html", {"form": form})


def round_overview(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = get_object_or_404(queries.rounds(request.user), pk=pk)
    large = queries.committees_in(request.user, rnd).count() > queries.DIAGRAM_MAX
    ov = queries.overview(request.user, rnd, units=not large)
    ordered = ov["ranked"] + [r for r in ov["rows"] if r.value is None]
    page = Paginator(ordered, queries.PAGE_SIZE if large else max(len(ordered), 1)).get_page(
        request.GET.get("page")
    )
    if large:
        queries.add_units(rnd, list(page.object_list))
    heat = [{"row": r, "cells": [r.units.get(u.code) for u in ov["units"]]} for r in page]
    return render(
        request,
        "risk/round.html",
        {
            "round": rnd,
            "ov": ov,
            "page": page,
            "large": large,
            "diagram": None if large else queries.diagram(ov["rows"]),
            # A recheck (复查) covers only some committees: its average is not the street's.
            "partial": policy.scoped(Committee.objects.all(), request.user, "pk").count()
            > len(ov["rows"]),
            "heat": heat,
            "can_manage": policy.can(request.user, "risk.manage"),
        },
    )


@require_POST
def round_draw(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, "risk.manage")
    rnd = get_object_or_404(queries.rounds(request.user), pk=pk)
    try:
        made = services.do_draw_round(Actor.from_request(request), rnd)
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("已抽取 %(n)s 个样本。") % {"n": len(made)})
    return redirect("risk:samples", pk=rnd.pk)


SAMPLE_SORTS = {
    "committee__code": _("居委"),
    "state": _("状态"),
    "inspector__username": _("检查员"),
}


def round_samples(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = get_object_or_404(queries.rounds(request.user), pk=pk)
    filterset, qs, problems = _filtered(
        filters.SampleFilter, request, queries.samples(request.user, rnd)
    )
    sort = request.GET.get("sort", "")
    qs = (
        qs.order_by(sort, "pk")
        if sort.lstrip("-") in SAMPLE_SORTS
        else qs.order_by("committee__code", "label")
    )
    if request.GET.get("export"):
        rows = (
            [
                s.committee.code,
                s.committee.name,
                s.label,
                str(s.building),
                s.stratum,
                s.inspector.username if s.inspector else "",
                s.get_state_display(),
            ]
            for s in qs
        )
        data = write_workbook(
            str(_("样本")),
            [
                str(_("居委代码")),
                str(_("居委")),
                str(_("样本号")),
                str(_("楼栋")),
                str(_("房屋类型")),
                str(_("检查员")),
                str(_("状态")),
            ],
            rows,
        )
        response = HttpResponse(
            data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="linli-risk-samples-{rnd.pk}.xlsx"'
        return response
    page = Paginator(qs, 60).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    can_manage = policy.can(request.user, "risk.manage")
    return render(
        request,
        "risk/samples.html",
        {
            "round": rnd,
            "page": page,
            "inspectors": list(User.objects.filter(role=Role.INSPECTOR, is_active=True))
            if can_manage
            else [],
            "can_manage": can_manage,
            "states": Sample.State.choices,
            "state": request.GET.get("state", ""),
            "committee": _chosen(filterset, "committee"),
            "streets": _streets(filterset),
            "chosen_street": _chosen(filterset, "street"),
            "committees": queries.committees_in(request.user, rnd),
            "filter_problems": problems,
            "sorts": SAMPLE_SORTS,
            "sort": sort,
            "query": query.urlencode(),
        },
    )


@require_POST
def sample_assign(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, "risk.manage")
    sample = get_object_or_404(queries.samples(request.user), pk=pk)
    form = risk_forms.AssignForm(request.POST)
    if form.is_valid():
        try:
            services.do_assign_inspector(
                Actor.from_request(request), sample, form.cleaned_data["inspector"]
            )
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("已指派 %(s)s。") % {"s": sample})
    return redirect(safe_next(request, request.POST.get("next"), reverse("risk:index")))


def committee_page(request: HttpRequest, pk: int, committee: int) -> HttpResponse:
    rnd = get_object_or_404(queries.rounds(request.user), pk=pk)
    c = get_object_or_404(rnd.committees.all(), pk=committee)
    data = queries.committee_detail(request.user, rnd, c)
    return render(request, "risk/committee.html", {"round": rnd, "committee": c, **data})
