"""Upkeep reminders: every clock due soon or overdue across the projects in reach."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from .. import queries, services
from ._common import PAGE_SIZE

# --- upkeep reminders ---------------------------------------------------------------------------


def reminders(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows: list[dict[str, Any]] = []
    calendar = services.work_calendar()
    for project in queries.projects(request.user).order_by("committee__code", "name"):
        for clock in services.project_clocks(project, today, calendar):
            if clock.status in ("overdue", "due_soon"):
                rows.append({"p": project, "c": clock})
    rows.sort(key=lambda r: (r["c"].status != "overdue", r["c"].due))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "elevator/reminders.html", {"page": page, "today": today})
