"""The risk front page: the street picture, the latest rounds, open cases."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from linli.core import policy
from linli.core.roles import Role

from .. import queries
from ..models import HazardCase, MethodVersion


def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    role = policy.role_of(user)
    if role == Role.INSPECTOR:
        return redirect("risk:my_samples")
    if role == Role.PARTNER:
        return redirect("risk:cases")
    policy.require(user, "risk.view")
    round_list = list(queries.rounds(user)[:20])
    latest = round_list[0] if round_list else None
    context: dict[str, Any] = {
        "rounds": round_list,
        "can_manage": policy.can(user, "risk.manage"),
        "methods": MethodVersion.objects.all() if policy.can(user, "risk.manage") else [],
    }
    if latest is not None:
        # The street picture: every committee's latest grade, whichever round gave it; a
        # recheck round of a few committees shows beside it, never in its place.
        picture = queries.street_picture(user, latest)
        small = len(picture["rows"]) <= queries.DIAGRAM_MAX
        context.update(
            latest=latest,
            ov=picture,
            diagram=queries.diagram(picture["rows"]) if small and picture["graded"] else None,
        )
    cases = queries.cases(user)
    context["open_cases"] = cases.exclude(state=HazardCase.State.CLOSED).count()
    context["overdue_cases"] = queries.overdue(cases).count()
    return render(request, "risk/index.html", context)
