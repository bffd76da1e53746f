"""The cost calculator and its annex; publishing the plan the owners see their share under."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core.errors import DomainError

from .. import costs, queries, rules, services
from .. import forms as f
from ..models import Project
from ._common import _actor, _can_manage, _fail, _form_or_error

# --- money -------------------------------------------------------------------------------------


ITEM_LABELS = {
    "maintenance_contract": gettext_lazy("维保"),
    "inspection": gettext_lazy("检验"),
    "electricity": gettext_lazy("电费"),
    "insurance": gettext_lazy("保险"),
    "reserve": gettext_lazy("备用金"),
}


def _flats(project: Project) -> list[costs.Flat]:
    return [
        costs.Flat(
            flat=f"{u.household.entrance.number} {u.household.room}",
            floor=u.floor,
            area=int(u.area * 100),
        )
        for u in queries.building_units(project)
    ]


def _subsidy(text: str) -> tuple[costs.SubsidyPart, ...]:
    parts = []
    for i, line in enumerate(x for x in text.splitlines() if x.strip()):
        bits = [b.strip() for b in line.replace("，", ",").split(",")]
        row: dict[str, Any] = {"name": bits[0] or f"补贴{i + 1}"}
        if len(bits) > 1 and bits[1]:
            row["share"] = bits[1]
        if len(bits) > 2 and bits[2]:
            row["cap"] = bits[2]
        if len(bits) > 3 and bits[3]:
            row["fixed"] = bits[3]
        parts.append(row)
    return costs.load_subsidy(parts) if parts else ()


def _method(d: dict[str, Any], floors: int) -> costs.Method:
    if d["method"] == "area":
        return costs.ByArea()
    if d["method"] == "segments":
        return costs.BySegments()
    if d["method"] == "hybrid":
        return costs.Hybrid(costs.parse_share(d["fixed_share"] or "1/2", "fixed_share"))
    raw = [x.strip() for x in (d["coefficients"] or "").split(",") if x.strip()]
    if not raw:
        raw = [str(Fraction(6 + 2 * i, 10)) for i in range(max(floors - 1, 1))]
    return costs.ByCoefficients({floor: _coefficient(v, floor) for floor, v in enumerate(raw, 2)})


def _coefficient(text: str, floor: int) -> Fraction:
    try:
        value = Fraction(text)
    except (ValueError, ZeroDivisionError):
        value = Fraction(0)
    if value <= 0:
        raise costs.CostError(
            f"coefficients[{floor}]",
            _("%(floor)s 层系数 “%(text)s” 须为正数") % {"floor": floor, "text": text},
        )
    return value


COST_FIELDS = (
    "cost",
    "subsidy",
    "method",
    "coefficients",
    "fixed_share",
    "exempt_ground_floor",
    "maintenance",
    "inspection",
    "electricity",
    "insurance",
    "reserve",
)
"""The calculator's settings, kept as text when a plan is published to the owners."""

COST_DEFAULTS = {
    "cost": "600000",
    "subsidy": "市级补贴,1,240000",
    "method": "coefficients",
    "fixed_share": "1/2",
    "exempt_ground_floor": True,
    "maintenance": "6000",
    "inspection": "800",
    "electricity": "1200",
    "insurance": "500",
    "reserve": "1000",
}


def _cost_tables(flats: list[costs.Flat], d: dict[str, Any]) -> dict[str, Any]:
    """The calculator's result for valid settings ``d``; raises CostError/ValueError."""
    top = max((x.floor for x in flats), default=1)
    method = _method(d, top)
    shares = costs.construction_shares(
        int(d["cost"] * 100),
        _subsidy(d["subsidy"]),
        flats,
        method,
        exempt_ground_floor=d["exempt_ground_floor"],
    )
    yearly = {
        "maintenance_contract": int((d["maintenance"] or 0) * 100),
        "inspection": int((d["inspection"] or 0) * 100),
        "electricity": int((d["electricity"] or 0) * 100),
        "insurance": int((d["insurance"] or 0) * 100),
        "reserve": int((d["reserve"] or 0) * 100),
    }
    running = costs.running_cost_table(
        yearly, flats, method, exempt_ground_floor=d["exempt_ground_floor"]
    )
    y = costs.format_yuan
    return {
        "funding": {
            "cost": y(shares.funding.cost),
            "subsidies": [(n, y(v)) for n, v in shares.funding.subsidies],
            "subsidy": y(shares.funding.subsidy),
            "residents": y(shares.funding.residents),
        },
        "rows": [
            {
                "flat": x.flat,
                "floor": x.floor,
                "area": rules.format_area(x.area),
                "share": y(shares.shares[x.flat]),
                "running": y(running.totals[x.flat]),
                "items": [y(running.items[k][x.flat]) for k in yearly],
            }
            for x in flats
        ],
        "share_fen": dict(shares.shares),
        "running_fen": dict(running.totals),
        "total_share": y(sum(shares.shares.values())),
        "total_running": y(running.total),
        "item_labels": [ITEM_LABELS[k] for k in yearly],
        "item_totals": [y(v) for v in yearly.values()],
        "method_label": dict(f.CostForm.METHODS)[d["method"]],
        "exempt_ground_floor": d["exempt_ground_floor"],
    }


def costs_page(
    request: HttpRequest, pk: int, template: str = "elevator/costs.html"
) -> HttpResponse:
    project = queries.project(request.user, pk)
    flats = _flats(project)
    manage = _can_manage(request, project)
    if request.method == "POST":
        # Publish the settings shown as the plan the owners see their own share under.
        if not manage:
            raise PermissionDenied("elevator.manage")
        posted = f.CostForm(request.POST)
        plan = {k: request.POST.get(k, "") for k in COST_FIELDS}
        try:
            if not flats:
                raise DomainError(_("尚未生成业主名册，无法公示分摊方案。"))
            d = _form_or_error(posted)
            _cost_tables(flats, d)
            services.do_publish_cost_plan(_actor(request), project, plan)
            messages.success(request, _("分摊方案已公示，业主在表决页可看到自己的分摊额。"))
        except (costs.CostError, ValueError) as exc:
            messages.error(request, str(exc))
        except DomainError as exc:
            _fail(request, exc)
        query = urlencode({k: v for k, v in plan.items() if v})
        return redirect(f"{reverse('elevator:costs', args=[project.pk])}?{query}")
    form = f.CostForm(request.GET if "cost" in request.GET else project.cost_plan or COST_DEFAULTS)
    context: dict[str, Any] = {
        "p": project,
        "form": form,
        "flats": flats,
        "query": request.GET.urlencode(),
        "can_manage": manage,
    }
    if flats and form.is_valid():
        try:
            context.update(_cost_tables(flats, form.cleaned_data))
        except (costs.CostError, ValueError) as exc:
            context["error"] = str(exc)
        else:
            context["today"] = timezone.localdate()
    return render(request, template, context)


def annex(request: HttpRequest, pk: int) -> HttpResponse:
    return costs_page(request, pk, "elevator/annex.html")
