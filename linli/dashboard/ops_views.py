"""The street operations screen (城运中心 wall, docs/ops.md): a full-screen page and the JSON
it polls. Who may open it: ``roles.ROUTES["ops:screen"]``; which panels: the viewer's module
permissions; which street: the viewer's own, or one of a district office's (``?street=``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import policy

from . import opsqueries, opsrules

POLL_SECONDS = 20

# Drill-down: a figure's link key → the list page (route, query) it opens, filtered.
LINKS: dict[str, tuple[str, str]] = {
    "hall": ("hall:index", ""),
    "hall_waiting": ("hall:tickets", "?state=waiting"),
    "hall_serving": ("hall:tickets", "?state=serving"),
    # Every day's: the panel flags escalations still open from an earlier day in red.
    "hall_backoffice": ("hall:tickets", "?state=escalated&all_days=1"),
    "hall_cases_overdue": ("hall:cases", "?overdue=1"),
    "hazards_open": ("risk:cases", "?state=open"),
    "hazards_overdue": ("risk:cases", "?state=open&overdue=1"),
    "hazards_a": ("risk:cases", "?state=open&grade=A"),
    "hazards_escalated": ("risk:cases", "?state=open&escalated=1"),
    "fire": ("fire:index", ""),
    "fire_overdue": ("fire:due", "?list=overdue"),
    "fire_inspection": ("fire:due", "?list=inspection"),
    "lifts": ("elevator:reminders", ""),
    "lift_projects": ("elevator:index", ""),
    "activities": ("community:events_staff", ""),
}


def _require(request: HttpRequest) -> None:
    if not policy.can_open(request.user, "ops:screen"):
        raise PermissionDenied("ops")


def _link(user: Any, key: str | None, cache: dict[str, str | None]) -> str | None:
    """The list page behind a figure, if the viewer may open it."""
    if key is None:
        return None
    if key not in cache:
        route, query = LINKS[key]
        cache[key] = reverse(route) + query if policy.can_open(user, route) else None
    return cache[key]


def _text(text: opsrules.Text) -> str:
    return _(text.msgid) % dict(text.params) if text.params else _(text.msgid)


def payload(user: Any, street: Any) -> dict[str, Any]:
    """The JSON the wall polls (and the page first renders): translated, linked, no names."""
    facts = opsqueries.facts(user, street.pk)
    panels = opsrules.screen(facts)
    links: dict[str, str | None] = {}
    return {
        "street": {"code": street.code, "name": street.name},
        "generated_at": timezone.now().isoformat(),
        "time": facts.now.strftime("%H:%M:%S"),
        "day": facts.today.isoformat(),
        "poll_seconds": POLL_SECONDS,
        "level": opsrules.worst(*(p.level for p in panels)),
        "panels": [
            {
                "key": p.key,
                "title": _(p.title),
                "level": p.level,
                "link": _link(user, p.link, links),
                "empty": _(p.empty),
                "figures": [
                    {
                        "key": f.key,
                        "label": _(f.label),
                        "value": f.value,
                        "total": f.total,
                        "unit": _(f.unit) if f.unit else "",
                        "level": f.level,
                        "link": _link(user, f.link, links),
                    }
                    for f in p.figures
                ],
                "items": [{"text": _text(i.text), "level": i.level} for i in p.items],
            }
            for p in panels
        ],
    }


def screen(request: HttpRequest) -> HttpResponse:
    _require(request)
    street = opsqueries.street(request.user, request.GET.get("street"))
    if street is None:  # a district office: choose one of its streets
        return render(
            request,
            "dashboard/ops_choose.html",
            {"streets": opsqueries.streets(request.user)},
        )
    data_url = reverse("ops:data") + f"?street={street.code}"
    return render(
        request,
        "dashboard/ops.html",
        {
            "data": payload(request.user, street),
            "street": street,
            "data_url": data_url,
            "tz": settings.TIME_ZONE,
        },
    )


def data(request: HttpRequest) -> JsonResponse:
    _require(request)
    street = opsqueries.street(request.user, request.GET.get("street"))
    if street is None:
        return JsonResponse(
            {"code": "street_required", "field": "street", "detail": _("参数 street：请选择街道")},
            status=400,
        )
    response = JsonResponse(payload(request.user, street))
    response["Cache-Control"] = "no-store"
    return response
