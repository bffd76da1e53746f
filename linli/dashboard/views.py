"""The street's home page: counts, the committee diagram, the five modules."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from linli.core import policy, workcalendar
from linli.geo import queries
from linli.geo.models import Household


def _diagram(user: Any) -> dict[str, Any]:
    """Committees as cells on the street grid, grouped by area (片区)."""
    committees = queries.committee_map(user)
    households = dict(
        policy.scoped(Household.objects.all(), user, "committee_id")
        .values_list("committee_id")
        .annotate(n=Count("id"))
    )
    cells = []
    areas: dict[str, list[dict[str, Any]]] = {}
    for index, c in enumerate(committees):
        placed = c.map_x or c.map_y
        cell = {
            "c": c,
            # Committees without a position are laid out on a grid, five to a row.
            "x": c.map_x if placed else 2 + (index % 5) * 23,
            "y": c.map_y if placed else 8 + (index // 5) * 14,
            "households": households.get(c.pk, 0),
        }
        cells.append(cell)
        if c.area:
            areas.setdefault(c.area.name, []).append(cell)
    boxes = []
    for name, members in areas.items():
        xs = [m["x"] for m in members]
        ys = [m["y"] for m in members]
        boxes.append(
            {
                "name": name,
                "x": max(min(xs) - 1, 0),
                "y": max(min(ys) - 4, 0),
                "w": max(xs) - min(xs) + 20,
                "h": max(ys) - min(ys) + 16,
            }
        )
    height = max((cell["y"] for cell in cells), default=0) + 14
    return {"cells": cells, "areas": boxes, "height": height}


def home(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {"summary": None}
    if policy.can(request.user, workcalendar.PERMISSION):
        # From 1 November: the coming year's holidays are missing from package and street.
        context["calendar_missing"] = workcalendar.coming_year_missing()
    if policy.can(request.user, "geo.view"):
        context["summary"] = queries.street_summary(request.user)
        context["diagram"] = _diagram(request.user)
    return render(request, "dashboard/home.html", context)
