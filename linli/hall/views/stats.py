"""Statistics and the staffing advice (Erlang C and the simulation)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .. import charts, queries
from .common import local_today, xlsx_response


def _range(request: HttpRequest) -> tuple[date, date]:
    today = local_today()
    try:
        end = date.fromisoformat(request.GET.get("end") or today.isoformat())
        start = date.fromisoformat(
            request.GET.get("start") or (end - timedelta(days=6)).isoformat()
        )
    except ValueError:
        start = end = today
    if start > end:
        start, end = end, start
    return start, min(end, start + timedelta(days=366))


def _stats_data(request: HttpRequest) -> dict[str, Any]:
    start, end = _range(request)
    return queries.statistics(request.user, start, end)


def stats(request: HttpRequest) -> HttpResponse:
    data = _stats_data(request)
    return render(
        request,
        "hall/stats.html",
        {
            "s": data,
            "hour_chart": charts.bars(
                [(f"{h}时", n) for h, n in data["by_hour"]], _("每小时取号量")
            ),
            "item_chart": charts.hbars(data["by_item"][:12], _("事项办理量（前 12）")),
            "window_chart": charts.hbars(data["by_window"], _("窗口办理量")),
        },
    )


def stats_export(request: HttpRequest) -> HttpResponse:
    data = _stats_data(request)
    rows: list[list[Any]] = [["合计", "取号", data["total"]], ["合计", "办结", data["served"]]]
    for key, label in (("wait_p50", "等候 p50 分钟"), ("wait_p90", "等候 p90 分钟"),
                       ("service_p50", "办理 p50 分钟"), ("service_p90", "办理 p90 分钟"),
                       ("no_show_rate", "过号率"), ("escalation_rate", "转中台率"),
                       ("transfer_rate", "转窗率"), ("mean_stars", "平均星级")):  # fmt: skip
        rows.append(["指标", label, round(data[key], 4) if data[key] is not None else ""])
    for group, label in (
        ("by_hour", "小时"),
        ("by_item", "事项"),
        ("by_window", "窗口"),
        ("by_clerk", "人员"),
    ):
        rows.extend([label, str(k), n] for k, n in data[group])
    return xlsx_response("hall-stats", "统计", ["分组", "项目", "数值"], rows)


def staffing(request: HttpRequest) -> HttpResponse:
    data = _stats_data(request)
    windows = queries.open_window_count(request.user)
    try:
        target = min(0.99, max(0.5, float(request.GET.get("target") or 0.8)))
        within = min(60.0, max(1.0, float(request.GET.get("within") or 10)))
    except ValueError:
        target, within = 0.8, 10.0
    advice = queries.staffing(data, windows, target, within)
    return render(request, "hall/staffing.html", {"s": data, "a": advice})
